// What an object uses of a ResourceQuota (kube's quota evaluators): object counts (the legacy
// names pods, services, configmaps, ... and count/<resource>[.<group>]), a pod's requests and
// limits (cpu, memory, ephemeral-storage; init containers as a floor), a claim's storage (also
// per storage class), a service's node ports and load balancers; and the pod constraint that
// containers name what a quota limits. Usage of a whole namespace for a quota whose status the
// controller has not filled yet is computed here too.
import { addQuantities, formatQuantity, tryParseQuantity, zeroQuantity, type Quantity } from '../../api/quantity.js';
import type { KObject } from '../registry/strategy.js';
import { podAmount, podInScopes } from '../../controllers/resourcequota/controller.js';

export type Usage = Map<string, Quantity>;

const one: Quantity = { nano: 1_000_000_000n, format: 'DecimalSI' };
const count = (n: number): Quantity => ({ nano: BigInt(n) * 1_000_000_000n, format: 'DecimalSI' });

/** Legacy object-count names per core resource. */
const legacyCounts: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

export const isTerminalPod = (p: KObject): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** The usage one object adds (group/resource as served). */
export function usageOf(group: string, resource: string, obj: KObject): Usage {
  const u: Usage = new Map();
  u.set(group ? `count/${resource}.${group}` : `count/${resource}`, one);
  if (group !== '') return u;
  if (legacyCounts[resource]) u.set(legacyCounts[resource], one);
  if (resource === 'pods') {
    if (isTerminalPod(obj)) return new Map();
    for (const res of ['cpu', 'memory', 'ephemeral-storage']) {
      const req = podAmount(obj, 'requests', res);
      if (req.nano !== 0n || hasAny(obj, 'requests', res)) {
        u.set(`requests.${res}`, req);
        u.set(res, req);
      }
      const lim = podAmount(obj, 'limits', res);
      if (lim.nano !== 0n || hasAny(obj, 'limits', res)) u.set(`limits.${res}`, lim);
    }
  } else if (resource === 'persistentvolumeclaims') {
    const storage = tryParseQuantity(obj.spec?.resources?.requests?.storage) ?? zeroQuantity;
    u.set('requests.storage', storage);
    const cls = obj.spec?.storageClassName;
    if (cls) {
      u.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, storage);
      u.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, one);
    }
  } else if (resource === 'services') {
    const type = obj.spec?.type;
    if (type === 'NodePort' || type === 'LoadBalancer') u.set('services.nodeports', count((obj.spec?.ports ?? []).length));
    if (type === 'LoadBalancer') u.set('services.loadbalancers', one);
  }
  return u;
}

function hasAny(pod: KObject, kind: 'requests' | 'limits', res: string): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.resources?.[kind]?.[res] !== undefined);
}

/** new - old, keeping only increases (kube charges no negative usage at admission). */
export function delta(next: Usage, prev: Usage | undefined): Usage {
  if (!prev) return next;
  const d: Usage = new Map();
  for (const [k, v] of next) {
    const diff = v.nano - (prev.get(k)?.nano ?? 0n);
    if (diff > 0n) d.set(k, { nano: diff, format: v.format });
  }
  return d;
}

/** Whether the quota applies to the object (scoped quotas only count pods). */
export function quotaMatches(quota: KObject, group: string, resource: string, obj: KObject): boolean {
  const scoped = (quota.spec?.scopes?.length ?? 0) > 0 || (quota.spec?.scopeSelector?.matchExpressions?.length ?? 0) > 0;
  if (!scoped) return true;
  return group === '' && resource === 'pods' && podInScopes(quota, obj);
}

const constrained = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** kube's pod evaluator Constraints: every container must state what the quota limits of cpu/memory. */
export function podConstraints(hard: string[], pod: KObject): string | undefined {
  const required = constrained.filter((r) => hard.includes(r));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const has = new Set<string>();
    for (const res of ['cpu', 'memory']) {
      if (c.resources?.requests?.[res] !== undefined) has.add(res).add(`requests.${res}`);
      if (c.resources?.limits?.[res] !== undefined) has.add(`limits.${res}`);
    }
    for (const r of required) if (!has.has(r)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c.name);
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ')}`;
}

/** Usage of one quota resource over a namespace's objects (for a quota whose status is not known yet). */
export function namespaceUsage(name: string, quota: KObject, objects: (resource: string, group: string) => KObject[]): Quantity | undefined {
  const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
  const legacy = Object.keys(legacyCounts).find((r) => legacyCounts[r] === name);
  const [resource, group] = m ? [m[1], m[2] ?? ''] : legacy ? [legacy, ''] : name.startsWith('services.') ? ['services', ''] : name.includes('storage') || name.includes('persistentvolumeclaims') ? ['persistentvolumeclaims', ''] : ['pods', ''];
  let items = objects(resource, group);
  if (resource === 'pods') items = items.filter((p) => !isTerminalPod(p) && podInScopes(quota, p));
  let sum = zeroQuantity;
  for (const o of items) {
    const v = usageOf(group, resource, o).get(name);
    if (v) sum = addQuantities(sum, v);
  }
  return sum;
}

/** `a=1,b=2`, sorted by name (kube's prettyPrint of a ResourceList). */
export function prettyPrint(list: Record<string, Quantity>): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(list[k])}`)
    .join(',');
}
