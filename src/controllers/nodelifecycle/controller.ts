// The node lifecycle controller: every --node-monitor-period (5 s) it checks each node's
// heartbeat — its Lease in kube-node-lease and its Ready condition — judged by when *this
// controller* last saw either change (so clock skew does not matter). A node silent for
// --node-monitor-grace-period (40 s) gets every condition set to Unknown ("Kubelet stopped
// posting node status.") and its pods marked not Ready. Nodes that are not Ready get the
// node.kubernetes.io/unreachable (Unknown) or node.kubernetes.io/not-ready (False) taints, NoSchedule
// at once and NoExecute at a zone-aware rate (--node-eviction-rate 0.1/s; in a zone with more than
// --unhealthy-zone-threshold (55%) unhealthy nodes --secondary-node-eviction-rate, or none in a
// cluster of at most --large-cluster-size-threshold nodes; nothing when every zone is down).
// The taint eviction controller then evicts pods that don't tolerate the NoExecute taints.
// Taints come off when the node is Ready again. The NoSchedule taint also follows the Ready
// condition as it changes, not only at the next pass (kube's doNoScheduleTaintingPass on node
// updates): a node the pass found NotReady at its start (its pod network not configured yet) and
// that turns Ready moments later takes pods at once, not up to a monitor period later.
// Divergence: a node created NotReady is not tainted on creation (kube's TaintNodesByCondition
// admission does that, keelson has no such plugin): a node that registers while its runtime's
// network is still being configured and is Ready ~0.2 s later is not left with a taint that makes
// the first pods wait out the scheduler's 1 s back-off.
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { BucketRateLimiter } from '../../client/rate-limiter.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { k8sTime, type K } from '../pod-util.js';
import { logger } from '../../util/log.js';
import { sleep } from '../../util/sleep.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

interface Health {
  probeAt: number; // when we last saw the heartbeat change
  leaseRenew?: string;
  readyHeartbeat?: string;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly health = new Map<string, Health>();
  private readonly zoneLimiters = new Map<string, { limiter: BucketRateLimiter<string>; qps: number }>();
  private readonly recorder: EventRecorder;
  private readonly log = logger('node-lifecycle-controller');
  private readonly periodMs: number;
  private readonly graceMs: number;
  private readonly noSchedule: QueueRunner;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.informerFor(Resources.nodes);
    this.leases = ctx.informers.informerFor(Resources.leases, { namespace: 'kube-node-lease' });
    this.pods = ctx.informers.informerFor(Resources.pods, {});
    this.recorder = ctx.recorder('node-controller');
    this.periodMs = Number(ctx.options.nodeMonitorPeriodMs ?? 5000);
    this.graceMs = Number(ctx.options.nodeMonitorGracePeriodMs ?? 40_000);
    this.noSchedule = new QueueRunner('node-lifecycle-noschedule', 1, (name) => this.syncNoSchedule(name));
    const readyOf = (n: K) => (n.status?.conditions ?? []).find((c: K) => c.type === 'Ready')?.status;
    this.nodes.addEventHandler({
      onUpdate: (o, n) => {
        if (readyOf(o) !== readyOf(n)) this.noSchedule.enqueue(n.metadata!.name!);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const noSchedule = this.noSchedule.run(signal);
    while (!signal.aborted) {
      try {
        await this.monitor();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'node health check failed');
      }
      await sleep(this.periodMs, signal);
    }
    await noSchedule;
  }

  /** The not-ready / unreachable NoSchedule taint of one node, as its Ready condition says now
   * (a node without one yet is left to the monitor's grace period; NoExecute taints too). */
  private async syncNoSchedule(name: string): Promise<void> {
    const node = this.nodes.get(name) as K | undefined;
    const ready = (node?.status?.conditions ?? []).find((c: K) => c.type === 'Ready');
    if (!node || !ready) return;
    const want = ready.status === 'True' ? undefined : ready.status === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const taints: K[] = node.spec?.taints ?? [];
    const stale = (t: K) => t.effect === 'NoSchedule' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY) && t.key !== want;
    const next = taints.filter((t) => !stale(t));
    if (want && !next.some((t) => t.key === want && t.effect === 'NoSchedule')) next.push({ key: want, effect: 'NoSchedule', timeAdded: k8sTime(this.ctx.now()) });
    if (next.length === taints.length && !taints.some(stale)) return;
    try {
      await this.ctx.client.patch(resourcePath(Resources.nodes, undefined, name), { spec: { taints: next.length ? next : null }, metadata: { resourceVersion: node.metadata.resourceVersion } }, 'merge');
    } catch (e) {
      // Gone: nothing to taint. A conflict: a newer version is on its way to the informer, and
      // the queue's retry reads it.
      if (!isNotFound(e)) throw e;
    }
  }

