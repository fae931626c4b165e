// PodTopologySpread (PreFilter, Filter, PreScore, Score): spread matching pods evenly over
// topology domains (zones, hosts). DoNotSchedule constraints are filters: placing the pod must
// not make the skew (domain count - smallest domain count) exceed maxSkew. ScheduleAnyway
// constraints score: fewer matching pods in the node's domain scores higher.
// Partial: Kubernetes' *system* default constraints (derived from the Services/ReplicaSets that
// select the pod) are not applied; `defaultConstraints` in the plugin args are, with a selector
// of the pod's own labels (documented divergence).
import type { CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { matchesLabelSelector } from '../../../api/selectors/selector-objects.js';
import { nodeMatchesPod } from '../node-affinity/index.js';
import { findUntoleratedTaint } from '../taint-toleration/tolerations.js';

export const name = 'PodTopologySpread';
export const reason = "node(s) didn't match pod topology spread constraints";
export const reasonMissingLabel = "node(s) didn't match pod topology spread constraints (missing required label)";

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: any;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function constraintsOf(pod: any, action: 'DoNotSchedule' | 'ScheduleAnyway', defaults: any[]): Constraint[] {
  let list: any[] = pod.spec?.topologySpreadConstraints ?? [];
  if (list.length === 0 && defaults.length) list = defaults.map((d) => ({ ...d, labelSelector: { matchLabels: pod.metadata?.labels ?? {} } }));
  return list
    .filter((c) => (c.whenUnsatisfiable ?? 'DoNotSchedule') === action)
    .map((c) => {
      const selector = structuredClone(c.labelSelector ?? {});
      for (const k of c.matchLabelKeys ?? []) {
        const v = pod.metadata?.labels?.[k];
        if (v !== undefined) (selector.matchExpressions ??= []).push({ key: k, operator: 'In', values: [v] });
      }
      return {
        maxSkew: c.maxSkew ?? 1,
        topologyKey: c.topologyKey,
        selector,
        minDomains: c.minDomains ?? 1,
        honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      };
    });
}

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

export function factory(args: Record<string, any>): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const defaults: any[] = args.defaultingType === 'List' ? (args.defaultConstraints ?? []) : [];
  const hardKey = 'PreFilter' + name;
  const softKey = 'PreScore' + name;
  return {
    name,
    preFilter(state: CycleState, pod, nodes) {
      const constraints = constraintsOf(pod, 'DoNotSchedule', defaults);
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
      const constraints = constraintsOf(pod, 'ScheduleAnyway', defaults);
      if (constraints.length === 0) return Status.skip();
      const counts = countDomains(pod, constraints, nodes);
      state.write(softKey, { constraints, counts, weights: counts.map((m) => Math.log(m.size + 2)) });
      return Status.success();
    },
    score(state, _pod, node) {
      const s = state.read<{ constraints: Constraint[]; counts: Array<Map<string, number>>; weights: number[] }>(softKey);
      if (!s) return 0;
      const labels = node.labels();
      let score = 0;
      s.constraints.forEach((c, i) => {
        if (!(c.topologyKey in labels)) return;
        score += (s.counts[i].get(labels[c.topologyKey]) ?? 0) * s.weights[i] + (c.maxSkew - 1);
      });
      return Math.round(score);
    },
    normalizeScore(_state, _pod, scores) {
      let min = Infinity;
      let max = 0;
      for (const s of scores) {
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
    },
  };
}
