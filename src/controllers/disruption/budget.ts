// What a PodDisruptionBudget's status should say (the disruption controller's
// getExpectedPodCount, countHealthyPods, buildDisruptedPodMap and updatePdbStatus): the pods it
// selects, how many of them must stay healthy, how many are healthy now, and so how many may be
// disrupted. Pure: the controller gives it the pods and the scale of their controllers.
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import { controllerRef, isPodReady, k8sTime, type K } from '../pod-util.js';

/** How long a pod the eviction handler recorded in disruptedPods is expected to take to go
 * (DeletionTimeout): past it the controller counts the pod again. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export interface BudgetInput {
  pdb: K;
  /** Pods of the PDB's namespace. */
  pods: K[];
  /** The replica count of a pod's controller, or undefined when there is no such controller. */
  scaleOf(ref: K, namespace: string): number | undefined;
  now: number;
}

export interface BudgetResult {
  status: K;
  /** Pods without a controller under a percentage or maxUnavailable budget (an UnmanagedPods event). */
  unmanaged: string[];
  /** Set when the budget cannot be computed (the SyncFailed condition). */
  error?: string;
  /** When a disrupted pod's entry expires and the status should be computed again. */
  recheckAt?: number;
}

/** The pods a PDB selects: a missing selector selects none, an empty one all (policy/v1). */
export const podsForBudget = (pdb: K, pods: K[]): K[] => pods.filter((p) => p.metadata?.namespace === pdb.metadata?.namespace && matchesLabelSelector(pdb.spec?.selector, p.metadata?.labels));

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** The sum of the replica counts of the controllers of the pods (getExpectedScale). */
function expectedScale(input: BudgetInput, pods: K[]): { count: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const p of pods) {
    const ref = controllerRef(p);
    if (!ref) {
      unmanaged.push(p.metadata.name);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const n = input.scaleOf(ref, p.metadata.namespace);
    if (n === undefined) throw new Error(`found no controllers for pod "${p.metadata.name}"`);
    scales.set(ref.uid, n);
  }
  let count = 0;
  for (const n of scales.values()) count += n;
  return { count, unmanaged };
}

function disruptionAllowedCondition(prev: K[] | undefined, allowed: boolean, now: string, reason: string, message = '', generation?: number): K[] {
  const status = allowed ? 'True' : 'False';
  const old = (prev ?? []).find((c) => c.type === 'DisruptionAllowed');
  const cond: K = {
    type: 'DisruptionAllowed',
    status,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    reason,
    message,
  };
  return [...(prev ?? []).filter((c) => c.type !== 'DisruptionAllowed'), cond];
}

/** The whole status for the PDB now. */
export function computeBudget(input: BudgetInput): BudgetResult {
  const { pdb, now } = input;
  const pods = podsForBudget(pdb, input.pods);
  const prev: K = pdb.status ?? {};
  const generation = pdb.metadata?.generation;
  const nowStr = k8sTime(now);
  // Entries the eviction handler added: kept while their pod exists, is not yet deleting and
  // the timeout has not passed.
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries((prev.disruptedPods ?? {}) as Record<string, string>)) {
    const pod = pods.find((p) => p.metadata.name === name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(expires > now)) continue;
    disrupted[name] = at;
    recheckAt = Math.min(recheckAt ?? expires, expires);
  }
  let expectedCount = 0;
  let desiredHealthy = 0;
  let unmanaged: string[] = [];
  try {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable != null) {
      ({ count: expectedCount, unmanaged } = expectedScale(input, pods));
      desiredHealthy = Math.max(0, expectedCount - scaledValue(spec.maxUnavailable, expectedCount));
    } else if (spec.minAvailable != null) {
      if (typeof spec.minAvailable === 'number') {
        desiredHealthy = spec.minAvailable;
        expectedCount = pods.length;
      } else {
        ({ count: expectedCount, unmanaged } = expectedScale(input, pods));
        desiredHealthy = scaledValue(spec.minAvailable, expectedCount);
      }
    }
  } catch (e) {
    // failSafe: no disruption allowed while the budget cannot be computed.
    const message = (e as Error).message;
    return {
      status: { ...prev, observedGeneration: generation, disruptionsAllowed: 0, conditions: disruptionAllowedCondition(prev.conditions, false, nowStr, 'SyncFailed', message, generation) },
      unmanaged: [],
      error: message,
    };
  }
  let currentHealthy = 0;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp || disrupted[p.metadata.name]) continue;
    if (isPodReady(p)) currentHealthy++;
  }
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const status: K = {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
    conditions: disruptionAllowedCondition(prev.conditions, disruptionsAllowed > 0, nowStr, disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods', '', generation),
  };
  return { status, unmanaged, ...(recheckAt !== undefined ? { recheckAt } : {}) };
}
