// keelson's scheduler: a client of the apiserver only. Informers feed the cache (nodes, bound
// pods) and the queue (pending pods whose schedulerName is one of our profiles); one scheduling
// cycle runs at a time (decide -> assume -> reserve -> permit), and binding runs asynchronously
// (preBind -> bind through pods/binding -> postBind) so the next cycle starts at once and already
// sees the assumed pod. Failures record a FailedScheduling event and the PodScheduled=False
// condition with Kubernetes' message, and park the pod until a cluster event may help.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { logger } from '../util/log.js';
import { registry as metricsRegistry, prom } from '../util/metrics.js';
import { EventRecorder } from '../client/event-recorder.js';
import { SharedInformerFactory, type Informer } from '../client/informer.js';
import { LeaderElector } from '../client/leader-election.js';
import { isNotFound, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { SchedulerCache } from './cache.js';
import { resolveProfile, type SchedulerConfig } from './config.js';
import { decide, fitErrorMessage } from './decide.js';
import { CycleState } from './framework/cycle-state.js';
import type { Handle } from './framework/interface.js';
import type { Listers } from './framework/listers.js';
import { podKey, type NodeInfo } from './framework/node-info.js';
import { Framework } from './framework/runtime.js';
import { Status } from './framework/status.js';
import { inTreeRegistry } from './plugins/registry.js';
import { Nominator } from './queue/nominator.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';

const metrics = {
  attempts: new prom.Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result.', labelNames: ['result', 'profile'], registers: [metricsRegistry] }),
  attemptDuration: new prom.Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
    labelNames: ['result', 'profile'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5],
    registers: [metricsRegistry],
  }),
  e2e: new prom.Histogram({
    name: 'scheduler_pod_scheduling_sli_duration_seconds',
    help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60],
    registers: [metricsRegistry],
  }),
  pending: new prom.Gauge({ name: 'scheduler_pending_pods', help: 'Number of pending pods, by the queue type.', labelNames: ['queue'], registers: [metricsRegistry] }),
};

export interface SchedulerOptions {
  client: RestClient;
  config?: SchedulerConfig;
  /** Leader election on the kube-system/kube-scheduler Lease (default true, as kube-scheduler). */
  leaderElect?: boolean;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  identity?: string;
}

