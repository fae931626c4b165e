// NodeResourcesFit (PreFilter, Filter, Score): the node must have room for the pod's requests
// (cpu, memory, ephemeral-storage, pod count, extended resources; init containers and overhead
// included), and nodes are scored by a strategy over weighted resources:
//   LeastAllocated (default)  (allocatable - requested) / allocatable
//   MostAllocated             requested / allocatable
//   RequestedToCapacityRatio  a piecewise-linear shape over utilisation
// Scoring uses the non-zero request defaults (100m cpu, 200Mi memory) like Kubernetes.
import type { CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { cycleRequests, type Resource } from '../../framework/resources.js';
import { Status } from '../../framework/status.js';

export const name = 'NodeResourcesFit';
const wantedKey = 'PreFilter' + name;

export interface ResourceSpec {
  name: string;
  weight: number;
}
export interface FitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: {
    type?: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape: Array<{ utilization: number; score: number }> };
  };
}

export function amount(r: Resource, res: string): number {
  switch (res) {
    case 'cpu':
      return r.milliCPU;
    case 'memory':
      return r.memory;
    case 'ephemeral-storage':
      return r.ephemeralStorage;
    case 'pods':
      return r.allowedPodNumber;
    default:
      return r.scalar[res] ?? 0;
  }
}

/** The resources a pod asks for (> 0), with the label used in "Insufficient <label>". */
function requestedResources(pod: Resource, args: FitArgs): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const res of ['cpu', 'memory', 'ephemeral-storage']) if (amount(pod, res) > 0) out.push([res, amount(pod, res)]);
  const ignored = new Set(args.ignoredResources ?? []);
  const groups = args.ignoredResourceGroups ?? [];
  for (const [res, v] of Object.entries(pod.scalar)) if (v > 0 && !ignored.has(res) && !groups.some((g) => res.startsWith(g + '/'))) out.push([res, v]);
  return out;
}

/** The reasons the pod does not fit the node (empty = fits). */
export function insufficient(pod: Resource, node: NodeInfo, args: FitArgs = {}, wanted = requestedResources(pod, args)): string[] {
  let reasons: string[] | undefined;
  if (node.pods.size + 1 > node.allocatable.allowedPodNumber) (reasons ??= []).push('Too many pods');
  const alloc = node.allocatable;
  const used = node.requested;
  for (let i = 0; i < wanted.length; i++) {
    const res = wanted[i][0];
    const want = wanted[i][1];
    const free = res === 'cpu' ? alloc.milliCPU - used.milliCPU : res === 'memory' ? alloc.memory - used.memory : amount(alloc, res) - amount(used, res);
    if (want > free) (reasons ??= []).push(INSUFFICIENT[res] ?? `Insufficient ${res}`);
  }
  return reasons ?? NONE;
}
const NONE: string[] = [];
const EMPTY_REQUEST: Resource = { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} };
const INSUFFICIENT: Record<string, string> = { cpu: 'Insufficient cpu', memory: 'Insufficient memory', 'ephemeral-storage': 'Insufficient ephemeral-storage' };

type Scorer = (requested: number, allocatable: number) => number;

function shapeScorer(shape: Array<{ utilization: number; score: number }>): Scorer {
  // Shape scores are 0..10 in the config, scaled to 0..100 (MaxCustomPriorityScore = 10).
  const pts = [...shape].sort((a, b) => a.utilization - b.utilization).map((p) => ({ u: p.utilization, s: (p.score * MAX_NODE_SCORE) / 10 }));
  return (requested, allocatable) => {
    if (allocatable === 0) return 0;
    const u = Math.min(100, (requested * 100) / allocatable);
    if (u <= pts[0].u) return pts[0].s;
    for (let i = 1; i < pts.length; i++)
      if (u <= pts[i].u) return pts[i - 1].s + ((pts[i].s - pts[i - 1].s) * (u - pts[i - 1].u)) / (pts[i].u - pts[i - 1].u);
    return pts[pts.length - 1].s;
  };
}

export function factory(rawArgs: Record<string, any>): PreFilterPlugin & FilterPlugin & ScorePlugin {
  const args = rawArgs as FitArgs;
  const strategy = args.scoringStrategy?.type ?? 'LeastAllocated';
  const resources = args.scoringStrategy?.resources ?? [
    { name: 'cpu', weight: 1 },
    { name: 'memory', weight: 1 },
  ];
  const scorer: Scorer =
    strategy === 'MostAllocated'
      ? (req, alloc) => (alloc === 0 ? 0 : Math.min(req, alloc) * MAX_NODE_SCORE / alloc)
      : strategy === 'RequestedToCapacityRatio'
        ? shapeScorer(args.scoringStrategy?.requestedToCapacityRatio?.shape ?? [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }])
        : (req, alloc) => (alloc === 0 || req > alloc ? 0 : ((alloc - req) * MAX_NODE_SCORE) / alloc);
  return {
    name,
    preFilter(state: CycleState, pod) {
      state.write(wantedKey, requestedResources(cycleRequests(state, pod).requests, args));
      return { status: Status.success() };
    },
    filter(state, pod, node) {
      let wanted = state.read<Array<[string, number]>>(wantedKey);
      if (!wanted) state.write(wantedKey, (wanted = requestedResources(cycleRequests(state, pod).requests, args)));
      const reasons = insufficient(EMPTY_REQUEST, node, args, wanted);
      return reasons.length ? Status.unschedulable(...reasons) : Status.success();
    },
    score(state, pod, node) {
      const s = cycleRequests(state, pod);
      let total = 0;
      let weights = 0;
      for (const r of resources) {
        const alloc = amount(node.allocatable, r.name);
        if (alloc === 0 && r.name !== 'cpu' && r.name !== 'memory') continue; // resource absent on node
        const base = r.name === 'cpu' || r.name === 'memory' ? amount(node.nonZeroRequested, r.name) + amount(s.nonZero, r.name) : amount(node.requested, r.name) + amount(s.requests, r.name);
        total += scorer(base, alloc) * r.weight;
        weights += r.weight;
      }
      return weights === 0 ? 0 : Math.floor(total / weights);
    },
  };
}
