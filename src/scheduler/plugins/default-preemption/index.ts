// DefaultPreemption (PostFilter): when no node fits, find a node where evicting lower-priority
// pods makes the pod fit, choosing victims and node as Kubernetes does:
//   per node: remove every lower-priority pod; if the pod then fits, add victims back highest
//   priority first (PDB-violating ones first) while it still fits; the rest are the victims.
//   node choice: fewest PDB violations, then lowest highest-victim priority, then smallest sum of
//   victim priorities, then fewest victims, then the most recently started highest victim.
// Victims are deleted (with a Preempted reason) and the pod gets status.nominatedNodeName; pods
// of lower priority nominated to that node lose their nomination. A pod whose nominated node
// still has lower-priority pods terminating waits for them instead of preempting again; a pod
// for which no node has victims loses its old nomination.
import type { Handle, PostFilterPlugin } from '../../framework/interface.js';
import { cloneNodeInfo, newPodInfo, type NodeInfo, type PodInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { matchesLabelSelector } from '../../../api/selectors/selector-objects.js';

export const name = 'DefaultPreemption';
export const reasonNoVictims = 'No preemption victims found for incoming pod';
export const reasonNotHelpful = 'Preemption is not helpful for scheduling';
export const reasonTerminating = 'not eligible due to a terminating pod on the nominated node.';

interface Candidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

const prio = (h: Handle, p: any) => h.priorityOf(p);
const startTime = (p: any) => Date.parse(p.status?.startTime ?? p.metadata?.creationTimestamp ?? '') || 0;

/** How many of `victims` would violate a PodDisruptionBudget (disruptionsAllowed exhausted). */
function pdbViolators(victims: PodInfo[], pdbs: any[]): Set<string> {
  const allowed = new Map<any, number>(pdbs.map((p) => [p, p.status?.disruptionsAllowed ?? 0]));
  const out = new Set<string>();
  for (const v of victims)
    for (const pdb of pdbs) {
      if (pdb.metadata?.namespace !== v.pod.metadata?.namespace || !matchesLabelSelector(pdb.spec?.selector, v.pod.metadata?.labels)) continue;
      const left = (allowed.get(pdb) ?? 0) - 1;
      allowed.set(pdb, left);
      if (left < 0) out.add(v.key);
    }
  return out;
}

export function factory(_args: Record<string, any>, handle: Handle): PostFilterPlugin {
  return {
    name,
    async postFilter(_state, pod, statuses) {
      if (pod.spec?.preemptionPolicy === 'Never') return { status: Status.unresolvable('not eligible due to preemptionPolicy=Never.') };
      const myPrio = prio(handle, pod);
      const nominated = pod.status?.nominatedNodeName;
      if (nominated && statuses.get(nominated)?.code !== 'UnschedulableAndUnresolvable') {
        const n = handle.node(nominated);
        if (n && [...n.pods.values()].some((pi) => pi.pod.metadata?.deletionTimestamp && prio(handle, pi.pod) < myPrio)) return { status: Status.unschedulable(reasonTerminating) };
      }
      const nodes = handle.nodes();
      const counts = new Map<string, number>();
      const note = (r: string) => counts.set(r, (counts.get(r) ?? 0) + 1);
      const candidates: Candidate[] = [];
      for (const n of nodes) {
        if (statuses.get(n.name)?.code === 'UnschedulableAndUnresolvable') {
          note(reasonNotHelpful);
          continue;
        }
        const c = selectVictims(pod, myPrio, n, nodes);
        if (c) candidates.push(c);
        else note(reasonNoVictims);
      }
      if (candidates.length === 0) {
        const parts = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([r, k]) => `${k} ${r}`);
        return { nominatedNodeName: '', status: Status.unschedulable(`0/${nodes.length} nodes are available: ${parts.join(', ')}.`) };
      }
      candidates.sort((a, b) => compare(a, b));
      const best = candidates[0];
      for (const v of best.victims) await handle.deletePod(v.pod, `Preempted by pod ${pod.metadata?.uid ?? ''} on node ${best.node}`);
      for (const other of handle.nominatedPods?.(best.node) ?? []) if (prio(handle, other) < myPrio) await handle.nominate(other, '');
      await handle.nominate(pod, best.node);
      return { nominatedNodeName: best.node, status: Status.success() };
    },
  };

  function selectVictims(pod: any, myPrio: number, node: NodeInfo, nodes: NodeInfo[]): Candidate | undefined {
    const lower = [...node.pods.values()].filter((pi) => prio(handle, pi.pod) < myPrio);
    if (lower.length === 0) return undefined;
    const trial = cloneNodeInfo(node);
    for (const v of lower) trial.removePod(v.key);
    const world = nodes.map((n) => (n.name === node.name ? trial : n));
    if (!handle.filterDryRun(pod, trial, world).isSuccess()) return undefined;
    const violators = pdbViolators(lower, handle.pdbs());
    const order = [...lower].sort((a, b) => prio(handle, b.pod) - prio(handle, a.pod) || startTime(a.pod) - startTime(b.pod));
    const victims: PodInfo[] = [];
    let pdbViolations = 0;
    for (const group of [order.filter((v) => violators.has(v.key)), order.filter((v) => !violators.has(v.key))]) {
      for (const v of group) {
        trial.addPod(newPodInfo(v.pod));
        if (!handle.filterDryRun(pod, trial, world).isSuccess()) {
          trial.removePod(v.key);
          victims.push(v);
          if (violators.has(v.key)) pdbViolations++;
        }
      }
    }
    return { node: node.name, victims, pdbViolations };
  }

  function compare(a: Candidate, b: Candidate): number {
    if (a.pdbViolations !== b.pdbViolations) return a.pdbViolations - b.pdbViolations;
    const hi = (c: Candidate) => Math.max(-Infinity, ...c.victims.map((v) => prio(handle, v.pod)));
    if (hi(a) !== hi(b)) return hi(a) - hi(b);
    const sum = (c: Candidate) => c.victims.reduce((s, v) => s + prio(handle, v.pod) + 2147483648, 0);
    if (sum(a) !== sum(b)) return sum(a) - sum(b);
    if (a.victims.length !== b.victims.length) return a.victims.length - b.victims.length;
    const latest = (c: Candidate) => Math.max(0, ...c.victims.filter((v) => prio(handle, v.pod) === hi(c)).map((v) => startTime(v.pod)));
    return latest(b) - latest(a);
  }
}
