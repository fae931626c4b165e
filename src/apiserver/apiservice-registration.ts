// Keeps one Local APIService per group version this apiserver serves, as kube-apiserver's
// autoregister and crdregistration controllers do: `v1.` for the core group, `v1.apps`,
// `v1beta1.metrics.k8s.io`, ... with kube's priorities (registry/apiregistration/apiservices/
// priorities.ts) and the kube-aggregator.kubernetes.io/automanaged label: "onstart" for built-in
// group versions (created at start, then left to the user), "true" for CRD group versions (created
// and deleted as CRDs come and go). Every APIService's Available condition is kept as
// apiservices/status.ts computes it (Local: True; pointing at a Service: False, no proxy).
import type { Resources } from './resources.js';
import type { KObject } from './registry/strategy.js';
import { builtinStrategies } from './registry/all.js';
import { newContext } from './registry/generic/context.js';
import { deleteObject } from './registry/generic/delete.js';
import { ApiError } from './status.js';
import { listObjects } from './admission/lookup.js';
import { availableCondition } from './registry/apiregistration/apiservices/status.js';
import { builtinPriority, crdPriority, otherPriority } from './registry/apiregistration/apiservices/priorities.js';
import { logger } from '../util/log.js';

const log = logger('apiservices');
export const automanagedLabel = 'kube-aggregator.kubernetes.io/automanaged';
const group = 'apiregistration.k8s.io';
const builtinGVs = new Set(builtinStrategies.map((s) => `${s.info.group}/${s.info.version}`));

/** The Local APIService of a served group version. */
export function localAPIService(g: string, v: string): KObject {
  const builtin = builtinGVs.has(`${g}/${v}`);
  const p = builtin ? builtinPriority(g, v) ?? otherPriority : crdPriority;
  return {
    apiVersion: `${group}/v1`,
    kind: 'APIService',
    metadata: { name: `${v}.${g}`, labels: { [automanagedLabel]: builtin ? 'onstart' : 'true' } },
    spec: { group: g, version: v, groupPriorityMinimum: p.group, versionPriority: p.version },
  };
}

const ignoreGone = (e: unknown) => {
  if (!(e instanceof ApiError && (e.reason === 'NotFound' || e.reason === 'AlreadyExists' || e.reason === 'Conflict'))) throw e;
};

export class APIServiceRegistration {
  private pending: Promise<void> | undefined;
  private again = false;
  private started = false;

  constructor(private resources: Resources) {}

  /** The first pass (built-ins created too) and, from then on, a pass after every change of the served resources. */
  async start(signal: AbortSignal): Promise<void> {
    this.resources.onChange(() => {
      if (!signal.aborted) this.schedule();
    });
    await this.sync(true);
    this.started = true;
  }

  /** Coalesce bursts of changes (a CRD adds several versions) into one pass at a time. */
  schedule(): Promise<void> {
    if (!this.started) return Promise.resolve();
    if (this.pending) {
      this.again = true;
      return this.pending;
    }
    this.pending = (async () => {
      do {
        this.again = false;
        await this.sync(false).catch((e) => log.warn({ err: e }, 'apiservices not synced'));
      } while (this.again);
      this.pending = undefined;
    })();
    return this.pending;
  }

  /** One reconciliation pass. */
  async sync(onStart: boolean): Promise<void> {
    const store = this.resources.storeFor(group, 'apiservices');
    if (!store) return;
    const want = new Map<string, KObject>();
    for (const g of this.resources.groups()) for (const v of this.resources.versions(g)) want.set(`${v}.${g}`, localAPIService(g, v));
    const existing = new Map((await listObjects(this.resources, [group, 'v1', 'apiservices'], '')).map((o) => [o.metadata!.name as string, o]));
    const ctx = newContext('');
    // Independent objects are written concurrently: the store commits them in a few batches.
    const writes: Array<Promise<unknown>> = [];
    for (const [name, obj] of want) {
      const cur = existing.get(name);
      const managed = obj.metadata!.labels[automanagedLabel];
      if (!cur) {
        if (managed === 'true' || onStart) writes.push(store.create(ctx, structuredClone(obj)).catch(ignoreGone));
      } else if (cur.metadata?.labels?.[automanagedLabel] === 'true' && JSON.stringify(cur.spec) !== JSON.stringify(obj.spec)) {
        writes.push(store.guaranteedUpdate(ctx, name, (o) => ({ ...o!, spec: obj.spec })).catch(ignoreGone));
      }
    }
    for (const [name, cur] of existing) {
      if (want.has(name) || cur.metadata?.labels?.[automanagedLabel] !== 'true') continue;
      writes.push(deleteObject(store, ctx, name, {}).catch(ignoreGone));
    }
    await Promise.all(writes);
    // The Available condition of every APIService (a user's too; new ones got it at create).
    const statusWrites: Array<Promise<unknown>> = [];
    for (const cur of await listObjects(this.resources, [group, 'v1', 'apiservices'], '')) {
      const c = availableCondition(cur, new Date());
      const old = (cur.status?.conditions ?? []).find((x: KObject) => x.type === 'Available');
      if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) continue;
      statusWrites.push(store
        .guaranteedUpdate(ctx, cur.metadata!.name, (o) => {
          const others = (o!.status?.conditions ?? []).filter((x: KObject) => x.type !== 'Available');
          return { ...o!, status: { ...(o!.status ?? {}), conditions: [...others, c] } };
        }, { subresource: 'status' })
        .catch(ignoreGone));
    }
    await Promise.all(statusWrites);
  }
}
