// The EndpointSlice controller: for each Service with a selector, discovery.k8s.io/v1
// EndpointSlices (labels kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by,
// owned by the Service) holding the selected pods with conditions ready/serving/terminating,
// one slice per port set, at most --max-endpoints-per-slice (100) endpoints each.
// Partial: slices are rewritten whole when they change (Kubernetes packs changes to minimise
// writes); EndpointSlice mirroring of custom Endpoints is not done yet.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, ownerRefFor, type K } from '../pod-util.js';
import { endpointEntries, portsKey, type EndpointEntry } from './endpoint-set.js';
import { serviceKeysForPod } from './pod-services.js';

export const MANAGED_BY = 'endpointslice-controller.k8s.io';

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  private readonly runner: QueueRunner;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly slices: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('endpointslice-controller', Number(ctx.options.concurrentServiceEndpointSyncs ?? 5), (k) => this.sync(k));
    this.services = ctx.informers.informerFor(Resources.services);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.slices = ctx.informers.informerFor(Resources.endpointslices);
    const svc = (s: K) => this.runner.enqueue(nsKey(s));
    this.services.addEventHandler({ onAdd: svc, onUpdate: (_o, s) => svc(s), onDelete: svc });
    const pod = (old: K | undefined, p: K) => {
      for (const k of serviceKeysForPod(this.services, old, p)) this.runner.enqueue(k);
    };
    this.pods.addEventHandler({ onAdd: (p) => pod(undefined, p), onUpdate: (o, p) => pod(o, p), onDelete: (p) => pod(undefined, p) });
    this.slices.addEventHandler({ onDelete: (s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY && this.runner.enqueue(`${s.metadata.namespace}/${s.metadata.labels['kubernetes.io/service-name']}`) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(key) as K | undefined;
    const mine = (this.slices.byIndex('namespace', ns) as K[]).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name && s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY);
    if (!svc || !svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
      for (const s of mine) await this.remove(s);
      return;
    }
    const max = Number(this.ctx.options.maxEndpointsPerSlice ?? 100);
    const groups = new Map<string, EndpointEntry[]>();
    for (const e of endpointEntries(svc, this.pods.byIndex('namespace', ns) as K[])) {
      const k = portsKey(e.ports);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(e);
    }
    if (groups.size === 0) groups.set(portsKey([]), []);
    const wanted: K[] = [];
    for (const entries of groups.values()) {
      const ports = (entries[0]?.ports ?? (svc.spec.ports ?? []).map((p: K) => ({ name: p.name, port: undefined, protocol: p.protocol ?? 'TCP' }))).map((p: K) => ({ name: p.name ?? '', ...(p.port !== undefined ? { port: p.port } : {}), protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
      for (let i = 0; i < Math.max(1, entries.length); i += max) {
        const endpoints = entries.slice(i, i + max).map((e) => ({
          addresses: [e.ip],
          conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
          ...(e.pod.spec?.nodeName ? { nodeName: e.pod.spec.nodeName } : {}),
          targetRef: { kind: 'Pod', namespace: ns, name: e.pod.metadata.name, uid: e.pod.metadata.uid },
        }));
        wanted.push({ addressType: (entries[0]?.ip ?? '').includes(':') ? 'IPv6' : 'IPv4', endpoints, ports });
      }
    }
    // Reuse existing slices in order; create or delete the difference.
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i];
      const labels = { ...(svc.metadata?.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY };
      const cur = mine[i];
      if (cur) {
        if (cur.addressType === w.addressType && JSON.stringify(cur.endpoints ?? []) === JSON.stringify(w.endpoints) && JSON.stringify(cur.ports ?? []) === JSON.stringify(w.ports)) continue;
        if (cur.addressType !== w.addressType) {
          await this.remove(cur);
        } else {
          await this.ctx.client.put(resourcePath(Resources.endpointslices, ns, cur.metadata.name), { ...cur, ...w, metadata: { ...cur.metadata, labels } });
          continue;
        }
      }
      await this.ctx.client.post(resourcePath(Resources.endpointslices, ns), {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${name}-`, namespace: ns, labels, ownerReferences: [ownerRefFor(svc, 'v1', 'Service')] },
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

export const newEndpointSliceController = (ctx: ControllerContext): Controller => new EndpointSliceController(ctx);
