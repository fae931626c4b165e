// The namespace controller: when a namespace is being deleted, delete everything in it (every
// namespaced resource discovery lists, CRDs included), report progress in status conditions,
// and once nothing is left remove the `kubernetes` finalizer through /finalize so the apiserver
// can remove the namespace.
import { discoverResources } from '../../client/discovery.js';
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { k8sTime, type K } from '../pod-util.js';

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private readonly runner: QueueRunner;
  private readonly namespaces: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('namespace-controller', Number(ctx.options.concurrentNamespaceSyncs ?? 10), (k) => this.sync(k));
    this.namespaces = ctx.informers.informerFor(Resources.namespaces);
    const enqueue = (ns: K) => {
      if (ns.metadata?.deletionTimestamp) this.runner.enqueue(ns.metadata.name);
    };
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(name: string): Promise<{ requeueAfter?: number } | void> {
    const ns = this.namespaces.get(name) as K | undefined;
    if (!ns?.metadata?.deletionTimestamp) return;
    const resources = (await discoverResources(this.ctx.client)).filter((r) => r.namespaced && r.verbs.includes('list') && (r.verbs.includes('deletecollection') || r.verbs.includes('delete')));
    // events.k8s.io events share storage with core events: one of them is enough.
    const seen = new Set<string>();
    let remaining = 0;
    const left: string[] = [];
    for (const r of resources) {
      const id = `${r.kind}`;
      if (r.group === 'events.k8s.io' || seen.has(`${r.group}/${id}`)) continue;
      seen.add(`${r.group}/${id}`);
      const path = resourcePath(r, name);
      let list: K;
      try {
        list = await this.ctx.client.get(path);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      const items: K[] = list.items ?? [];
      if (items.length === 0) continue;
      remaining += items.length;
      left.push(`${r.resource}${r.group ? '.' + r.group : ''} has ${items.length} resource instances`);
      if (r.verbs.includes('deletecollection')) await this.ctx.client.delete(path, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }).catch(ignoreNotFound);
      else for (const it of items) if (!it.metadata?.deletionTimestamp) await this.ctx.client.delete(resourcePath(r, name, it.metadata.name)).catch(ignoreNotFound);
    }
    if (remaining > 0) {
      await this.setCondition(ns, 'NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${left.join(', ')}`);
      return { requeueAfter: 1000 };
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    try {
      await this.ctx.client.put(resourcePath(Resources.namespaces, undefined, name, 'finalize'), { ...ns, spec: { ...ns.spec, finalizers } });
    } catch (e) {
      if (isConflict(e)) return { requeueAfter: 100 };
      if (!isNotFound(e)) throw e;
    }
  }

  private async setCondition(ns: K, type: string, status: string, reason: string, message: string): Promise<void> {
    const conds: K[] = (ns.status?.conditions ?? []).filter((c: K) => c.type !== type);
    const prev = (ns.status?.conditions ?? []).find((c: K) => c.type === type);
    if (prev?.message === message) return;
    conds.push({ type, status, reason, message, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : k8sTime(this.ctx.now()) });
    await this.ctx.client.put(resourcePath(Resources.namespaces, undefined, ns.metadata.name, 'status'), { ...ns, status: { ...ns.status, conditions: conds } }).catch(() => {});
  }
}

function ignoreNotFound(e: unknown): void {
  if (!isNotFound(e)) throw e;
}

export const newNamespaceController = (ctx: ControllerContext): Controller => new NamespaceController(ctx);
