// The pod status a kubelet reports (kubelet's generateAPIPodStatus / getPhase and the
// status package's condition generators): container states with Kubernetes' reasons, restart
// counts and last states (ephemeral containers' in their own list), the pod phase, and the
// conditions PodReadyToStartContainers, Initialized, ContainersReady, Ready and PodScheduled
// with their reasons and messages.
import type { KObject } from '../client/rest-client.js';
import type { ContainerStatus } from './runtime/types.js';

/** What the pod worker knows about one container of the spec. */
export interface ContainerRecord {
  name: string;
  init: boolean;
  /** An ephemeral container (`kubectl debug`): run once, never restarted, no part of the phase
   * or readiness; reported in status.ephemeralContainerStatuses. */
  ephemeral?: boolean;
  /** The current attempt's runtime id (undefined before the first create). */
  id?: string;
  /** The current attempt's runtime status (refreshed each sync). */
  status?: ContainerStatus;
  /** The previous attempt's final status (the API's lastState.terminated). */
  last?: ContainerStatus;
  restartCount: number;
  /** A waiting reason that overrides the state (CrashLoopBackOff, CreateContainerConfigError). */
  waiting?: { reason: string; message?: string };
  /** Probe results: started (startup probe), ready (readiness probe). */
  started: boolean;
  ready: boolean;
}

export interface PodView {
  sandboxReady: boolean;
  podIP?: string;
  hostIP: string;
  startTime: string;
  records: ContainerRecord[];
  /** A runtime name for containerID (e.g. "keelson-process"). */
  runtimeName: string;
  /** The pod's containers were stopped for good (it is being deleted): no restart will come. */
  terminal?: boolean;
}

/** A pod as the kubelet reads it (metadata and spec present). */
export type Pod = Record<string, any>;

export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function terminated(s: ContainerStatus, runtime: string): KObject {
  return {
    exitCode: s.exitCode,
    reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'),
    ...(s.message ? { message: s.message } : {}),
    startedAt: rfc3339(s.startedAt || s.finishedAt),
    finishedAt: rfc3339(s.finishedAt),
    containerID: `${runtime}://${s.id}`,
  };
}

/** One entry of status.containerStatuses / initContainerStatuses. */
export function containerStatus(rec: ContainerRecord, spec: KObject, runtime: string, initPending: boolean): KObject {
  const s = rec.status;
  let state: KObject;
  let lastState: KObject = rec.last ? { terminated: terminated(rec.last, runtime) } : {};
  if (rec.waiting) {
    state = { waiting: { reason: rec.waiting.reason, ...(rec.waiting.message ? { message: rec.waiting.message } : {}) } };
    if (s?.state === 'exited') lastState = { terminated: terminated(s, runtime) };
  } else if (s?.state === 'running') state = { running: { startedAt: rfc3339(s.startedAt) } };
  else if (s?.state === 'exited') state = { terminated: terminated(s, runtime) };
  else state = { waiting: { reason: !rec.init && initPending ? 'PodInitializing' : 'ContainerCreating' } };
  const running = s?.state === 'running' && !rec.waiting;
  return {
    name: rec.name,
    state,
    lastState,
    // A regular init container is ready once it completed (that is what Initialized checks).
    ready: rec.init ? s?.state === 'exited' && s.exitCode === 0 && !rec.waiting : running && rec.ready,
    restartCount: rec.restartCount,
    image: spec.image ?? '',
    imageID: s?.imageRef ?? '',
    ...(rec.id || s?.id ? { containerID: `${runtime}://${rec.id ?? s!.id}` } : {}),
    started: running && rec.started,
  };
}

/** A container status the pod reported (before a kubelet restart), as the exited runtime status
 * of a container that is not run again: its terminated state, or an unknown exit when it was
 * reported in another state (its process did not outlive the kubelet, or is not tracked). */
