// The HPA's replica count for one resource metric (kube's ReplicaCalculator,
// GetResourceReplicas / GetRawResourceReplicas): desired = ceil(current * usage / target) over
// the pods with metrics, nothing done within the tolerance (10%), and kube's rebalancing of pods
// without a usable metric: when scaling up, pods missing metrics and (for cpu) pods not yet
// ready count as using nothing; when scaling down, pods missing metrics count as using exactly
// their request (Utilization) or the target (AverageValue); a rebalanced ratio that crosses 1
// or falls within the tolerance keeps the current count. Divergence: kube decides cpu
// "unreadiness" with the pod's start time, its Ready transition and the metric window
// (--horizontal-pod-autoscaler-cpu-initialization-period); keelson treats a pod as unready for
// cpu while Pending or while its Ready condition is not True.
export interface PodSample {
  name: string;
  /** Running and Ready (Ready condition True). */
  ready: boolean;
  /** Pending (not started), deleted or Failed pods are handled as kube's groupPods does. */
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  deleted?: boolean;
  /** The pod's request of the resource in milli-units (sum over containers), if every container sets it. */
  requestMilli?: number;
  /** Usage in milli-units from metrics.k8s.io (undefined: no metric). */
  usageMilli?: number;
}

export interface ReplicaResult {
  replicas: number;
  /** Utilization in percent of the request (Utilization targets). */
  utilization?: number;
  /** Average usage per pod with metrics, milli-units. */
  averageMilli: number;
}

export class ReplicaCalcError extends Error {}

export interface CalcInput {
  currentReplicas: number;
  pods: PodSample[];
  resource: string;
  /** One of: averageUtilization (percent) or averageValueMilli. */
  targetUtilization?: number;
  targetAverageMilli?: number;
  tolerance: number;
}

export function resourceReplicas(i: CalcInput): ReplicaResult {
  if (!i.pods.length) throw new ReplicaCalcError('no pods returned by selector while calculating replica count');
  const usage = new Map<string, number>();
  const requests = new Map<string, number>();
  const missing: PodSample[] = [];
  const unready: PodSample[] = [];
  let readyCount = 0;
  for (const p of i.pods) {
    if (p.deleted || p.phase === 'Failed') continue; // ignored
    if (p.usageMilli === undefined) {
      missing.push(p);
      if (p.requestMilli !== undefined) requests.set(p.name, p.requestMilli);
      continue;
    }
    if (i.resource === 'cpu' && (p.phase === 'Pending' || !p.ready)) {
      unready.push(p);
      if (p.requestMilli !== undefined) requests.set(p.name, p.requestMilli);
      continue;
    }
    readyCount++;
    usage.set(p.name, p.usageMilli);
    if (i.targetUtilization !== undefined) {
      if (p.requestMilli === undefined) throw new ReplicaCalcError(`missing request for ${i.resource} in pod ${p.name}`);
      requests.set(p.name, p.requestMilli);
    }
  }
  if (!usage.size) throw new ReplicaCalcError(`did not receive metrics for targeted pods (pods might be unready)`);
  const ratioOf = (m: Map<string, number>): { ratio: number; utilization?: number; average: number } => {
    let total = 0;
    for (const v of m.values()) total += v;
    const average = total / m.size;
    if (i.targetUtilization !== undefined) {
      let req = 0;
      for (const k of m.keys()) req += requests.get(k) ?? 0;
      if (req <= 0) throw new ReplicaCalcError(`no metrics returned matched known pods`);
      const utilization = Math.trunc((total * 100) / req);
      return { ratio: utilization / i.targetUtilization, utilization, average };
    }
    return { ratio: average / i.targetAverageMilli!, average };
  };
  const first = ratioOf(usage);
  const result = (replicas: number): ReplicaResult => ({ replicas, utilization: first.utilization, averageMilli: Math.round(first.average) });
  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && !missing.length) {
    if (Math.abs(1 - first.ratio) <= i.tolerance) return result(i.currentReplicas);
    return result(Math.ceil(first.ratio * readyCount));
  }
  const rebalanced = new Map(usage);
  for (const p of missing) {
    if (first.ratio < 1) rebalanced.set(p.name, i.targetUtilization !== undefined ? (requests.get(p.name) ?? 0) : i.targetAverageMilli!);
    else rebalanced.set(p.name, 0);
  }
  if (scaleUpWithUnready) for (const p of unready) rebalanced.set(p.name, 0);
  const next = ratioOf(rebalanced).ratio;
  if (Math.abs(1 - next) <= i.tolerance || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) return result(i.currentReplicas);
  const replicas = Math.ceil(next * rebalanced.size);
  if ((next < 1 && replicas > i.currentReplicas) || (next > 1 && replicas < i.currentReplicas)) return result(i.currentReplicas);
  return result(replicas);
}
