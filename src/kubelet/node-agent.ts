// One node's kubelet duties except watching pods: registration of the Node, the heartbeat Lease
// (renewed every renew interval, 10 s), the node status (computed every
// nodeStatusUpdateFrequency, written when it changed or every nodeStatusReportFrequency), and
// the pod workers of the pods bound to it (dispatched by the Kubelet, which owns the informer).
import { isAlreadyExists, type KObject, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { Logger } from '../util/log.js';
import { NodeLease } from './lease.js';
import { checkRuntime } from './runtime-readiness.js';
import { capacity, newNodeObject, nodeConditions, nodeStatusBody, type NodeConfig } from './node-status.js';
import { PodAdmitter } from './pod-admitter.js';
import { rfc3339, stableJson, type Pod } from './pod-status.js';
import { PodWorker, type PodView } from './pod-worker.js';
import { StaticPodManager } from './static-pod-manager.js';
import { isMirrorPod } from './static-pods.js';
import type { ContainerRuntime } from './runtime/types.js';

import type { KubeletDnsSettings } from '../dns/pod-dns-config.js';

export interface NodeAgentOptions {
  client: RestClient;
  /** A separate client for the Lease and node status (the kubelet's heartbeat client), so
   * heartbeats do not queue behind pod status writes. Defaults to `client`. */
  heartbeatClient?: RestClient;
  runtime: ContainerRuntime;
  node: NodeConfig;
  log: Logger;
  leaseDurationSeconds: number;
  leaseRenewIntervalMs: number;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Pod events (the single-node kubelet records them; simulated fleets do not, like kwok). */
  events?: EventRecorder;
  /** Delay of the first lease renewal / status check (spreads many nodes over the interval). */
  phaseMs?: number;
  /** --cluster-dns / --cluster-domain / --resolv-conf: what pods' resolv.conf is made from. */
  dns?: KubeletDnsSettings;
  /** --pod-manifest-path: static pods (run here, mirrored in the API); none when undefined. */
  podManifestPath?: string;
  /** --file-check-frequency (default 20 s). */
  fileCheckFrequencyMs?: number;
  /** While the node is not Ready after its registration (the runtime's network not configured
   * yet), how often the runtime is asked again, the status written as soon as it is Ready (the
   * kubelet's fast status update at start: 100 ms). */
  fastStatusUpdateMs?: number;
}

export class NodeAgent {
  readonly name: string;
  private nodeUid?: string;
  private conditions?: KObject[];
  private lastStatusJson = '';
  private lastReportAt = 0;
  private readonly lease: NodeLease;
  private readonly workers = new Map<string, PodWorker>();
  private readonly bySandbox = new Map<string, PodWorker>();
  private timers: NodeJS.Timeout[] = [];
  private readonly hb: RestClient;
  private readonly statics?: StaticPodManager;
  private readonly admitter: PodAdmitter;
  registered = false;

  constructor(private readonly o: NodeAgentOptions) {
    this.name = o.node.name;
    this.hb = o.heartbeatClient ?? o.client;
    this.lease = new NodeLease(this.hb, this.name, o.leaseDurationSeconds, () => this.nodeUid);
    o.runtime.onContainerEvent((sandboxId) => this.sandboxEvent(sandboxId));
    o.runtime.onStatusChange?.(() => {
      if (this.registered && !this.isReady()) void this.updateStatus(false);
    });
    let allocatable: Record<string, string> | undefined;
    this.admitter = new PodAdmitter({
      client: o.client,
      nodeName: this.name,
      allocatable: () => (allocatable ??= capacity(o.node)),
      events: o.events,
      log: o.log,
      retry: (pod) => this.podUpdated(pod),
    });
    // Without a manifest path a real node still deletes mirror pods left from an earlier run.
    if (o.podManifestPath || !o.node.simulated)
      this.statics = new StaticPodManager({
        dir: o.podManifestPath,
        nodeName: this.name,
        client: o.client,
        log: o.log,
        nodeUid: () => this.nodeUid,
        fileCheckFrequencyMs: o.fileCheckFrequencyMs,
        host: { run: (pod) => this.podUpdated(pod), stop: (uid) => this.workers.get(uid)?.remove(), running: (ns, name) => !!this.findPod(ns, name) },
      });
  }

  /** Start running the static pods of --pod-manifest-path (before registration: they do not
   * need the apiserver). */
  async startStaticPods(): Promise<void> {
    await this.statics?.start();
  }

  /** Create the Node (or adopt an existing one and refresh its status); then heartbeats begin. */
  async register(): Promise<void> {
    const notReady = await checkRuntime(this.o.runtime);
    const now = rfc3339(Date.now());
    const body = newNodeObject(this.o.node, now, notReady);
    let node: KObject;
    let created = false;
    try {
      node = await this.o.client.post(resourcePath(Resources.nodes), body);
      created = !!node.status?.conditions?.length;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // Keep labels we own up to date (the kubelet reconciles its well-known labels): read the
      // Node and patch only when one differs, so a restart with the same labels writes nothing.
      const path = resourcePath(Resources.nodes, undefined, this.name);
      node = await this.o.client.get(path);
      const labels: Record<string, string> = body.metadata!.labels ?? {};
      if (Object.entries(labels).some(([k, v]) => node.metadata?.labels?.[k] !== v)) node = await this.o.client.patch(path, { metadata: { labels } }, 'merge');
    }
    this.nodeUid = node.metadata?.uid;
    this.admitter.node = node;
    this.conditions = node.status?.conditions;
    this.registered = true;
    this.startEvents(created);
    this.statics?.nodeRegistered();
    // A created Node carries our status already; an adopted one gets it written now.
    if (created) {
      this.lastStatusJson = stableJson({ ...body.status, conditions: body.status!.conditions.map((c: KObject) => ({ ...c, lastHeartbeatTime: undefined })) });
      this.lastReportAt = Date.now();
    } else await this.updateStatus(true);
    await this.renewLease();
  }

  /** The node events a kubelet records as it starts (`kubectl describe node`): Starting, and on a
   * new Node the condition events of its first status. Like the kubelet's, they name the node
   * with its name as uid. */
  private startEvents(created: boolean): void {
    const ev = this.o.events;
    if (!ev) return;
    const ref = { apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, uid: this.name } };
    ev.event(ref, 'Normal', 'Starting', 'Starting kubelet.');
    if (!created) return;
    for (const reason of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) ev.event(ref, 'Normal', reason, `Node ${this.name} status is now: ${reason}`);
    ev.event(ref, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    if (this.conditions?.some((c: KObject) => c.type === 'Ready' && c.status === 'True')) ev.event(ref, 'Normal', 'NodeReady', `Node ${this.name} status is now: NodeReady`);
  }

  /** NodeReady / NodeNotReady when the Ready condition written changes (kubectl describe node). */
  private readyEvent(): void {
    const reason = this.isReady() ? 'NodeReady' : 'NodeNotReady';
    const ready = this.conditions?.find((c: KObject) => c.type === 'Ready');
    this.o.log.info({ node: this.name, reason: ready?.reason, message: ready?.message }, this.isReady() ? 'node is Ready' : 'node is not Ready');
    this.o.events?.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, uid: this.name } }, 'Normal', reason, `Node ${this.name} status is now: ${reason}`);
  }

  /** Start the heartbeat timers (after register). */
  startHeartbeats(): void {
    const phase = this.o.phaseMs ?? 0;
    // A tick is skipped while the previous one is still in flight (a slow apiserver must not
    // stack up renewals that then conflict with each other).
    const every = (ms: number, fn: () => Promise<void>) => {
      let busy = false;
      const tick = () => {
        if (busy) return;
        busy = true;
        void fn().finally(() => (busy = false));
      };
      const first = setTimeout(() => {
        tick();
        const t = setInterval(tick, ms);
        this.timers.push(t);
      }, phase % ms);
      this.timers.push(first);
    };
    every(this.o.leaseRenewIntervalMs, () => this.renewLease());
    every(this.o.nodeStatusUpdateFrequencyMs, () => this.updateStatus(false));
    if (!this.isReady()) this.fastStatusUpdate();
  }

  /** Whether the status last written (or found) has Ready True. */
  private isReady(): boolean {
    return !!this.conditions?.some((c: KObject) => c.type === 'Ready' && c.status === 'True');
  }

  /** Until the node is Ready: ask the runtime again every fastStatusUpdateMs and write the status
   * once it changes (the kubelet's fastStatusUpdateOnce), rather than at the next regular update
   * (10 s later). */
  private fastStatusUpdate(): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      if (this.isReady()) {
        clearInterval(t);
        return;
      }
      busy = true;
      void this.updateStatus(false).finally(() => (busy = false));
    }, this.o.fastStatusUpdateMs ?? 100);
    this.timers.push(t);
  }

  private async renewLease(): Promise<void> {
    try {
      await this.lease.renew();
    } catch (e) {
      this.o.log.warn({ node: this.name, err: (e as Error).message }, 'failed to renew node lease');
    }
  }

  /** Compute the status; write it when it changed or the report frequency elapsed. */
  async updateStatus(force: boolean): Promise<void> {
    const notReady = await checkRuntime(this.o.runtime);
    const now = rfc3339(Date.now());
    const conditions = nodeConditions(this.conditions, now, notReady);
    const status = nodeStatusBody(this.o.node, conditions);
    const withoutHeartbeat = stableJson({ ...status, conditions: conditions.map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
    if (!force && withoutHeartbeat === this.lastStatusJson && Date.now() - this.lastReportAt < this.o.nodeStatusReportFrequencyMs) return;
    try {
      this.admitter.node = await this.hb.patch(resourcePath(Resources.nodes, undefined, this.name, 'status'), { status }, 'merge');
      const wasReady = this.isReady();
      this.conditions = conditions;
      if (wasReady !== this.isReady()) this.readyEvent();
      this.lastStatusJson = withoutHeartbeat;
      this.lastReportAt = Date.now();
    } catch (e) {
      this.o.log.warn({ node: this.name, err: (e as Error).message }, 'failed to update node status');
    }
  }

  /** A pod bound to this node was added or changed. */
  podUpdated(pod: Pod): void {
    // Mirror pods stand for static pods in the API: never run, only kept in sync.
    if (isMirrorPod(pod)) return this.statics?.mirrorUpdated(pod);
    const uid = pod.metadata.uid;
    let w = this.workers.get(uid);
    if (!w) {
      // Static pods run without the apiserver and are not admitted against API pods here.
      if (!this.statics?.isStatic(uid) && !this.admitter.admit(pod, () => this.admittedPods())) return;
      w = new PodWorker(pod, {
        client: this.o.client,
        runtime: this.o.runtime,
        nodeName: this.name,
        hostIP: this.o.node.internalIP,
        rootDir: this.o.node.rootDir,
        log: this.o.log,
        backoffInitialMs: this.o.backoffInitialMs,
        backoffMaxMs: this.o.backoffMaxMs,
        events: this.o.events,
        dns: this.o.dns,
        statusTarget: this.statics?.isStatic(uid) ? () => this.statics!.statusTarget(uid) : undefined,
        onDone: (u) => {
          const worker = this.workers.get(u);
          this.workers.delete(u);
          for (const [sb, x] of this.bySandbox) if (x === worker) this.bySandbox.delete(sb);
          this.statics?.workerDone();
        },
      });
      this.workers.set(uid, w);
      w.update(pod);
      return;
    }
    w.update(pod);
  }

  podDeleted(pod: Pod): void {
    if (isMirrorPod(pod)) return this.statics?.mirrorDeleted(pod);
    this.admitter.forget(pod.metadata.uid);
    this.workers.get(pod.metadata.uid)?.remove();
  }

  /** A runtime event for a sandbox (a container exited): re-sync its pod. */
  sandboxEvent(sandboxId: string): boolean {
    let w = this.bySandbox.get(sandboxId);
    if (!w)
      for (const x of this.workers.values())
        if (x.sandbox === sandboxId) {
          this.bySandbox.set(sandboxId, (w = x));
          break;
        }
    w?.kick();
    return !!w;
  }

  /** The pod namespace/name this node runs (the newest, if recreated), for the kubelet server. */
  findPod(namespace: string, name: string): PodView | undefined {
    let found: PodView | undefined;
    for (const w of this.workers.values()) {
      const v = w.view();
      if (v.pod.metadata.namespace === namespace && v.pod.metadata.name === name) found = v;
    }
    return found;
  }

  /** The pods this node admitted that have not finished (what a new pod is admitted against). */
  private admittedPods(): KObject[] {
    const out: KObject[] = [];
    for (const w of this.workers.values()) {
      const p = w.view().pod;
      if (p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') out.push(p);
    }
    return out;
  }

  /** Every pod this node runs (the kubelet server's /stats/summary). */
  podViews(): PodView[] {
    return [...this.workers.values()].map((w) => w.view());
  }

  get podCount(): number {
    return this.workers.size;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.statics?.stop();
    await Promise.all([...this.workers.values()].map((w) => w.shutdown()));
    this.workers.clear();
  }
}
