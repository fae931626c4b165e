// PodTopologySpread (PreFilter, Filter, PreScore, Score): spread matching pods evenly over
// topology domains (zones, hosts). DoNotSchedule constraints are filters: placing the pod must
// not make the skew (domain count - smallest domain count) exceed maxSkew. ScheduleAnyway
// constraints score: fewer matching pods in the node's domain scores higher. Pods without
// constraints that a Service/RC/ReplicaSet/StatefulSet selects get the default constraints
// (constraints.ts): kube's system defaults unless the args say defaultingType: List. With system
// defaults, nodes lacking a topology key still score on the keys they have (as kube).
// Partial: nominated pods are not added to this plugin's PreFilter counts (kube's AddPod
// extension), so the nominated-pods pass sees their resources but not their spreading.
import type { CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type FilterPlugin, type Handle, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { matchesLabelSelector } from '../../../api/selectors/selector-objects.js';
import { nodeMatchesPod } from '../node-affinity/index.js';
import { findUntoleratedTaint } from '../taint-toleration/tolerations.js';
import { constraintsOf, defaultConstraintsOf, type Constraint } from './constraints.js';

export const name = 'PodTopologySpread';
export const reason = "node(s) didn't match pod topology spread constraints";
export const reasonMissingLabel = "node(s) didn't match pod topology spread constraints (missing required label)";

// Matching pods per node, remembered per (namespace, selector) until the node's pods change
// (NodeInfo.generation): each cycle recounts only the nodes that changed since the last one.
function matchingPods(n: NodeInfo, ns: string | undefined, selector: any, memoKey: string): number {
  const hit = n.memo.get(memoKey);
  if (hit !== undefined && hit.generation === n.generation) return hit.value;
  let count = 0;
  for (const pi of n.pods.values())
    if (pi.pod.metadata?.namespace === ns && !pi.pod.metadata?.deletionTimestamp && matchesLabelSelector(selector, pi.pod.metadata?.labels)) count++;
  if (hit !== undefined) {
    hit.generation = n.generation;
    hit.value = count;
  } else {
    if (n.memo.size >= 64) n.memo.clear();
    n.memo.set(memoKey, { generation: n.generation, value: count });
  }
  return count;
}

const hasRequiredNodeAffinity = (pod: any) =>
  Object.keys(pod.spec?.nodeSelector ?? {}).length > 0 || !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;

/** Matching-pod counts per domain, over nodes eligible for the pod and carrying every key. */
function countDomains(pod: any, constraints: Constraint[], nodes: NodeInfo[]): Array<Map<string, number>> {
  const counts = constraints.map(() => new Map<string, number>());
  const ns = pod.metadata?.namespace;
  const keys = constraints.map((c) => `${name}\u0000${ns}\u0000${JSON.stringify(c.selector)}`);
  const checkAffinity = hasRequiredNodeAffinity(pod);
  const nc = constraints.length;
  next: for (const n of nodes) {
    const labels = n.labels();
    for (let i = 0; i < nc; i++) if (!(constraints[i].topologyKey in labels)) continue next;
    for (let i = 0; i < nc; i++) {
      const c = constraints[i];
      if (c.honorAffinity && checkAffinity && !nodeMatchesPod(pod, n.node)) continue;
      if (c.honorTaints && findUntoleratedTaint(n.node?.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) continue;
      const matched = matchingPods(n, ns, c.selector, keys[i]);
      const v = labels[c.topologyKey];
      counts[i].set(v, (counts[i].get(v) ?? 0) + matched);
    }
  }
  return counts;
}

interface HardState {
  constraints: Constraint[];
  counts: Array<Map<string, number>>;
  /** Per constraint: the smallest domain count, and 1 when the pod matches its own selector. */
  mins: number[];
  self: number[];
}

interface SoftState {
  constraints: Constraint[];
  /** Per constraint (not hostname): matching pods per domain of the feasible nodes. */
  counts: Array<Map<string, number>>;
  weights: number[];
  memoKeys: string[];
  /** Nodes lacking a topology key when all are required: scored 0. */
  ignored: Set<string>;
}

const HOSTNAME = 'kubernetes.io/hostname';

export function factory(args: Record<string, any>, handle?: Handle): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const { constraints: defaults, system } = defaultConstraintsOf(args);
  const listers = handle?.listers;
  const hardKey = 'PreFilter' + name;
  const softKey = 'PreScore' + name;
  return {
    name,
    preFilter(state: CycleState, pod, nodes) {
      const constraints = constraintsOf(pod, 'DoNotSchedule', defaults, listers).list;
      if (constraints.length === 0) return { status: Status.skip() };
      const counts = countDomains(pod, constraints, nodes);
      const mins = constraints.map((c, i) => {
        let min = counts[i].size < c.minDomains ? 0 : Infinity;
        for (const v of counts[i].values()) min = Math.min(min, v);
        return Number.isFinite(min) ? min : 0;
      });
      const self = constraints.map((c) => (matchesLabelSelector(c.selector, pod.metadata?.labels) ? 1 : 0));
      state.write(hardKey, { constraints, counts, mins, self } satisfies HardState);
      return { status: Status.success() };
    },
    filter(state, _pod, node) {
      const s = state.read<HardState>(hardKey);
      if (!s) return Status.success();
      const labels = node.labels();
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        if (!(c.topologyKey in labels)) return Status.unresolvable(reasonMissingLabel);
        const skew = (s.counts[i].get(labels[c.topologyKey]) ?? 0) + s.self[i] - s.mins[i];
        if (skew > c.maxSkew) return Status.unschedulable(reason);
      }
      return Status.success();
    },
    preScore(state, pod, nodes) {
      const { list: constraints, own } = constraintsOf(pod, 'ScheduleAnyway', defaults, listers);
      if (constraints.length === 0) return Status.skip();
      // System defaults don't require every key on a node (kube: requireAllTopologies).
      const requireAll = own || !system;
      const ns = pod.metadata?.namespace;
      const nc = constraints.length;
      const hasAll = (labels: Record<string, string>) => constraints.every((c) => c.topologyKey in labels);
      const ignored = new Set<string>();
      const counts = constraints.map(() => new Map<string, number>());
      for (const n of nodes) {
        const labels = n.labels();
        if (requireAll && !hasAll(labels)) {
          ignored.add(n.name);
          continue;
        }
        for (let i = 0; i < nc; i++) {
          const k = constraints[i].topologyKey;
          if (k !== HOSTNAME && k in labels && !counts[i].has(labels[k])) counts[i].set(labels[k], 0);
        }
      }
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i].size) + 2));
      const memoKeys = constraints.map((c) => `${name}\u0000${ns}\u0000${JSON.stringify(c.selector)}`);
      // Domain counts over every node (not only the feasible ones), for the feasible nodes' domains.
      const checkAffinity = hasRequiredNodeAffinity(pod);
      for (const n of handle?.nodes() ?? nodes) {
        const labels = n.labels();
        if (requireAll && !hasAll(labels)) continue;
        for (let i = 0; i < nc; i++) {
          const c = constraints[i];
          if (c.topologyKey === HOSTNAME || !counts[i].has(labels[c.topologyKey])) continue;
          if (c.honorAffinity && checkAffinity && !nodeMatchesPod(pod, n.node)) continue;
          if (c.honorTaints && findUntoleratedTaint(n.node?.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) continue;
          const v = labels[c.topologyKey];
          counts[i].set(v, counts[i].get(v)! + matchingPods(n, ns, c.selector, memoKeys[i]));
        }
      }
      state.write(softKey, { constraints, counts, weights, memoKeys, ignored } satisfies SoftState);
      return Status.success();
    },
    score(state, pod, node) {
      const s = state.read<SoftState>(softKey);
      if (!s || s.ignored.has(node.name)) return 0;
      const labels = node.labels();
      let score = 0;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        if (!(c.topologyKey in labels)) continue;
        const cnt = c.topologyKey === HOSTNAME ? matchingPods(node, pod.metadata?.namespace, c.selector, s.memoKeys[i]) : (s.counts[i].get(labels[c.topologyKey]) ?? 0);
        score += cnt * s.weights[i] + (c.maxSkew - 1);
      }
      return Math.round(score);
    },
    normalizeScore(state, _pod, scores) {
      const ignored = state.read<SoftState>(softKey)?.ignored;
      let min = Infinity;
      let max = 0;
      for (const s of scores) {
        if (ignored?.has(s.name)) continue;
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      for (const s of scores) {
        if (ignored?.has(s.name)) s.score = 0;
        else s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
      }
    },
  };
}
