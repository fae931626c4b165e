// The scheduling framework's extension points, as Kubernetes names them. A plugin implements the
// ones it needs; the framework calls them in order for each pod:
//   PreEnqueue -> QueueSort -> PreFilter -> Filter -> PostFilter -> PreScore -> Score
//   (+ NormalizeScore to 0..100) -> Reserve -> Permit -> PreBind -> Bind -> PostBind
// Plugins export a `name` and a factory; a registry maps names to factories and a profile picks
// and weighs them.
import type { CycleState } from './cycle-state.js';
import type { Listers } from './listers.js';
import type { NodeInfo } from './node-info.js';
import type { Status } from './status.js';

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
}

export interface QueuedPodInfo {
  pod: any;
  key: string;
  /** When the pod entered the queue first (ms). */
  initialAttemptTimestamp: number;
  timestamp: number;
  attempts: number;
  unschedulablePlugins: Set<string>;
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: any): Status;
}
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}
export interface PreFilterResult {
  /** Only these nodes can fit (e.g. NodeName, NodeAffinity on a single host). */
  nodeNames?: Set<string>;
}
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: any, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status };
}
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: any, node: NodeInfo): Status;
}
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: any, statuses: Map<string, Status>): Promise<{ nominatedNodeName?: string; status: Status }>;
}
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: any, nodes: NodeInfo[]): Status;
}
export interface NodeScore {
  name: string;
  score: number;
}
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: any, node: NodeInfo): number;
  /** Rescale this plugin's scores to 0..MAX_NODE_SCORE in place. */
  normalizeScore?(state: CycleState, pod: any, scores: NodeScore[]): void;
}
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: any, nodeName: string): Status;
  unreserve(state: CycleState, pod: any, nodeName: string): void;
}
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: any, nodeName: string): { status: Status; timeoutMs?: number };
}
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: any, nodeName: string): Promise<Status>;
}
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: any, nodeName: string): Promise<Status>;
}
export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: any, nodeName: string): void;
}

/** What plugins can reach: the current nodes and pods, the API, and the plugin args. */
export interface Handle {
  /** All nodes known to the scheduler (the cache's view for this cycle). */
  nodes(): NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Bind through the API (pods/binding). */
  bindPod(pod: any, nodeName: string): Promise<void>;
  /** Evict or delete a victim pod (preemption). */
  deletePod(pod: any, reason: string): Promise<void>;
  /** Set status.nominatedNodeName on a pod ('' clears it). */
  nominate(pod: any, nodeName: string): Promise<void>;
  /** PodDisruptionBudgets (policy/v1) currently known. */
  pdbs(): any[];
  /** The pod's priority (spec.priority, set from its PriorityClass at admission). */
  priorityOf(pod: any): number;
  /**
   * Run the pod's profile PreFilter+Filter against `node` as if `nodes` were the cluster
   * (preemption's what-if with victims removed).
   */
  filterDryRun(pod: any, node: NodeInfo, nodes: NodeInfo[]): Status;
  /** How many of nodes() hold the image (normalised name); absent: plugins count themselves. */
  imageNodeCount?(image: string): number;
  /** Pods with (anti-)affinity on all of nodes() (kube's HavePodsWithAffinityList); absent: plugins scan. */
  affinityTotals?(): { podsWithAffinity: number; podsWithRequiredAntiAffinity: number };
  /** Pods currently nominated to the node (preemption clears lower-priority ones); absent: none. */
  nominatedPods?(nodeName: string): any[];
  /** Claims, volumes, classes, Services and controllers; absent: plugins that need them skip. */
  listers?: Listers;
  /** Write a PersistentVolume / PersistentVolumeClaim (PUT; VolumeBinding's PreBind). Returns the stored object. */
  updateVolume?(pv: any): Promise<any>;
  updateClaim?(pvc: any): Promise<any>;
}

export type PluginFactory = (args: Record<string, any>, handle: Handle) => Plugin;

export const has = {
  preEnqueue: (p: Plugin): p is PreEnqueuePlugin => 'preEnqueue' in p,
  queueSort: (p: Plugin): p is QueueSortPlugin => 'less' in p,
  preFilter: (p: Plugin): p is PreFilterPlugin => 'preFilter' in p,
  filter: (p: Plugin): p is FilterPlugin => 'filter' in p,
  postFilter: (p: Plugin): p is PostFilterPlugin => 'postFilter' in p,
  preScore: (p: Plugin): p is PreScorePlugin => 'preScore' in p,
  score: (p: Plugin): p is ScorePlugin => 'score' in p,
  reserve: (p: Plugin): p is ReservePlugin => 'reserve' in p,
  permit: (p: Plugin): p is PermitPlugin => 'permit' in p,
  preBind: (p: Plugin): p is PreBindPlugin => 'preBind' in p,
  bind: (p: Plugin): p is BindPlugin => 'bind' in p,
  postBind: (p: Plugin): p is PostBindPlugin => 'postBind' in p,
};
