// One placement decision for one pod, as a value: which nodes passed the filters (and why the
// others did not), each plugin's score per feasible node, and the chosen node. The live
// scheduler acts on it; `keelson scheduler explain` prints it.
import { numFeasibleNodesToFind } from './config.js';
import { CycleState } from './framework/cycle-state.js';
import type { NodeInfo, PodInfo } from './framework/node-info.js';
import type { Framework, NodeScores } from './framework/runtime.js';
import { Status } from './framework/status.js';

export interface Decision {
  /** The chosen node, or undefined when none fits. */
  node?: string;
  state: CycleState;
  /** Nodes evaluated by the filters (may stop early on big clusters). */
  evaluated: number;
  allNodes: number;
  /** Filter verdict of every rejected node (plugin + reasons). */
  rejected: Map<string, Status>;
  feasible: string[];
  scores: NodeScores[];
  /** Set when PreFilter rejected the pod outright. */
  preFilterStatus?: Status;
}

export interface DecideOptions {
  percentageOfNodesToScore?: number;
  /** Round-robin start so successive pods don't always test the same nodes first. */
  startIndex?: number;
  random?: () => number;
  /**
   * Pods nominated to a node that this pod must leave room for (equal or higher priority, from
   * the scheduler's nominator); absent: no nominated pods.
   */
  nominated?: (nodeName: string) => PodInfo[] | undefined;
}

/**
 * A Decision whose `rejected` map is built on first read: most cycles find a node and nobody
 * reads the verdicts of the nodes that failed, which on a full cluster are thousands per pod.
 */
class LazyDecision implements Decision {
  node?: string;
  evaluated = 0;
  feasible: string[] = [];
  scores: NodeScores[] = [];
  preFilterStatus?: Status;
  readonly rejectedNodes: string[] = [];
  readonly rejectedStatuses: Status[] = [];
  private map?: Map<string, Status>;
  constructor(
    readonly state: CycleState,
    readonly allNodes: number,
  ) {}
  reject(name: string, s: Status): void {
    if (this.map) this.map.set(name, s);
    else {
      this.rejectedNodes.push(name);
      this.rejectedStatuses.push(s);
    }
  }
  get rejected(): Map<string, Status> {
    if (!this.map) {
      this.map = new Map();
      for (let i = 0; i < this.rejectedNodes.length; i++) this.map.set(this.rejectedNodes[i], this.rejectedStatuses[i]);
      this.rejectedNodes.length = 0;
      this.rejectedStatuses.length = 0;
    }
    return this.map;
  }
}

export function decide(fw: Framework, pod: any, nodes: NodeInfo[], opts: DecideOptions = {}): Decision {
  const state = new CycleState();
  const d = new LazyDecision(state, nodes.length);
  if (nodes.length === 0) return d;
  const pre = fw.runPreFilter(state, pod, nodes);
  if (!pre.status.isSuccess()) {
    d.preFilterStatus = pre.status;
    for (const n of nodes) d.reject(n.name, pre.status);
    return d;
  }
  const allowed = pre.result?.nodeNames;
  const nominated = opts.nominated;
  // A pod nominated by an earlier preemption tries its nominated node first (kube's
  // evaluateNominatedNode): if it fits there now, it goes there.
  const nominatedName = pod.status?.nominatedNodeName;
  if (nominatedName && (!allowed || allowed.has(nominatedName))) {
    const n = nodes.find((x) => x.name === nominatedName);
    if (n && fw.runFilterWithNominatedPods(state, pod, n, nominated?.(n.name), nodes).isSuccess()) {
      d.evaluated = 1;
      d.node = n.name;
      d.feasible = [n.name];
      d.scores = [{ name: n.name, total: 0, byPlugin: {} }];
      return d;
    }
  }
  const want = numFeasibleNodesToFind(nodes.length, opts.percentageOfNodesToScore);
  const start = (opts.startIndex ?? 0) % nodes.length;
  const feasibleInfos: NodeInfo[] = [];
  for (let i = 0; i < nodes.length && feasibleInfos.length < want; i++) {
    const n = nodes[(start + i) % nodes.length];
    d.evaluated++;
    if (allowed && !allowed.has(n.name)) {
      d.reject(n.name, Status.unresolvable("node(s) didn't satisfy plugin(s) [PreFilter]").withPlugin('PreFilter'));
      continue;
    }
    const s = nominated ? fw.runFilterWithNominatedPods(state, pod, n, nominated(n.name), nodes) : fw.runFilter(state, pod, n);
    if (s.isSuccess()) feasibleInfos.push(n);
    else d.reject(n.name, s);
  }
  d.feasible = feasibleInfos.map((n) => n.name);
  if (feasibleInfos.length === 0) return d;
  if (feasibleInfos.length === 1) {
    d.node = feasibleInfos[0].name;
    d.scores = [{ name: d.node, total: 0, byPlugin: {} }];
    return d;
  }
  const ps = fw.runPreScore(state, pod, feasibleInfos);
  if (!ps.isSuccess()) {
    d.preFilterStatus = ps;
    return d;
  }
  d.scores = fw.runScore(state, pod, feasibleInfos);
  d.node = selectHost(d.scores, opts.random ?? Math.random);
  return d;
}

/** The highest total; ties broken uniformly at random (so equal nodes fill evenly). */
export function selectHost(scores: NodeScores[], random: () => number): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  let ties = 0;
  for (const s of scores) {
    if (s.total > bestScore) {
      bestScore = s.total;
      best = s.name;
      ties = 1;
    } else if (s.total === bestScore) {
      ties++;
      if (random() * ties < 1) best = s.name; // reservoir sampling
    }
  }
  return best;
}

/**
 * Kubernetes' FitError message: "0/4 nodes are available: 2 Insufficient cpu, 2 node(s) had
 * untolerated taint {k: v}." (or, when PreFilter rejected the pod, its message once: "0/3 nodes
 * are available: pod has unbound immediate PersistentVolumeClaims.") plus " preemption: ..."
 * when PostFilter said something.
 */
export function fitErrorMessage(d: Decision, postFilterMessage?: string): string {
  let msg = `0/${d.allNodes} nodes are available`;
  if (d.preFilterStatus?.isRejected()) msg += `: ${d.preFilterStatus.message()}.`;
  else {
    const counts = new Map<string, number>();
    for (const s of d.rejected.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const parts = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([r, n]) => `${n} ${r}`);
    msg += parts.length ? `: ${parts.join(', ')}.` : '.';
  }
  if (d.allNodes === 0) msg = 'no nodes available to schedule pods';
  if (postFilterMessage) msg += ` preemption: ${postFilterMessage}`;
  return msg;
}
