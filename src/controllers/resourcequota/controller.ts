// The resource quota controller: keeps every ResourceQuota's status — `hard` copied from the
// spec, `used` recalculated for each resource the quota limits — on changes to the objects it
// counts and on a full resync every --resource-quota-sync-period (5 min). Tracked:
//   pods, services, services.nodeports, services.loadbalancers, configmaps, secrets,
//   persistentvolumeclaims, replicationcontrollers, resourcequotas (object counts);
//   requests.cpu|memory|ephemeral-storage (and their bare names), limits.cpu|memory, over the
//   pods that are not terminal; requests.storage over claims; count/<resource>[.<group>] for any
//   resource, through the API;
// with the scopes Terminating, NotTerminating, BestEffort, NotBestEffort and PriorityClass
// (scopeSelector In/NotIn/Exists/DoesNotExist on priority class).
// Enforcement (refusing what would exceed a quota) is the ResourceQuota admission plugin's job.
import { addQuantities, formatQuantity, tryParseQuantity, zeroQuantity, type Quantity } from '../../api/quantity.js';
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { discoverResources } from '../../client/discovery.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';

const isTerminalPod = (p: K) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isBestEffort = (p: K) => [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].every((c: K) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length);

/** Whether the pod falls under every scope of the quota. */
export function podInScopes(quota: K, pod: K): boolean {
  for (const scope of quota.spec?.scopes ?? []) if (!matchScope(scope, pod)) return false;
  for (const req of quota.spec?.scopeSelector?.matchExpressions ?? []) {
    if (req.scopeName !== 'PriorityClass') {
      if (!matchScope(req.scopeName, pod)) return false;
      continue;
    }
    const pc = pod.spec?.priorityClassName;
    const ok = req.operator === 'In' ? req.values?.includes(pc) : req.operator === 'NotIn' ? !req.values?.includes(pc) : req.operator === 'Exists' ? !!pc : !pc;
    if (!ok) return false;
  }
  return true;
}

function matchScope(scope: string, pod: K): boolean {
  switch (scope) {
    case 'Terminating':
      return pod.spec?.activeDeadlineSeconds !== undefined;
    case 'NotTerminating':
      return pod.spec?.activeDeadlineSeconds === undefined;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    default:
      return true;
  }
}

/** Sum of one resource over a pod's containers (init containers: the max, as for scheduling). */
export function podAmount(pod: K, kind: 'requests' | 'limits', resource: string): Quantity {
  let sum = zeroQuantity;
  for (const c of pod.spec?.containers ?? []) {
    const q = tryParseQuantity(c.resources?.[kind]?.[resource] ?? (kind === 'requests' ? c.resources?.limits?.[resource] : undefined));
    if (q) sum = addQuantities(sum, q);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const q = tryParseQuantity(c.resources?.[kind]?.[resource]);
    if (q && q.nano > sum.nano) sum = q;
  }
  return sum;
}

