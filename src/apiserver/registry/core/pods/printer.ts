// The pods table as Kubernetes' printPod: READY counts ready containers (restartable init
// containers included), STATUS is the phase refined by reasons (Init:x/y, Init:<reason>,
// CrashLoopBackOff, Completed, Terminating, SchedulingGated, NotReady...), RESTARTS adds
// "(<age> ago)" of the last restart.
import type { TableConvertor } from '../../strategy.js';
import { ageColumn, col, wide, table, age } from '../../printers/columns.js';
import { translateTimestampSince, parseTime } from '../../printers/duration.js';

const isRestartableInit = (c: any): boolean => c?.restartPolicy === 'Always';

export function podStatusCells(pod: any, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;
  let reason: string = st.phase ?? '';
  if (st.reason) reason = st.reason;
  for (const c of st.conditions ?? []) if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';

  const initContainers = new Map<string, any>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c?.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }
  const finishedAt = (cs: any): number => parseTime(cs?.lastState?.terminated?.finishedAt) ?? 0;

  let initializing = false;
  const initStatuses: any[] = st.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c?.restartCount ?? 0;
    if (c?.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
    const restartable = isRestartableInit(initContainers.get(c?.name));
    if (restartable) {
      restartableInitRestarts += c?.restartCount ?? 0;
      if (c?.lastState?.terminated) lastRestartableInitRestart = Math.max(lastRestartableInitRestart, finishedAt(c));
    }
    const term = c?.state?.terminated;
    const waiting = c?.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable && c?.started === true) {
      if (c?.ready) readyContainers++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else reason = 'Init:' + term.reason;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = 'Init:' + waiting.reason;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (st.conditions ?? []).some((c: any) => c?.type === 'Initialized' && c?.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const cs: any[] = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c?.restartCount ?? 0;
      if (c?.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
      const waiting = c?.state?.waiting;
      const term = c?.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term && !term.reason) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (c?.ready && c?.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (st.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const terminal = st.phase === 'Succeeded' || st.phase === 'Failed';
  if (pod.metadata?.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminal) reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsStr = `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`;
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsStr };
}

export const podTable: TableConvertor = table(
  [
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    wide('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    wide('Node', 'string', 'NodeName indicates in which node this pod is scheduled.'),
    wide('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.'),
    wide('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.'),
  ],
  (pod, now) => {
    const { ready, status, restarts } = podStatusCells(pod, now);
    const st = pod.status ?? {};
    const podIP = st.podIPs?.[0]?.ip || '<none>';
    const gates: any[] = pod.spec?.readinessGates ?? [];
    let readinessGates = '<none>';
    if (gates.length > 0) {
      let trueConditions = 0;
      for (const g of gates) {
        const c = (st.conditions ?? []).find((c: any) => c?.type === g?.conditionType);
        if (c?.status === 'True') trueConditions++;
      }
      readinessGates = `${trueConditions}/${gates.length}`;
    }
    return [ready, status, restarts, age(pod, now), podIP, pod.spec?.nodeName || '<none>', st.nominatedNodeName || '<none>', readinessGates];
  },
);
