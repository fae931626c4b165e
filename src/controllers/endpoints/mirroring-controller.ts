// The EndpointSlice mirroring controller: for a Service without a selector, whose Endpoints are
// written by someone else, mirror those Endpoints into EndpointSlices (one per subset and address
// family; ready = addresses, not ready = notReadyAddresses) labelled
// endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io and owned by
// the Endpoints object, so EndpointSlice consumers see them too. Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror=true are left alone, as in Kubernetes.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';

export const MIRROR_MANAGED_BY = 'endpointslicemirroring-controller.k8s.io';

export class EndpointSliceMirroringController implements Controller {
  readonly name = 'endpointslicemirroring';
  private readonly runner: QueueRunner;
  private readonly services: Informer;
  private readonly endpoints: Informer;
  private readonly slices: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('endpointslicemirroring-controller', Number(ctx.options.mirroringConcurrentServiceEndpointSyncs ?? 5), (k) => this.sync(k));
    this.services = ctx.informers.informerFor(Resources.services);
    this.endpoints = ctx.informers.informerFor(Resources.endpoints);
    this.slices = ctx.informers.informerFor(Resources.endpointslices);
    const enqueue = (o: K) => this.runner.enqueue(nsKey(o));
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    this.endpoints.addEventHandler({ onAdd: enqueue, onUpdate: (_o, e) => enqueue(e), onDelete: enqueue });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(key) as K | undefined;
    const ep = this.endpoints.get(key) as K | undefined;
    const mine = (this.slices.byIndex('namespace', ns) as K[]).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name && s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MIRROR_MANAGED_BY);
    const mirror = svc && ep && (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) && ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'] !== 'true';
    const wanted: K[] = [];
    if (mirror) {
      for (const subset of ep.subsets ?? []) {
        const all = [...(subset.addresses ?? []).map((a: K) => ({ a, ready: true })), ...(subset.notReadyAddresses ?? []).map((a: K) => ({ a, ready: false }))];
        for (const family of ['IPv4', 'IPv6']) {
          const entries = all.filter(({ a }) => String(a.ip).includes(':') === (family === 'IPv6'));
          if (!entries.length) continue;
          wanted.push({
            addressType: family,
            endpoints: entries.map(({ a, ready }) => ({
              addresses: [a.ip],
              conditions: { ready },
              ...(a.hostname ? { hostname: a.hostname } : {}),
              ...(a.nodeName ? { nodeName: a.nodeName } : {}),
              ...(a.targetRef ? { targetRef: a.targetRef } : {}),
            })),
            ports: (subset.ports ?? []).map((p: K) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })),
          });
        }
      }
    }
    const labels = { ...(ep?.metadata?.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': MIRROR_MANAGED_BY };
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i];
      const cur = mine[i];
      if (cur && cur.addressType === w.addressType) {
        if (JSON.stringify(cur.endpoints ?? []) !== JSON.stringify(w.endpoints) || JSON.stringify(cur.ports ?? []) !== JSON.stringify(w.ports))
          await this.ctx.client.put(resourcePath(Resources.endpointslices, ns, cur.metadata.name), { ...cur, ...w, metadata: { ...cur.metadata, labels } });
        continue;
      }
      if (cur) await this.remove(cur);
      await this.ctx.client.post(resourcePath(Resources.endpointslices, ns), {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${name}-`, namespace: ns, labels, ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name, uid: ep!.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        ...w,
      });
    }
    for (const extra of mine.slice(wanted.length)) await this.remove(extra);
  }

  private async remove(s: K): Promise<void> {
    await this.ctx.client.delete(resourcePath(Resources.endpointslices, s.metadata.namespace, s.metadata.name)).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

export const newEndpointSliceMirroringController = (ctx: ControllerContext): Controller => new EndpointSliceMirroringController(ctx);