export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  private readonly runner: QueueRunner;
  private readonly quotas: Informer;
  private readonly pods: Informer;
  private readonly counted: Record<string, Informer>;
  /** Informers started on demand for count/<resource>.<group> (Kubernetes' quota monitors). */
  private readonly monitors = new Map<string, Informer>();

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('resourcequota-controller', Number(ctx.options.concurrentResourceQuotaSyncs ?? 5), (k) => this.sync(k));
    this.quotas = ctx.informers.informerFor(Resources.resourcequotas);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.counted = {
      services: ctx.informers.informerFor(Resources.services),
      configmaps: ctx.informers.informerFor(Resources.configmaps),
      secrets: ctx.informers.informerFor(Resources.secrets),
      persistentvolumeclaims: ctx.informers.informerFor(Resources.persistentvolumeclaims),
      replicationcontrollers: ctx.informers.informerFor(Resources.replicationcontrollers),
    };
    const quota = (q: K) => this.runner.enqueue(nsKey(q));
    this.quotas.addEventHandler({ onAdd: quota, onUpdate: (o, q) => JSON.stringify(o.spec) !== JSON.stringify(q.spec) && quota(q) });
    const inNamespace = (o: K) => {
      for (const q of this.quotas.byIndex('namespace', o.metadata?.namespace ?? '')) this.runner.enqueue(nsKey(q));
    };
    for (const inf of [this.pods, ...Object.values(this.counted)]) inf.addEventHandler({ onAdd: inNamespace, onUpdate: (_o, n) => inNamespace(n), onDelete: inNamespace });
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = Number(this.ctx.options.resourceQuotaSyncPeriodMs ?? 300_000);
    const timer = setInterval(() => this.quotas.list().forEach((q) => this.runner.enqueue(nsKey(q))), period);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    await this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    const cached = this.quotas.get(key) as K | undefined;
    if (!cached) return;
    const quota = structuredClone(cached);
    const ns = quota.metadata.namespace;
    const hard: Record<string, string> = quota.spec?.hard ?? {};
    const pods = (this.pods.byIndex('namespace', ns) as K[]).filter((p) => !isTerminalPod(p) && podInScopes(quota, p));
    const used: Record<string, string> = {};
    for (const name of Object.keys(hard)) {
      const v = await this.usage(name, ns, pods);
      if (v !== undefined) used[name] = v;
    }
    const status = { hard: { ...hard }, used };
    if (JSON.stringify(status) === JSON.stringify(quota.status ?? {})) return;
    try {
      await this.ctx.client.put(resourcePath(Resources.resourcequotas, ns, quota.metadata.name, 'status'), { ...quota, status });
    } catch (e) {
      if (isConflict(e)) throw e;
      if (!isNotFound(e)) throw e;
    }
  }

  private count(resource: string, ns: string, filter: (o: K) => boolean = () => true): string {
    return String((this.counted[resource].byIndex('namespace', ns) as K[]).filter(filter).length);
  }

  /** The informer counting `resource.group`, started the first time a quota names it. */
  private async monitor(resource: string, group: string): Promise<Informer | undefined> {
    const id = `${resource}.${group}`;
    const have = this.monitors.get(id);
    if (have) return have;
    const res = (await discoverResources(this.ctx.client)).find((r) => r.resource === resource && r.group === group && r.namespaced && r.verbs.includes('watch'));
    if (!res) return undefined;
    const inf = this.ctx.informers.informerFor(res);
    const inNamespace = (o: K) => {
      for (const q of this.quotas.byIndex('namespace', o.metadata?.namespace ?? '')) this.runner.enqueue(nsKey(q));
    };
    inf.addEventHandler({ onAdd: inNamespace, onDelete: inNamespace });
    this.monitors.set(id, inf);
    return inf;
  }

  /** Current usage of one quota resource in a namespace, or undefined if not tracked. */
  private async usage(name: string, ns: string, pods: K[]): Promise<string | undefined> {
    const sum = (kind: 'requests' | 'limits', res: string) => formatQuantity(pods.reduce<Quantity>((acc, p) => addQuantities(acc, podAmount(p, kind, res)), zeroQuantity));
    switch (name) {
      case 'pods':
      case 'count/pods':
        return String(pods.length);
      case 'services':
      case 'count/services':
        return this.count('services', ns);
      case 'services.nodeports':
        return this.count('services', ns, (s) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer');
      case 'services.loadbalancers':
        return this.count('services', ns, (s) => s.spec?.type === 'LoadBalancer');
      case 'configmaps':
      case 'count/configmaps':
        return this.count('configmaps', ns);
      case 'secrets':
      case 'count/secrets':
        return this.count('secrets', ns);
      case 'persistentvolumeclaims':
      case 'count/persistentvolumeclaims':
        return this.count('persistentvolumeclaims', ns);
      case 'replicationcontrollers':
      case 'count/replicationcontrollers':
        return this.count('replicationcontrollers', ns);
      case 'resourcequotas':
      case 'count/resourcequotas':
        return String(this.quotas.byIndex('namespace', ns).length);
      case 'cpu':
      case 'requests.cpu':
        return sum('requests', 'cpu');
      case 'memory':
      case 'requests.memory':
        return sum('requests', 'memory');
      case 'ephemeral-storage':
      case 'requests.ephemeral-storage':
        return sum('requests', 'ephemeral-storage');
      case 'limits.cpu':
        return sum('limits', 'cpu');
      case 'limits.memory':
        return sum('limits', 'memory');
      case 'requests.storage':
        return formatQuantity(
          (this.counted.persistentvolumeclaims.byIndex("namespace", ns) as K[]).reduce<Quantity>((acc, c) => {
            const q = tryParseQuantity(c.spec?.resources?.requests?.storage);
            return q ? addQuantities(acc, q) : acc;
          }, zeroQuantity),
        );
    }
    const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
    if (m) {
      const inf = await this.monitor(m[1], m[2] ?? '');
      if (!inf) return undefined;
      await inf.synced;
      return String(inf.byIndex('namespace', ns).length);
    }
    return undefined;
  }
}

export const newResourceQuotaController = (ctx: ControllerContext): Controller => new ResourceQuotaController(ctx);
