// One worker per pod (kubelet's podWorkers + SyncPod): converges what runs to what the pod
// asks for, one sync at a time (a sync requested while one runs is coalesced into one more).
// A sync: volumes and the sandbox at once (the kubelet mounts first; a failed mount still
// starts no container), then init containers in order (each must exit 0), then all containers;
// exited containers restart per restartPolicy with the kubelet's back-off (first restart at
// once, then 10 s doubling to 5 min, reset after 10 min without restarts; CrashLoopBackOff while
// waiting); then the status is computed and written to pods/status when it changed. A pod with
// a deletionTimestamp is stopped (SIGTERM, grace period, SIGKILL) and then deleted for good
// with gracePeriodSeconds=0.
import { join } from 'node:path';
import { ApiError, isNotFound, type KObject, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { Logger } from '../util/log.js';
import { ConfigError, containerEnv, expand } from './env.js';
import { computePodStatus, reportedAsExited, rfc3339, stableJson, type ContainerRecord, type Pod } from './pod-status.js';
import { runHook } from './lifecycle.js';
import { ImagePuller, type PullPolicy } from './image-pull.js';
import { containerExtras, sandboxExtras } from './runtime-config.js';
import { ProbeWorker, type ProbeKind, type ProbeTarget } from './probes.js';
import type { ContainerRuntime, ContainerStatus } from './runtime/types.js';
import { podDnsConfig, type KubeletDnsSettings } from '../dns/pod-dns-config.js';
import { containerMounts, FailedMount, MountError, VolumeManager } from './volumes/volume-manager.js';
import { PodStartTrace } from './pod-start-trace.js';

/** The pod's DNS config (servers, searches, options) for its sandbox. */
function sandboxDns(pod: Pod, s: KubeletDnsSettings): { servers: string[]; searches: string[]; options: string[] } {
  const { servers, searches, options } = podDnsConfig(pod, s);
  return { servers, searches, options };
}

export interface PodWorkerDeps {
  client: RestClient;
  runtime: ContainerRuntime;
  nodeName: string;
  hostIP: string;
  rootDir: string;
  log: Logger;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Pod events (Created, Started, Killing, BackOff, Unhealthy, Failed); none when undefined. */
  events?: EventRecorder;
  /** Called once the pod is gone (deleted and cleaned up). */
  onDone(uid: string): void;
  /** The kubelet's DNS settings: the sandbox's resolv.conf as the kubelet computes it. */
  dns?: KubeletDnsSettings;
  /** A static pod's status goes to its mirror pod (undefined while there is none); API pods
   * write their own. */
  statusTarget?: () => { namespace: string; name: string; uid: string } | undefined;
}

interface Rec extends ContainerRecord {
  /** An init container that completed before a kubelet restart (from the pod's status). */
  adopted?: ContainerStatus;
  backoffMs?: number;
  backoffUpdatedAt?: number;
  probes: ProbeWorker[];
}

/** The shortest time between two refreshes of a running pod's API-backed volumes (the kubelet's
 * own propagation delay is its sync period, 1 min, plus its cache's). */
const VOLUME_REFRESH_MS = 10_000;

/** Go's time.Duration formatting for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** One container as the kubelet server sees it (logs, exec). */
export interface ContainerView {
  name: string;
  /** The current attempt's runtime id (undefined before the first create). */
  id?: string;
  logPath?: string;
  /** The previous attempt's log (logs --previous), when there was one. */
  previousLogPath?: string;
  /** A waiting reason (CrashLoopBackOff, CreateContainerConfigError) or ContainerCreating. */
  waiting?: string;
}

export interface PodView {
  pod: Pod;
  containers: ContainerView[];
}

export class PodWorker {
  private pod: Pod;
  private removed = false;
  private running = false;
  private dirty = false;
  private done = false;
  private timer?: NodeJS.Timeout;
  private timerAt = 0;
  private sandboxId?: string;
  private podIP?: string;
  private startTime?: string;
  private terminal = false;
  private readonly recs: Rec[] = [];
  /** Containers killed (137) whose status was read again for a late OOM event. */
  private readonly oomRechecked = new Set<string>();
  private lastWritten?: string;
  /** The conditions of the status we last wrote (the kubelet's status manager cache). */
  private lastConditions?: KObject[];
  /** The status last computed (the kubelet's status manager; /pods shows it). */
  private lastStatus?: KObject;
  private readonly log: Logger;
  private readonly puller: ImagePuller;
  /** Volumes set up for the pod (name -> node path); the simulated runtime has none. */
  private readonly volumes?: VolumeManager;
  private podVolumes?: Map<string, string>;
  private mountError?: string;
  /** The last FailedCreatePodSandBox message (one event per distinct failure). */
  private sandboxError?: string;
  /** When the volumes were last set up without error. */
  private volumesAt = 0;
  private readonly trace: PodStartTrace;

  constructor(
    pod: Pod,
    private readonly d: PodWorkerDeps,
  ) {
    this.pod = pod;
    this.log = d.log.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    this.trace = new PodStartTrace(this.log);
    this.puller = new ImagePuller(d.runtime, d.client, d.backoffInitialMs, d.backoffMaxMs, (type, reason, message) => this.event(type, reason, message));
    // The simulated runtime runs no processes: its pods need no volumes on disk.
    if (!d.runtime.probesAlwaysPass) this.volumes = new VolumeManager({ client: d.client, rootDir: d.rootDir, log: d.log });
    const prev = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const [init, list] of [
      [true, pod.spec.initContainers ?? []],
      [false, pod.spec.containers ?? []],
    ] as const)
      for (const c of list as KObject[])
        this.recs.push({ name: c.name, init, restartCount: prev.find((p) => p.name === c.name)?.restartCount ?? 0, started: false, ready: false, probes: [] });
    this.addEphemeral(pod);
    // Init containers that completed before a kubelet restart are not run again.
    for (const r of this.recs) {
      if (!r.init) continue;
      const t = (pod.status?.initContainerStatuses ?? []).find((s: KObject) => s.name === r.name)?.state?.terminated;
      if (t?.exitCode !== 0) continue;
      const id = String(t.containerID ?? '').replace(/^[^:]*:\/\//, '');
      r.adopted = { id, sandboxId: '', name: r.name, attempt: r.restartCount, image: '', state: 'exited', createdAt: Date.parse(t.startedAt), startedAt: Date.parse(t.startedAt), finishedAt: Date.parse(t.finishedAt), exitCode: 0, reason: t.reason ?? 'Completed', message: t.message ?? '', logPath: '' };
    }
    // A pod already finished (e.g. reported before a kubelet restart) is not started again.
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') this.terminal = true;
  }

  get uid(): string {
    return this.pod.metadata.uid;
  }
  get sandbox(): string | undefined {
    return this.sandboxId;
  }

  /** The pod and its containers for the kubelet server. */
  view(): PodView {
    return {
      pod: this.lastStatus ? { ...this.pod, status: this.lastStatus as Pod['status'] } : this.pod,
      containers: this.recs.map((r) => ({
        name: r.name,
        id: r.id,
        logPath: r.status?.logPath || undefined,
        previousLogPath: r.last?.logPath || undefined,
        waiting: r.waiting?.reason ?? (r.id ? undefined : 'ContainerCreating'),
      })),
    };
  }

  update(pod: Pod): void {
    this.pod = pod;
    this.addEphemeral(pod);
    this.kick();
  }

  /** Records for ephemeral containers added to the pod (`kubectl debug`); one that already ran
   * (reported before a kubelet restart) is not run again. */
  private addEphemeral(pod: Pod): void {
    for (const c of (pod.spec.ephemeralContainers ?? []) as KObject[]) {
      if (this.recs.some((r) => r.ephemeral && r.name === c.name)) continue;
      const r: Rec = { name: c.name, init: false, ephemeral: true, restartCount: 0, started: false, ready: false, probes: [] };
      const reported = (pod.status?.ephemeralContainerStatuses ?? []).find((s: KObject) => s.name === c.name);
      if (reported) r.adopted = reportedAsExited(reported);
      this.recs.push(r);
    }
  }
  /** The pod object is gone from the API: stop everything and finish. */
  remove(): void {
    this.removed = true;
    this.kick();
  }

  kick(): void {
    if (this.done) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    void this.loop();
  }

  private after(ms: number): void {
    const at = Date.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, ms);
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      do {
        this.dirty = false;
        try {
          await this.sync();
        } catch (e) {
          this.log.warn({ err: (e as Error).message }, 'pod sync failed, retrying');
          this.after(1000);
        }
      } while (this.dirty && !this.done);
    } finally {
      this.running = false;
    }
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.d.events?.event({ ...this.pod, apiVersion: 'v1', kind: 'Pod' }, type, reason, message);
  }

  /** The running state's startedAt the pod reported for this attempt (kubelet restart). */
  private previousStartedAt(r: Rec): number | undefined {
    const list: KObject[] = (r.init ? this.pod.status?.initContainerStatuses : this.pod.status?.containerStatuses) ?? [];
    const s = list.find((x) => x.name === r.name);
    const at = s?.restartCount === r.restartCount ? s?.state?.running?.startedAt : undefined;
    return at ? Date.parse(at) : undefined;
  }

  private spec(r: Rec): KObject {
    return ((r.init ? this.pod.spec.initContainers : r.ephemeral ? this.pod.spec.ephemeralContainers : this.pod.spec.containers) ?? []).find((c: KObject) => c.name === r.name) ?? {};
  }

  private async sync(): Promise<void> {
    const pod = this.pod;
    if (this.removed || pod.metadata.deletionTimestamp) return this.terminate();
    if (this.terminal) return;
    const rt = this.d.runtime;
    this.trace.mark('queued');
    // Volumes and the sandbox at once: the sandbox needs no volume, only the containers do, and
    // both wait on others (TokenRequest and configMap reads on the apiserver, CNI in the
    // runtime). The kubelet mounts first (WaitForAttachAndMount); when a mount fails the pod
    // reads as the kubelet's would (no sandbox ready, no IP) and no container starts. Volumes
    // are refreshed on every sync so configMap/secret/token changes reach running pods.
    this.startTime ??= rfc3339(Date.now());
    const [vols, sb] = await Promise.allSettled([this.setUpVolumes(pod), this.sandboxId ? undefined : this.runSandbox(pod)]);
    this.trace.mark(this.volumes ? 'volumes+sandbox' : 'sandbox');
    if (sb.status === 'rejected') throw sb.reason;
    if (vols.status === 'rejected') throw vols.reason;
    if (!vols.value) {
      await this.writeStatus(computePodStatus(this.basis(pod), { sandboxReady: false, podIP: undefined, hostIP: this.d.hostIP, startTime: this.startTime!, records: this.recs, runtimeName: rt.runtimeName }));
      return;
    }
    for (const r of this.recs) r.status = r.id ? await rt.containerStatus(r.id) : r.adopted;
    await this.recheckOomKills();
    const policy = pod.spec.restartPolicy ?? 'Always';
    let initsDone = true;
    for (const r of this.recs.filter((x) => x.init)) {
      const s = r.status;
      if (s?.state === 'exited' && s.exitCode === 0) continue;
      initsDone = false;
      if (!s) await this.start(r);
      else if (s.state === 'exited') {
        if (policy !== 'Never') await this.restart(r, s);
      }
      break;
    }
    if (initsDone)
      for (const r of this.recs.filter((x) => !x.init && !x.ephemeral)) {
        const s = r.status;
        if (!s && !r.waiting) await this.start(r);
        else if (!s && r.waiting) await this.start(r); // config error: retry
        else if (s?.state === 'exited') {
          if (policy === 'Always' || (policy === 'OnFailure' && s.exitCode !== 0)) await this.restart(r, s);
        }
      }
    // Ephemeral containers start even before the pod is initialized, once; never restarted.
    for (const r of this.recs) if (r.ephemeral && !r.id && !r.adopted) await this.start(r);
    for (const r of this.recs) if (r.id && !r.status) r.status = await rt.containerStatus(r.id);
    const view = { sandboxReady: true, podIP: this.podIP, hostIP: this.d.hostIP, startTime: this.startTime!, records: this.recs, runtimeName: rt.runtimeName };
    let status = computePodStatus(this.basis(pod), view);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      // A finished pod's sandbox is stopped (kubelet kills the sandbox of terminal pods).
      this.terminal = true;
      for (const r of this.recs) this.stopProbes(r);
      await rt.stopPodSandbox(this.sandboxId!);
      status = computePodStatus(this.basis(pod), { ...view, sandboxReady: false });
    }
    this.trace.mark('sync');
    await this.writeStatus(status);
    if (status.phase !== 'Pending') {
      this.trace.mark('statusWrite');
      this.trace.done();
    }
  }

  /** Sets up (or refreshes) the pod's volumes; false while a volume the containers need has
   * never been mounted (FailedMount, retried in 2 s). */
  private async setUpVolumes(pod: Pod): Promise<boolean> {
    if (!this.volumes) return true;
    const t0 = Date.now();
    // Syncs come in bursts at start (our own status write, the container's state change): the
    // kubelet reads configMaps and secrets from a watch-based cache, we read the apiserver, so a
    // refresh is skipped within VOLUME_REFRESH_MS of the last good one unless a token is due.
    const tokenDue = this.volumes.nextTokenRefresh(pod.metadata.uid);
    if (this.podVolumes && t0 - this.volumesAt < VOLUME_REFRESH_MS && !(tokenDue !== undefined && tokenDue <= t0)) return true;
    try {
      this.podVolumes = await this.volumes.setUp(pod);
      this.volumesAt = t0;
      this.trace.took('volumes', t0);
      this.mountError = undefined;
      if (this.volumes.hasApiVolumes(pod)) this.after(60_000);
      const token = this.volumes.nextTokenRefresh(pod.metadata.uid);
      if (token) this.after(Math.max(1000, token - Date.now()));
      return true;
    } catch (e) {
      if (!(e instanceof FailedMount)) throw e;
      if (this.mountError !== e.message) this.event('Warning', 'FailedMount', e.message);
      this.mountError = e.message;
      this.after(2000);
      // A refresh that fails leaves running containers with what they had.
      return !!this.podVolumes;
    }
  }

  /** RunPodSandbox for the pod: its id and IP (the node's for hostNetwork pods). */
  private async runSandbox(pod: Pod): Promise<void> {
    const t0 = Date.now();
    let sb;
    try {
      sb = await this.d.runtime.runPodSandbox({
        uid: pod.metadata.uid,
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        nodeName: this.d.nodeName,
        restartPolicy: pod.spec.restartPolicy ?? 'Always',
        hostNetwork: !!pod.spec.hostNetwork,
        logDirectory: join(this.d.rootDir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`),
        previousIP: pod.status?.podIP,
        ...sandboxExtras(pod),
        ...(this.d.dns ? { dns: sandboxDns(pod, this.d.dns) } : {}),
      });
    } catch (e) {
      // As the kubelet says it; the sync is retried (the pod stays ContainerCreating).
      const message = `Failed to create pod sandbox: ${(e as Error).message}`;
      if (this.sandboxError !== message) this.event('Warning', 'FailedCreatePodSandBox', message);
      this.sandboxError = message;
      throw e;
    }
    this.sandboxError = undefined;
    this.sandboxId = sb.id;
    this.podIP = pod.spec.hostNetwork ? this.d.hostIP : sb.ip;
    this.trace.took('sandbox', t0);
  }

  private async start(r: Rec): Promise<void> {
    const c = this.spec(r);
    const pod = this.pod;
    const rt = this.d.runtime;
    if (rt.ensureImage) {
      const failed = await this.puller.ensure(pod, c.image ?? '', (c.imagePullPolicy ?? 'IfNotPresent') as PullPolicy);
      this.trace.mark('image');
      if (failed) {
        r.waiting = { reason: failed.reason, message: failed.message };
        this.after(failed.retryInMs);
        return;
      }
    }
    let env: Array<{ name: string; value: string }>;
    try {
      env = await containerEnv({ client: this.d.client, pod, hostIP: this.d.hostIP, podIP: this.podIP }, c);
      this.trace.mark('env');
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (r.waiting?.message !== e.message) this.event('Warning', 'Failed', `Error: ${e.message}`);
      r.waiting = { reason: 'CreateContainerConfigError', message: e.message };
      this.after(2000);
      return;
    }
    r.waiting = undefined;
    const vars = new Map(env.map((e) => [e.name, e.value]));
    let mounts;
    try {
      mounts = this.podVolumes ? containerMounts(pod, c, this.podVolumes, vars) : undefined;
    } catch (e) {
      if (!(e instanceof MountError)) throw e;
      r.waiting = { reason: 'CreateContainerConfigError', message: e.message };
      this.after(2000);
      return;
    }
    const logPath = join(this.d.rootDir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`, r.name, `${r.restartCount}.log`);
    const cfg = {
      name: r.name,
      image: c.image ?? '',
      command: (c.command ?? []).map((s: string) => expand(s, vars)),
      args: (c.args ?? []).map((s: string) => expand(s, vars)),
      env,
      workingDir: c.workingDir,
      attempt: r.restartCount,
      logPath,
      init: r.init,
      previousStartedAt: this.previousStartedAt(r),
      mounts,
      ...containerExtras(pod, c),
      // `kubectl debug --target`: the ephemeral container joins the target's PID namespace.
      ...(r.ephemeral && c.targetContainerName ? { pidTargetId: this.recs.find((x) => !x.ephemeral && x.name === c.targetContainerName)?.id } : {}),
    };
    const id = await rt.createContainer(this.sandboxId!, cfg);
    this.trace.mark('create');
    this.event('Normal', 'Created', `Created container: ${r.name}`);
    r.id = id;
    r.started = !c.startupProbe;
    r.ready = !c.readinessProbe;
    try {
      await rt.startContainer(id);
    } catch (e) {
      this.log.warn({ container: r.name, err: (e as Error).message }, 'container failed to start');
    }
    this.trace.mark('start');
    r.status = await rt.containerStatus(id);
    this.trace.mark('containerStatus');
    const postStart = c.lifecycle?.postStart;
    if (postStart && r.status?.state === 'running' && !rt.probesAlwaysPass) {
      const err = await runHook(postStart, this.target(r, c), this.pod.spec.terminationGracePeriodSeconds ?? 30);
      if (err) {
        // As the kubelet does: a failed postStart hook kills the container (then restartPolicy).
        this.event('Warning', 'FailedPostStartHook', `PostStartHook failed: ${err}`);
        await rt.stopContainer(id, this.pod.spec.terminationGracePeriodSeconds ?? 30);
        r.status = await rt.containerStatus(id);
        return;
      }
    }
    if (r.status?.reason === 'ContainerCannotRun') this.event('Warning', 'Failed', `Error: ${r.status.message}`);
    else this.event('Normal', 'Started', `Started container ${r.name}`);
    this.startProbes(r, c);
  }

  /** containerd handles a container's OOM event apart from its exit, so a container the OOM killer
   * just killed may read Error (137) for a moment: such a status is read once more, shortly after,
   * before it is written (the kubelet's next sync would correct it; a finished pod has none). */
  private async recheckOomKills(): Promise<void> {
    const fresh = (r: Rec) => r.id && r.status?.state === 'exited' && r.status.exitCode === 137 && r.status.reason === 'Error' && !this.oomRechecked.has(r.id) && Date.now() - r.status.finishedAt < 2000;
    const killed = this.recs.filter(fresh);
    if (killed.length === 0) return;
    await new Promise((res) => setTimeout(res, 200));
    for (const r of killed) {
      this.oomRechecked.add(r.id!);
      r.status = (await this.d.runtime.containerStatus(r.id!)) ?? r.status;
    }
  }

  private async restart(r: Rec, s: ContainerStatus): Promise<void> {
    const now = Date.now();
    const key = `${r.name}`;
    if (r.backoffMs !== undefined && now - s.finishedAt < r.backoffMs) {
      const p = this.pod.metadata;
      if (r.waiting?.reason !== 'CrashLoopBackOff') this.event('Warning', 'BackOff', `Back-off restarting failed container ${key} in pod ${p.name}_${p.namespace}(${p.uid})`);
      r.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(r.backoffMs)} restarting failed container=${key} pod=${p.name}_${p.namespace}(${p.uid})` };
      this.after(s.finishedAt + r.backoffMs - now + 5);
      return;
    }
    if (r.backoffMs === undefined || now - (r.backoffUpdatedAt ?? 0) > 2 * this.d.backoffMaxMs) r.backoffMs = this.d.backoffInitialMs;
    else r.backoffMs = Math.min(r.backoffMs * 2, this.d.backoffMaxMs);
    r.backoffUpdatedAt = now;
    this.stopProbes(r);
    // Keep the previous attempt (for lastState and logs --previous), remove the one before.
    if (r.last) await this.d.runtime.removeContainer(r.last.id);
    r.last = s;
    r.waiting = undefined;
    r.restartCount++;
    await this.start(r);
  }

  private startProbes(r: Rec, c: KObject): void {
    if (this.d.runtime.probesAlwaysPass) {
      r.started = true;
      r.ready = true;
      return;
    }
    const target = this.target(r, c);
    const onFailure = (kind: ProbeKind, output: string) => this.event('Warning', 'Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${output}`);
    const onChange = (kind: ProbeKind, ok: boolean) => {
      if (kind === 'startup') {
        r.started = ok;
        if (ok) for (const p of r.probes) p.paused = false;
      } else if (kind === 'readiness') r.ready = ok;
      // A failed liveness probe, or a startup probe that never passed, restarts the container.
      if (kind !== 'readiness' && !ok && r.id) {
        this.log.info({ container: r.name, probe: kind }, 'probe failed, restarting container');
        this.event('Normal', 'Killing', `Container ${r.name} failed ${kind} probe, will be restarted`);
        const grace = this.pod.spec.terminationGracePeriodSeconds ?? 30;
        void this.d.runtime.stopContainer(r.id, grace).then(() => this.kick());
      }
      this.kick();
    };
    for (const [kind, probe] of [
      ['startup', c.startupProbe],
      ['readiness', c.readinessProbe],
      ['liveness', c.livenessProbe],
    ] as const) {
      if (!probe) continue;
      const w = new ProbeWorker(kind, probe, target, onChange, onFailure);
      w.paused = kind !== 'startup' && !!c.startupProbe;
      r.probes.push(w);
      w.start();
    }
  }

  private target(r: Rec, c: KObject): ProbeTarget {
    return { runtime: this.d.runtime, containerId: r.id!, container: c, podIP: this.podIP ?? this.d.hostIP, log: this.log };
  }

  /** preStop hook (bounded by the grace period), then SIGTERM with what is left of it. */
  private async stopWithHook(r: Rec, graceSeconds: number): Promise<void> {
    const rt = this.d.runtime;
    const c = this.spec(r);
    const started = Date.now();
    if (c.lifecycle?.preStop && !rt.probesAlwaysPass && (await rt.containerStatus(r.id!))?.state === 'running') {
      const err = await Promise.race([runHook(c.lifecycle.preStop, this.target(r, c), graceSeconds), new Promise<string>((res) => setTimeout(() => res('timed out'), graceSeconds * 1000).unref())]);
      if (err) this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${err}`);
    }
    const left = Math.max(graceSeconds > 0 ? 2 : 0, Math.ceil(graceSeconds - (Date.now() - started) / 1000));
    await rt.stopContainer(r.id!, left);
  }

  private stopProbes(r: Rec): void {
    for (const p of r.probes) p.stop();
    r.probes = [];
  }

  /** The pod with the conditions we last wrote over its own: a sync that runs before the
   * informer delivers our write keeps their lastTransitionTime (as the kubelet takes the old
   * status from its status manager), instead of writing the same status again with new times. */
  private basis(pod: Pod): Pod {
    const own = this.lastConditions;
    if (!own) return pod;
    const types = new Set(own.map((c) => c.type));
    return { ...pod, status: { ...pod.status, conditions: [...(pod.status?.conditions ?? []).filter((c: KObject) => !types.has(c.type)), ...own] } };
  }

  private async writeStatus(status: KObject): Promise<void> {
    const m = this.d.statusTarget ? this.d.statusTarget() : this.pod.metadata;
    if (!m) return;
    const json = `${m.uid} ${stableJson(status)}`;
    this.lastConditions = status.conditions;
    this.lastStatus = status;
    if (json === this.lastWritten) return;
    if (!this.d.statusTarget && json === `${m.uid} ${stableJson(this.pod.status ?? {})}`) {
      this.lastWritten = json;
      return;
    }
    try {
      await this.d.client.patch(resourcePath(Resources.pods, m.namespace, m.name, 'status'), { metadata: { uid: m.uid }, status }, 'merge');
      this.lastWritten = json;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Graceful stop of every container, then the final delete of the pod object. */
  private async terminate(): Promise<void> {
    const rt = this.d.runtime;
    const m = this.pod.metadata;
    const grace = Math.max(0, m.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30);
    for (const r of this.recs) this.stopProbes(r);
    for (const r of this.recs) if (r.id && r.status?.state === 'running' && !this.removed) this.event('Normal', 'Killing', `Stopping container ${r.name}`);
    await Promise.all(this.recs.filter((r) => r.id).map((r) => this.stopWithHook(r, grace)));
    if (!this.removed && !this.d.statusTarget) await this.writeFinalStatus();
    if (this.sandboxId) {
      await rt.stopPodSandbox(this.sandboxId);
      await rt.removePodSandbox(this.sandboxId);
      this.sandboxId = undefined;
    }
    this.volumes?.tearDown(m.uid);
    if (!this.removed) {
      try {
        await this.d.client.delete(resourcePath(Resources.pods, m.namespace, m.name), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: m.uid } });
      } catch (e) {
        // NotFound: already gone; Conflict: a new pod with the same name (uid precondition).
        if (!isNotFound(e) && !(e instanceof ApiError && e.code === 409)) throw e;
      }
    }
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.d.onDone(m.uid);
  }

  /** As the kubelet's status manager does before the final delete: the stopped containers'
   * terminated states, Ready=False and a terminal phase (Succeeded when every container exited
   * 0, else Failed), so watchers see how the pod ended (`kubectl get pods -w`: Completed/Error)
   * and the Job controller can match its failure policy. */
  private async writeFinalStatus(): Promise<void> {
    const rt = this.d.runtime;
    for (const r of this.recs) if (r.id) r.status = (await rt.containerStatus(r.id).catch(() => undefined)) ?? r.status;
    const view = { sandboxReady: false, podIP: this.podIP, hostIP: this.d.hostIP, startTime: this.startTime ?? rfc3339(Date.now()), records: this.recs, runtimeName: rt.runtimeName, terminal: true };
    await this.writeStatus(computePodStatus(this.basis(this.pod), view)).catch((e) => this.log.debug({ err: (e as Error).message }, 'final pod status not written'));
  }

  /** Stop everything at once (kubelet shutdown), unless the runtime's containers outlive the
   * kubelet (cri): then they keep running and the next kubelet adopts them. */
  async shutdown(): Promise<void> {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.recs) this.stopProbes(r);
    if (this.sandboxId && !this.d.runtime.outlivesKubelet) {
      await this.d.runtime.stopPodSandbox(this.sandboxId).catch(() => undefined);
      await this.d.runtime.removePodSandbox(this.sandboxId).catch(() => undefined);
    }
  }
}