const isTerminal = (pod: any) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly profiles = new Map<string, Framework>();
  readonly queue: SchedulingQueue;
  /** Pods nominated to nodes by preemption, waiting for their victims to go. */
  readonly nominator = new Nominator((p) => p.spec?.priority ?? 0);
  private readonly log = logger('scheduler');
  private readonly recorder: EventRecorder;
  private readonly informers: SharedInformerFactory;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly pdbs: Informer;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly csiNodes: Informer;
  private readonly namespaces: Informer;
  private readonly services: Informer;
  private readonly rcs: Informer;
  private readonly replicaSets: Informer;
  private readonly statefulSets: Informer;
  private nextStartNodeIndex = 0;
  private readonly handle: Handle;
  private readyResolve!: () => void;
  /** Resolves when informers have synced and the scheduler is leading (or not electing). */
  readonly ready: Promise<void> = new Promise((r) => (this.readyResolve = r));

  constructor(private readonly opts: SchedulerOptions) {
    const client = opts.client;
    this.recorder = new EventRecorder(client, { component: 'default-scheduler' });
    this.informers = new SharedInformerFactory(client);
    this.pods = this.informers.informerFor(Resources.pods);
    this.nodes = this.informers.informerFor(Resources.nodes);
    this.pdbs = this.informers.informerFor(Resources.poddisruptionbudgets);
    this.claims = this.informers.informerFor(Resources.persistentvolumeclaims);
    this.volumes = this.informers.informerFor(Resources.persistentvolumes);
    this.classes = this.informers.informerFor(Resources.storageclasses);
    this.csiNodes = this.informers.informerFor(Resources.csinodes);
    this.namespaces = this.informers.informerFor(Resources.namespaces);
    this.services = this.informers.informerFor(Resources.services);
    this.rcs = this.informers.informerFor(Resources.replicationcontrollers);
    this.replicaSets = this.informers.informerFor(Resources.replicasets);
    this.statefulSets = this.informers.informerFor(Resources.statefulsets);
    const handle = (this.handle = this.makeHandle());
    const profiles = opts.config?.profiles?.length ? opts.config.profiles : [{ schedulerName: 'default-scheduler' }];
    for (const p of profiles) this.profiles.set(p.schedulerName ?? 'default-scheduler', new Framework(resolveProfile(p, inTreeRegistry, handle), inTreeRegistry, handle));
    const first = [...this.profiles.values()][0];
    this.queue = new SchedulingQueue({
      less: (a, b) => first.less(a, b),
      initialBackoffMs: (opts.config?.podInitialBackoffSeconds ?? 1) * 1000,
      maxBackoffMs: (opts.config?.podMaxBackoffSeconds ?? 10) * 1000,
    });
    this.wireInformers();
  }

  private responsible(pod: any): boolean {
    return this.profiles.has(pod.spec?.schedulerName ?? 'default-scheduler');
  }

  private wireInformers(): void {
    const pending = (p: any) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp && !isTerminal(p) && this.responsible(p);
    this.pods.addEventHandler({
      onAdd: (p) => {
        if (p.spec?.nodeName) {
          if (!isTerminal(p)) this.cache.addPod(p);
        } else if (pending(p)) {
          if (p.status?.nominatedNodeName) this.nominator.set(p, p.status.nominatedNodeName);
          this.queue.add(p);
        }
      },
      onUpdate: (old, p) => {
        if (p.spec?.nodeName || !pending(p)) this.nominator.delete(podKey(p));
        else if (p.status?.nominatedNodeName || old.status?.nominatedNodeName) this.nominator.set(p, p.status?.nominatedNodeName);
        // Neither copy has a nomination: keep one made in memory whose status write is still on its way.
        else if (this.nominator.nominatedNode(podKey(p))) this.nominator.set(p, this.nominator.nominatedNode(podKey(p)));
        if (p.spec?.nodeName) {
          if (isTerminal(p)) {
            this.cache.removePod(p);
            this.queue.moveAllToActiveOrBackoff();
          } else this.cache.addPod(p);
          if (!old.spec?.nodeName) this.queue.delete(p);
        } else if (pending(p)) this.queue.update(old, p);
        else this.queue.delete(p);
      },
      onDelete: (p) => {
        this.nominator.delete(podKey(p));
        if (p.spec?.nodeName || this.cache.isScheduled(podKey(p))) {
          this.cache.removePod(p);
          this.queue.moveAllToActiveOrBackoff();
        } else this.queue.delete(p);
      },
    });
    this.nodes.addEventHandler({
      onAdd: (n) => {
        this.cache.setNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (_o, n) => {
        this.cache.setNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (n) => this.cache.removeNode(n.metadata?.name),
    });
    // Claims bound or created, volumes added or released, classes and CSINodes added: pods
    // waiting on the volume plugins may fit now (kube's PVC/PV/StorageClass/CSINode events).
    const volumeEvent = () => this.queue.moveAllToActiveOrBackoff();
    for (const inf of [this.claims, this.volumes, this.classes, this.csiNodes]) inf.addEventHandler({ onAdd: volumeEvent, onUpdate: volumeEvent });
  }

  private listers(): Listers {
    const inNs = (inf: Informer, ns: string) => inf.byIndex('namespace', ns);
    return {
      claim: (ns, name) => this.claims.get(`${ns}/${name}`),
      volume: (name) => this.volumes.get(name),
      volumes: () => this.volumes.list(),
      storageClass: (name) => this.classes.get(name),
      csiNode: (name) => this.csiNodes.get(name),
      namespace: (name) => this.namespaces.get(name),
      services: (ns) => inNs(this.services, ns),
      replicationControllers: (ns) => inNs(this.rcs, ns),
      replicaSets: (ns) => inNs(this.replicaSets, ns),
      statefulSets: (ns) => inNs(this.statefulSets, ns),
    };
  }

  private makeHandle(): Handle {
    const client = this.opts.client;
    return {
      nodes: () => this.cache.nodeInfos(),
      imageNodeCount: (img) => this.cache.imageNodeCount(img),
      affinityTotals: () => this.cache.affinityTotals,
      node: (name) => this.cache.node(name),
      bindPod: async (pod, nodeName) => {
        await client.post(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name, 'binding'), {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        });
      },
      deletePod: async (pod, reason) => {
        this.recorder.event(pod, 'Normal', 'Preempted', reason);
        // As kube: the victim first says why it goes (the DisruptionTarget condition), then goes.
        const condition = {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'PreemptionByScheduler',
          message: `${pod.spec?.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod`,
          lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        };
        await client.patch(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name, 'status'), { status: { conditions: [condition] } }, 'strategic').catch((e) => {
          if (!isNotFound(e)) this.log.warn({ err: (e as Error).message, pod: podKey(pod) }, 'could not set the DisruptionTarget condition');
        });
        await client.delete(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata.uid } }).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      },
      nominate: async (pod, nodeName) => {
        await client.patch(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name, 'status'), { status: { nominatedNodeName: nodeName || null } }, 'merge');
      },
      pdbs: () => this.pdbs.list(),
      nominatedPods: (nodeName) => this.nominator.podsOn(nodeName).map((pi) => pi.pod),
      listers: this.listers(),
      updateVolume: (pv) => client.put(resourcePath(Resources.persistentvolumes, undefined, pv.metadata.name), pv),
      updateClaim: (pvc) => client.put(resourcePath(Resources.persistentvolumeclaims, pvc.metadata.namespace, pvc.metadata.name), pvc),
      priorityOf: (pod) => pod.spec?.priority ?? 0,
      filterDryRun: (pod, node: NodeInfo, all: NodeInfo[]) => {
        const fw = this.profiles.get(pod.spec?.schedulerName ?? 'default-scheduler')!;
        const st = new CycleState();
        const pre = fw.runPreFilter(st, pod, all);
        if (!pre.status.isSuccess()) return pre.status;
        if (pre.result?.nodeNames && !pre.result.nodeNames.has(node.name)) return Status.unresolvable('prefilter');
        return fw.runFilterWithNominatedPods(st, pod, node, this.nominator.podsFor(node.name, pod), all);
      },
    };
  }

  /** Run until the signal aborts: informers always, scheduling only while leading. */
  async start(signal: AbortSignal): Promise<void> {
    this.informers.start(signal);
    await this.informers.waitForSync();
    const gauge = setInterval(() => {
      const d = this.queue.depths();
      metrics.pending.set({ queue: 'active' }, d.active);
      metrics.pending.set({ queue: 'backoff' }, d.backoff);
      metrics.pending.set({ queue: 'unschedulable' }, d.unschedulable);
      for (const key of this.cache.expireAssumed()) this.log.warn({ pod: key }, 'assumed pod expired without a confirmed binding');
    }, 1000);
    signal.addEventListener('abort', () => {
      clearInterval(gauge);
      this.queue.close();
    });
    if (this.opts.leaderElect === false) {
      this.readyResolve();
      await this.loop(signal);
      return;
    }
    const elector = new LeaderElector(this.opts.client, {
      name: this.opts.config?.leaderElection?.resourceName ?? 'kube-scheduler',
      namespace: this.opts.config?.leaderElection?.resourceNamespace ?? 'kube-system',
      identity: this.opts.identity ?? `${hostname()}_${randomUUID()}`,
      leaseDurationMs: this.opts.leaseDurationMs,
      renewDeadlineMs: this.opts.renewDeadlineMs,
      retryPeriodMs: this.opts.retryPeriodMs,
      onStartedLeading: (leading) => {
        this.readyResolve();
        void this.loop(leading);
      },
      onStoppedLeading: () => this.log.warn('lost leadership: scheduling stops'),
    });
    await elector.run(signal);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const q = await this.queue.pop();
      if (!q || signal.aborted) return;
      try {
        await this.scheduleOne(q);
      } catch (e) {
        this.log.error({ err: (e as Error).message, pod: q.key }, 'scheduling cycle failed');
        this.queue.addBackoff(q);
      }
    }
  }

  private async scheduleOne(q: import('./framework/interface.js').QueuedPodInfo): Promise<void> {
    const pod = this.pods.get(q.key) ?? q.pod;
    if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp || this.cache.isScheduled(q.key)) {
      this.queue.done(q.key);
      return;
    }
    const profileName = pod.spec?.schedulerName ?? 'default-scheduler';
    const fw = this.profiles.get(profileName)!;
    const started = performance.now();
    const cycle = this.queue.schedulingCycle;
    const nodes = this.cache.nodeInfos();
    const d = decide(fw, pod, nodes, {
      startIndex: this.nextStartNodeIndex,
      percentageOfNodesToScore: this.opts.config?.percentageOfNodesToScore,
      nominated: this.nominator.size ? (n) => this.nominator.podsFor(n, pod) : undefined,
    });
    if (nodes.length) this.nextStartNodeIndex = (this.nextStartNodeIndex + d.evaluated) % nodes.length;
    if (!d.node) {
      let post: string | undefined;
      let nominated: string | undefined;
      if (fw.postFilterPlugins.length && (!d.preFilterStatus || d.preFilterStatus.isRejected())) {
        const r = await fw.runPostFilter(d.state, pod, d.rejected);
        if (r.status.isSuccess()) nominated = r.nominatedNodeName;
        else {
          post = r.status.message() || undefined;
          // Preemption found nothing anywhere: an old nomination no longer holds.
          if (r.nominatedNodeName === '' && pod.status?.nominatedNodeName) nominated = '';
        }
        if (nominated !== undefined) this.nominator.set({ ...pod, status: { ...pod.status, nominatedNodeName: nominated } }, nominated);
      }
      const message = fitErrorMessage(d, post);
      metrics.attempts.inc({ result: 'unschedulable', profile: profileName });
      metrics.attemptDuration.observe({ result: 'unschedulable', profile: profileName }, (performance.now() - started) / 1000);
      this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
      await this.setUnschedulable(pod, message, nominated);
      this.queue.addUnschedulable(q, cycle);
      return;
    }
    const nodeName = d.node;
    this.cache.assume(pod, nodeName);
    this.nominator.delete(q.key);
    const reserve = fw.runReserve(d.state, pod, nodeName);
    const permit = reserve.isSuccess() ? fw.runPermit(d.state, pod, nodeName) : reserve;
    if (!permit.isSuccess()) {
      fw.runUnreserve(d.state, pod, nodeName);
      this.cache.forget(pod);
      this.queue.addBackoff(q);
      return;
    }
    // Binding cycle, asynchronously.
    void (async () => {
      const pre = await fw.runPreBind(d.state, pod, nodeName);
      const bound = pre.isSuccess() ? await fw.runBind(d.state, pod, nodeName) : pre;
      if (!bound.isSuccess()) {
        metrics.attempts.inc({ result: 'error', profile: profileName });
        fw.runUnreserve(d.state, pod, nodeName);
        this.cache.forget(pod);
        this.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${bound.message()}`);
        this.queue.addBackoff(q);
        return;
      }
      this.cache.finishBinding(pod);
      this.queue.done(q.key);
      fw.runPostBind(d.state, pod, nodeName);
      metrics.attempts.inc({ result: 'scheduled', profile: profileName });
      metrics.attemptDuration.observe({ result: 'scheduled', profile: profileName }, (performance.now() - started) / 1000);
      metrics.e2e.observe((Date.now() - q.initialAttemptTimestamp) / 1000);
      this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`);
      // Bound elsewhere than its nomination: the nomination is stale.
      const stale = pod.status?.nominatedNodeName;
      if (stale && stale !== nodeName) await this.handle.nominate(pod, '').catch((e) => this.log.warn({ err: (e as Error).message }, 'could not clear nominatedNodeName'));
    })();
  }

  private async setUnschedulable(pod: any, message: string, nominated?: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions = [...(pod.status?.conditions ?? [])];
    const i = conditions.findIndex((c: any) => c.type === 'PodScheduled');
    const prev = i >= 0 ? conditions[i] : undefined;
    const cond = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: prev?.status === 'False' ? prev.lastTransitionTime : now,
    };
    if (prev && prev.status === cond.status && prev.reason === cond.reason && prev.message === cond.message && nominated === undefined) return;
    if (i >= 0) conditions[i] = cond;
    else conditions.push(cond);
    const status: Record<string, unknown> = { conditions };
    if (nominated !== undefined) status.nominatedNodeName = nominated || null;
    try {
      await this.opts.client.patch(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name, 'status'), { status }, 'merge');
    } catch (e) {
      if (!isNotFound(e)) this.log.warn({ err: (e as Error).message }, 'could not update PodScheduled condition');
    }
  }

  /** Wait for queued event writes (tests). */
  flushEvents(): Promise<unknown> {
    return this.recorder.flush();
  }
}
