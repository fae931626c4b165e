// ResourceQuota admission (kube's plugin of that name, a validating one that runs last). For a
// create (and an update that grows usage: claims' storage, services' ports) in a namespace with
// quotas, every quota that matches the object and limits something it uses is charged: the new
// usage (status.used + the object's) must stay within status.hard, else Forbidden with kube's
// `exceeded quota: q, requested: ..., used: ..., limited: ...`; pods must state requests/limits
// of the cpu/memory a quota limits (`failed quota: q: must specify ...`). The charge is written to
// the quota's status.used with a compare-and-swap on the stored quota, retried on conflict, so
// concurrent creates cannot together exceed it; the resourcequota controller later recounts.
// Divergences: a quota whose status the controller has not filled yet is counted here (kube
// refuses with `status unknown for quota`), so quotas work on an apiserver alone; admission runs
// before the kind's validation here, so an object refused as invalid afterwards stays charged
// until the controller recounts (kube charges after validation; a failed store write leaves the
// same transient over-count in both).
// Usage is charged again if a PATCH's update loop retries on a conflict (the controller
// recounts), as the admission chain runs inside that loop.
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { addQuantities, formatQuantity, tryParseQuantity, type Quantity } from '../../api/quantity.js';
import { newContext } from '../registry/generic/context.js';
import { admissionForbidden, listObjects, oldObjectOf } from './lookup.js';
import { delta, namespaceUsage, podConstraints, prettyPrint, quotaMatches, usageOf, type Usage } from './quota-usage.js';

const quotaGvr: [string, string, string] = ['', 'v1', 'resourcequotas'];

/** Resources whose usage changes on update (kube's evaluators that handle UPDATE). */
const updateCharged = new Set(['persistentvolumeclaims', 'services']);

function charged(a: AdmissionAttributes): boolean {
  if (!a.object || !a.info.namespace || a.info.subresource) return false;
  if (a.operation === 'CREATE') return true;
  return a.operation === 'UPDATE' && a.info.group === '' && updateCharged.has(a.info.resource);
}

export function resourceQuota(resources: Resources): AdmissionPlugin {
  /** The quota's used values, filling in what its status does not know yet. */
  async function usedOf(quota: KObject, names: string[]): Promise<Record<string, Quantity>> {
    const ns = quota.metadata!.namespace;
    const used: Record<string, Quantity> = {};
    const cache = new Map<string, KObject[]>();
    for (const n of names) {
      const known = tryParseQuantity(quota.status?.used?.[n]);
      if (known) {
        used[n] = known;
        continue;
      }
      const lists: Record<string, KObject[]> = {};
      for (const [resource, group] of [['pods', ''], ['services', ''], ['persistentvolumeclaims', ''], ['configmaps', ''], ['secrets', ''], ['replicationcontrollers', ''], ['resourcequotas', '']]) {
        if (!cache.has(resource)) cache.set(resource, await listObjects(resources, [group, 'v1', resource], ns));
        lists[resource] = cache.get(resource)!;
      }
      const m = /^count\/([^.]+)\.(.+)$/.exec(n);
      if (m) {
        const served = resources.versions(m[2]).map((v) => resources.lookup(m[2], v, m[1])).find(Boolean);
        lists[`${m[1]}.${m[2]}`] = served ? await listObjects(resources, [m[2], served.strategy.info.version, m[1]], ns) : [];
      }
      used[n] = namespaceUsage(n, quota, (r, g) => lists[g ? `${r}.${g}` : r] ?? []) ?? { nano: 0n, format: 'DecimalSI' };
    }
    return used;
  }

  /** Check one quota against the object's usage; returns the new used map or throws Forbidden. */
  async function evaluate(a: AdmissionAttributes, quota: KObject, use: Usage): Promise<Record<string, string> | undefined> {
    const hard: Record<string, unknown> = quota.status?.hard ?? quota.spec?.hard ?? {};
    const names = [...use.keys()].filter((k) => k in hard);
    if (!names.length) return undefined;
    const used = await usedOf(quota, names);
    const exceeded: string[] = [];
    const next: Record<string, string> = { ...(quota.status?.used ?? {}) };
    for (const n of names) {
      const h = tryParseQuantity(hard[n]);
      const total = addQuantities(used[n], use.get(n)!);
      if (h && total.nano > h.nano) exceeded.push(n);
      next[n] = formatQuantity(total);
    }
    if (exceeded.length) {
      const pick = (f: (n: string) => Quantity) => Object.fromEntries(exceeded.map((n) => [n, f(n)]));
      throw admissionForbidden(
        a,
        `exceeded quota: ${quota.metadata!.name}, requested: ${prettyPrint(pick((n) => use.get(n)!))}, used: ${prettyPrint(pick((n) => used[n]))}, limited: ${prettyPrint(pick((n) => tryParseQuantity(hard[n])!))}`,
      );
    }
    return next;
  }

  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (!charged(a)) return;
      const ns = a.info.namespace;
      const quotas = (await listObjects(resources, quotaGvr, ns)).filter((q) => quotaMatches(q, a.info.group, a.info.resource, a.object!));
      if (!quotas.length) return;
      const obj = a.object!;
      const isPod = a.info.group === '' && a.info.resource === 'pods';
      if (isPod)
        for (const q of quotas) {
          const why = podConstraints(Object.keys(q.status?.hard ?? q.spec?.hard ?? {}), obj);
          if (why) throw admissionForbidden(a, `failed quota: ${q.metadata!.name}: ${why}`);
        }
      const old = a.operation === 'UPDATE' ? await oldObjectOf(resources, a) : undefined;
      const use = delta(usageOf(a.info.group, a.info.resource, obj), old ? usageOf(a.info.group, a.info.resource, old) : undefined);
      if (!use.size) return;
      // First check every quota against the cached state (no write if any refuses) ...
      for (const q of quotas) await evaluate(a, q, use);
      if (a.ctx.dryRun) return;
      // ... then charge each with a compare-and-swap on the stored quota, re-checked on every try.
      const store = resources.storeFor('', 'resourcequotas')!;
      for (const q of quotas) {
        await store.guaranteedUpdate(
          newContext(ns),
          q.metadata!.name,
          async (current) => {
            if (!current) return q; // deleted meanwhile: nothing to charge (the write is a no-op below)
            const next = await evaluate(a, current, use);
            if (next) current.status = { ...(current.status ?? {}), hard: current.status?.hard ?? current.spec?.hard, used: next };
            return current;
          },
          { subresource: 'status' },
        ).catch((e) => {
          if ((e as { code?: number }).code === 404) return;
          throw e;
        });
      }
    },
  };
}
