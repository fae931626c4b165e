// Deployment status and conditions (Kubernetes' deployment sync.go / progress.go):
//   replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas,
//   observedGeneration, collisionCount;
//   Available       True MinimumReplicasAvailable / False MinimumReplicasUnavailable
//   Progressing     True NewReplicaSetCreated | FoundNewReplicaSet | ReplicaSetUpdated |
//                   NewReplicaSetAvailable; False ProgressDeadlineExceeded after
//                   progressDeadlineSeconds without progress.
import { k8sTime, type K } from '../pod-util.js';
import { replicasOf, surgeAndUnavailable } from './rollout.js';

function setCondition(conds: K[], c: K, now: string): K[] {
  const i = conds.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? conds[i] : undefined;
  const next = {
    ...c,
    lastUpdateTime: prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message ? prev.lastUpdateTime : now,
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now,
  };
  const out = conds.filter((x) => x.type !== c.type);
  out.push(next);
  return out.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
}

export function computeStatus(d: K, all: K[], newRS: K | undefined, nowMs: number): { status: K; requeueAfter?: number } {
  const now = k8sTime(nowMs);
  const want = d.spec?.replicas ?? 1;
  const sum = (f: (rs: K) => number) => all.reduce((s, rs) => s + f(rs), 0);
  const replicas = sum((rs) => rs.status?.replicas ?? 0);
  const available = sum((rs) => rs.status?.availableReplicas ?? 0);
  const status: K = {
    observedGeneration: d.metadata?.generation,
    replicas,
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, want - available),
    ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
  };
  for (const f of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (!status[f]) delete status[f];
  let conds: K[] = [...(d.status?.conditions ?? [])];
  const { maxUnavailable } = surgeAndUnavailable(d);
  const minAvailable = d.spec?.strategy?.type === 'Recreate' ? want : want - maxUnavailable;
  conds = setCondition(
    conds,
    available >= minAvailable
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    now,
  );
  let requeueAfter: number | undefined;
  if (newRS && !d.spec?.paused) {
    const name = newRS.metadata.name;
    const complete = (newRS.status?.replicas ?? 0) === want && replicasOf(newRS) === want && (newRS.status?.availableReplicas ?? 0) >= want && replicas === want;
    const prev = conds.find((c) => c.type === 'Progressing');
    const deadline = d.spec?.progressDeadlineSeconds ?? 600;
    const progressed = !prev || JSON.stringify(d.status?.updatedReplicas) !== JSON.stringify(status.updatedReplicas) || d.status?.availableReplicas !== status.availableReplicas || d.status?.replicas !== status.replicas;
    if (complete) conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }, now);
    else if (progressed || prev?.reason === 'NewReplicaSetAvailable') {
      const created = Date.parse(newRS.metadata?.creationTimestamp ?? '') || nowMs;
      const reason = nowMs - created < 2000 && !prev ? 'NewReplicaSetCreated' : 'ReplicaSetUpdated';
      const message = reason === 'NewReplicaSetCreated' ? `Created new replica set "${name}"` : `ReplicaSet "${name}" is progressing.`;
      conds = setCondition(conds, { type: 'Progressing', status: 'True', reason, message }, now);
      if (deadline < 2147483647) requeueAfter = deadline * 1000 + 1000;
    } else if (prev && prev.status === 'True' && deadline < 2147483647) {
      const last = Date.parse(prev.lastUpdateTime ?? '') || nowMs;
      if (nowMs - last > deadline * 1000)
        conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` }, now);
      else requeueAfter = last + deadline * 1000 - nowMs + 1000;
    }
  } else if (d.spec?.paused) {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, now);
  }
  status.conditions = conds;
  return { status, requeueAfter };
}

/** Whether a status write is needed (conditions compared without timestamps' noise). */
export function statusChanged(old: K, next: K): boolean {
  return JSON.stringify(normalize(old)) !== JSON.stringify(normalize(next));
}

function normalize(s: K): K {
  const c: K = { ...s, conditions: (s.conditions ?? []).map((x: K) => ({ type: x.type, status: x.status, reason: x.reason, message: x.message })) };
  for (const f of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) c[f] = c[f] ?? 0;
  return c;
}
