// The Endpoints controller: for each Service with a selector, an Endpoints object of the same
// name listing the selected pods' IPs — ready ones in `addresses`, others in
// `notReadyAddresses` — grouped into subsets by their resolved ports. Terminating pods are left
// out (as Kubernetes does for Endpoints). Services without a selector are left to their owners.
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { k8sTime, nsKey, type K } from '../pod-util.js';
import { endpointEntries, portsKey } from './endpoint-set.js';
import { serviceKeysForPod } from './pod-services.js';

export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  private readonly runner: QueueRunner;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('endpoint-controller', Number(ctx.options.concurrentEndpointSyncs ?? 5), (k) => this.sync(k));
    this.services = ctx.informers.informerFor(Resources.services);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.endpoints = ctx.informers.informerFor(Resources.endpoints);
    const svc = (s: K) => this.runner.enqueue(nsKey(s));
    this.services.addEventHandler({ onAdd: svc, onUpdate: (_o, s) => svc(s), onDelete: svc });
    const pod = (old: K | undefined, p: K) => {
      for (const k of serviceKeysForPod(this.services, old, p)) this.runner.enqueue(k);
    };
    this.pods.addEventHandler({ onAdd: (p) => pod(undefined, p), onUpdate: (o, p) => pod(o, p), onDelete: (p) => pod(undefined, p) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(key) as K | undefined;
    const existing = this.endpoints.get(key) as K | undefined;
    if (!svc) {
      if (existing && existing.metadata?.labels?.['endpoints.kubernetes.io/managed-by'] !== 'external')
        await this.ctx.client.delete(resourcePath(Resources.endpoints, ns, name)).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      return;
    }
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const entries = endpointEntries(svc, this.pods.byIndex('namespace', ns) as K[]).filter((e) => !e.terminating);
    const groups = new Map<string, K>();
    for (const e of entries) {
      if (e.ports.length === 0 && (svc.spec.ports ?? []).length > 0) continue;
      const k = portsKey(e.ports);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { addresses: [], notReadyAddresses: [], ports: e.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })) }));
      const addr = { ip: e.ip, ...(e.pod.spec?.nodeName ? { nodeName: e.pod.spec.nodeName } : {}), targetRef: { kind: 'Pod', namespace: ns, name: e.pod.metadata.name, uid: e.pod.metadata.uid } };
      (e.ready ? g.addresses : g.notReadyAddresses).push(addr);
    }
    const subsets = [...groups.values()].map((g) => {
      if (!g.addresses.length) delete g.addresses;
      if (!g.notReadyAddresses.length) delete g.notReadyAddresses;
      return g;
    });
    const labels = { ...(svc.metadata?.labels ?? {}) };
    const body: K = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: ns, labels, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': k8sTime(this.ctx.now()) } },
      ...(subsets.length ? { subsets } : {}),
    };
    if (existing && JSON.stringify(existing.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(existing.metadata?.labels ?? {}) === JSON.stringify(labels)) return;
    try {
      if (existing) await this.ctx.client.put(resourcePath(Resources.endpoints, ns, name), { ...body, metadata: { ...existing.metadata, labels, annotations: { ...(existing.metadata?.annotations ?? {}), ...body.metadata.annotations } } });
      else await this.ctx.client.post(resourcePath(Resources.endpoints, ns), body);
    } catch (e) {
      if (isConflict(e) || isAlreadyExists(e)) throw e; // retried with fresh state
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newEndpointsController = (ctx: ControllerContext): Controller => new EndpointsController(ctx);