export function reportedAsExited(reported: KObject): ContainerStatus {
  const t = reported.state?.terminated;
  const id = String(t?.containerID ?? reported.containerID ?? '').replace(/^[^:]*:\/\//, '');
  const started = Date.parse(t?.startedAt ?? reported.state?.running?.startedAt ?? '') || 0;
  const finished = Date.parse(t?.finishedAt ?? '') || started;
  return { id, sandboxId: '', name: reported.name, attempt: reported.restartCount ?? 0, image: reported.image ?? '', state: 'exited', createdAt: started, startedAt: started, finishedAt: finished, exitCode: t?.exitCode ?? 128, reason: t?.reason ?? 'Unknown', message: t?.message ?? '', logPath: '' };
}

function exitedOk(r: ContainerRecord): boolean {
  return r.status?.state === 'exited' && r.status.exitCode === 0 && !r.waiting;
}

/** kubelet's getPhase: Pending, Running, Succeeded or Failed. */
export function podPhase(pod: KObject, view: PodView): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const inits = view.records.filter((r) => r.init);
  const mains = view.records.filter((r) => !r.init && !r.ephemeral);
  const initFailed = inits.some((r) => r.status?.state === 'exited' && r.status.exitCode !== 0 && !r.waiting);
  if (initFailed && policy === 'Never') return 'Failed';
  if (!inits.every(exitedOk)) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const r of mains) {
    const s = r.status;
    if (s?.state === 'running' && !r.waiting) running++;
    else if (s?.state === 'exited') {
      stopped++;
      if (s.exitCode === 0) succeeded++;
    } else if (r.last) {
      stopped++;
      if (r.last.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === mains.length) {
    // getPhase with podIsTerminal: a pod stopped for its deletion ends Succeeded or Failed,
    // whatever its restart policy.
    if (view.terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, prev: KObject[] | undefined, now: string, reason?: string, message?: string): KObject {
  const status = ok ? 'True' : 'False';
  const p = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: p && p.status === status && p.lastTransitionTime ? p.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

const owned = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']);

/** The whole status the kubelet owns, computed from the pod and what the worker saw. */
export function computePodStatus(pod: KObject, view: PodView, now = rfc3339(Date.now())): KObject {
  const prev: KObject = pod.status ?? {};
  const prevConds: KObject[] | undefined = prev.conditions;
  const phase = podPhase(pod, view);
  const specOf = (r: ContainerRecord) => [...(r.init ? (pod.spec?.initContainers ?? []) : r.ephemeral ? (pod.spec?.ephemeralContainers ?? []) : (pod.spec?.containers ?? []))].find((c: KObject) => c.name === r.name) ?? {};
  const initPending = view.records.some((r) => r.init && !exitedOk(r));
  const inits = view.records.filter((r) => r.init);
  const mains = view.records.filter((r) => !r.init && !r.ephemeral);
  const ephemerals = view.records.filter((r) => r.ephemeral);
  const incomplete = inits.filter((r) => !exitedOk(r)).map((r) => r.name);
  const unready = mains.filter((r) => !(r.status?.state === 'running' && !r.waiting && r.ready)).map((r) => r.name);
  const completed = phase === 'Succeeded';
  // status.generate.go: terminal phases give PodCompleted / PodFailed; a started regular
  // container means the pod was initialized.
  const terminalReason = completed ? 'PodCompleted' : phase === 'Failed' ? 'PodFailed' : undefined;
  const anyStarted = mains.some((r) => r.status?.startedAt || r.last);
  const ready = (type: string) =>
    terminalReason
      ? condition(type, false, prevConds, now, terminalReason)
      : unready.length === 0
        ? condition(type, true, prevConds, now)
        : condition(type, false, prevConds, now, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  const conds: KObject[] = [
    condition('PodReadyToStartContainers', view.sandboxReady, prevConds, now),
    completed
      ? condition('Initialized', true, prevConds, now, 'PodCompleted')
      : incomplete.length === 0 || anyStarted
        ? condition('Initialized', true, prevConds, now)
        : condition('Initialized', false, prevConds, now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    ready('ContainersReady'),
    ready('Ready'),
  ];
  const scheduled = prevConds?.find((c) => c.type === 'PodScheduled');
  conds.push(scheduled ?? condition('PodScheduled', true, undefined, now));
  for (const c of prevConds ?? []) if (!owned.has(c.type)) conds.push(c);
  const status: KObject = {
    phase,
    conditions: conds,
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    startTime: prev.startTime ?? view.startTime,
    qosClass: prev.qosClass ?? qosClass(pod),
    containerStatuses: mains.map((r) => containerStatus(r, specOf(r), view.runtimeName, initPending)),
  };
  if (inits.length) status.initContainerStatuses = inits.map((r) => containerStatus(r, specOf(r), view.runtimeName, false));
  // Ephemeral containers have no probes and never count as ready.
  if (ephemerals.length) status.ephemeralContainerStatuses = ephemerals.map((r) => ({ ...containerStatus(r, specOf(r), view.runtimeName, false), ready: false }));
  return status;
}

/** The pod's QoS class (v1 qos.GetPodQOS, for cpu and memory). */
export function qosClass(pod: KObject): string {
  const all: KObject[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Key-sorted JSON, to tell whether a computed status differs from the reported one. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}
