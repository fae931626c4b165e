// Which pods a controller deletes first when scaling down (Kubernetes' ActivePodsWithRanks):
// unassigned before assigned; Pending before Unknown before Running; not ready before ready;
// lower pod-deletion-cost first; pods sharing a node with more of their siblings first; ready
// for less time first; more restarts first; newer first.
import { isPodReady, podReadyCondition, type K } from '../pod-util.js';

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const cost = (p: K) => Number(p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
const restarts = (p: K) => (p.status?.containerStatuses ?? []).reduce((s: number, c: K) => s + (c.restartCount ?? 0), 0);
const time = (s: string | undefined) => Date.parse(s ?? '') || 0;

export function rankPodsForDeletion(pods: K[], allPods: K[]): K[] {
  const nodeCount = new Map<string, number>();
  const ownedUids = new Set(pods.map((p) => p.metadata?.uid));
  for (const p of allPods) if (ownedUids.has(p.metadata?.uid) && p.spec?.nodeName) nodeCount.set(p.spec.nodeName, (nodeCount.get(p.spec.nodeName) ?? 0) + 1);
  const key = (p: K) => [
    p.spec?.nodeName ? 1 : 0,
    phaseRank[p.status?.phase ?? 'Pending'] ?? 0,
    isPodReady(p) ? 1 : 0,
    cost(p),
    -(nodeCount.get(p.spec?.nodeName) ?? 0),
    -time(podReadyCondition(p)?.lastTransitionTime),
    -restarts(p),
    -time(p.metadata?.creationTimestamp),
  ];
  return [...pods].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
}