  /** One pass over every node (exported for tests through the class). */
  async monitor(): Promise<void> {
    const now = this.ctx.now();
    const nodes = this.nodes.list() as K[];
    const zones = new Map<string, { total: number; unhealthy: number }>();
    const verdicts: Array<{ node: K; ready: string }> = [];
    for (const cached of nodes) {
      const node = structuredClone(cached);
      const name = node.metadata.name;
      const ready = (node.status?.conditions ?? []).find((c: K) => c.type === 'Ready');
      const lease = this.leases.get(`kube-node-lease/${name}`) as K | undefined;
      let h = this.health.get(name);
      if (!h) this.health.set(name, (h = { probeAt: now, leaseRenew: lease?.spec?.renewTime, readyHeartbeat: ready?.lastHeartbeatTime }));
      if (lease?.spec?.renewTime !== h.leaseRenew || ready?.lastHeartbeatTime !== h.readyHeartbeat) {
        h.probeAt = now;
        h.leaseRenew = lease?.spec?.renewTime;
        h.readyHeartbeat = ready?.lastHeartbeatTime;
      }
      let readyStatus: string = ready?.status ?? 'Unknown';
      if (now - h.probeAt > this.graceMs && (readyStatus !== 'Unknown' || !ready)) {
        await this.markUnknown(node, now);
        readyStatus = 'Unknown';
      } else if (!ready) {
        // A new node that has not posted status yet: it gets the grace period before any verdict.
        continue;
      }
      const zone = node.metadata.labels?.[ZONE_LABEL] ?? '';
      const z = zones.get(zone) ?? { total: 0, unhealthy: 0 };
      z.total++;
      if (readyStatus !== 'True') z.unhealthy++;
      zones.set(zone, z);
      verdicts.push({ node, ready: readyStatus });
    }
    for (const name of this.health.keys()) if (!nodes.some((n) => n.metadata?.name === name)) this.health.delete(name);
    const allDown = zones.size > 0 && [...zones.values()].every((z) => z.unhealthy === z.total);
    for (const { node, ready } of verdicts) await this.reconcileTaints(node, ready, zones.get(node.metadata.labels?.[ZONE_LABEL] ?? '')!, allDown, nodes.length, now);
  }

  private async markUnknown(node: K, now: number): Promise<void> {
    const ts = k8sTime(now);
    const conditions = (node.status?.conditions ?? []).map((c: K) =>
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'].includes(c.type) && c.type !== 'NetworkUnavailable'
        ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts }
        : c,
    );
    if (!conditions.some((c: K) => c.type === 'Ready'))
      conditions.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: ts, lastTransitionTime: ts });
    try {
      await this.ctx.client.put(resourcePath(Resources.nodes, undefined, node.metadata.name, 'status'), { ...node, status: { ...node.status, conditions } });
      node.status = { ...node.status, conditions };
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
      await this.markPodsNotReady(node.metadata.name, now);
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }

  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    for (const p of this.pods.list() as K[]) {
      if (p.spec?.nodeName !== nodeName) continue;
      const conds: K[] = p.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conds.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: k8sTime(now) } : c));
      await this.ctx.client.patch(resourcePath(Resources.pods, p.metadata.namespace, p.metadata.name, 'status'), { status: { conditions: next } }, 'merge').catch(() => {});
    }
  }

  private limiterFor(zone: string, qps: number): BucketRateLimiter<string> {
    let z = this.zoneLimiters.get(zone);
    if (!z || z.qps !== qps) this.zoneLimiters.set(zone, (z = { limiter: new BucketRateLimiter<string>(qps, 1, { now: this.ctx.now }), qps }));
    return z.limiter;
  }

  private async reconcileTaints(node: K, ready: string, zone: { total: number; unhealthy: number }, allDown: boolean, clusterSize: number, now: number): Promise<void> {
    const taints: K[] = node.spec?.taints ?? [];
    const want = ready === 'True' ? undefined : ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const ours = (t: K) => t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY;
    let next = taints.filter((t) => !ours(t) || t.key === want);
    if (want) {
      if (!next.some((t) => t.key === want && t.effect === 'NoSchedule')) next.push({ key: want, effect: 'NoSchedule', timeAdded: k8sTime(now) });
      if (!next.some((t) => t.key === want && t.effect === 'NoExecute') && this.mayEvict(node, zone, allDown, clusterSize)) next.push({ key: want, effect: 'NoExecute', timeAdded: k8sTime(now) });
    }
    const key = (ts: K[]) => JSON.stringify(ts.map((t) => [t.key, t.effect]).sort());
    if (key(next) === key(taints)) return;
    next = next.map((t) => ({ ...t }));
    try {
      await this.ctx.client.patch(resourcePath(Resources.nodes, undefined, node.metadata.name), { spec: { taints: next.length ? next : null }, metadata: { resourceVersion: node.metadata.resourceVersion } }, 'merge');
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }

  /** Zone-aware eviction rate limiting (Kubernetes' zone states). */
  private mayEvict(node: K, zone: { total: number; unhealthy: number }, allDown: boolean, clusterSize: number): boolean {
    if (allDown) return false; // every zone down: more likely our own connectivity; evict nothing
    const threshold = Number(this.ctx.options.unhealthyZoneThreshold ?? 0.55);
    const large = Number(this.ctx.options.largeClusterSizeThreshold ?? 50);
    const partial = zone.unhealthy >= 3 && zone.unhealthy / zone.total >= threshold && zone.unhealthy < zone.total;
    const qps = partial ? (clusterSize <= large ? 0 : Number(this.ctx.options.secondaryNodeEvictionRate ?? 0.01)) : Number(this.ctx.options.nodeEvictionRate ?? 0.1);
    if (qps <= 0) return false;
    return this.limiterFor(node.metadata.labels?.[ZONE_LABEL] ?? '', qps).tryAccept();
  }
}

export const newNodeLifecycleController = (ctx: ControllerContext): Controller => new NodeLifecycleController(ctx);
