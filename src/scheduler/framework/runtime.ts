// The framework runtime for one profile: holds the enabled plugins per extension point (with
// score weights) and runs them in order, as Kubernetes' frameworkruntime does.
import { CycleState } from './cycle-state.js';
import {
  has,
  MAX_NODE_SCORE,
  type BindPlugin,
  type FilterPlugin,
  type Handle,
  type NodeScore,
  type Plugin,
  type PluginFactory,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type PermitPlugin,
  type QueueSortPlugin,
  type QueuedPodInfo,
  type ReservePlugin,
  type ScorePlugin,
} from './interface.js';
import { cloneNodeInfo, type NodeInfo, type PodInfo } from './node-info.js';
import { Status } from './status.js';

export type ExtensionPoint =
  | 'preEnqueue'
  | 'queueSort'
  | 'preFilter'
  | 'filter'
  | 'postFilter'
  | 'preScore'
  | 'score'
  | 'reserve'
  | 'permit'
  | 'preBind'
  | 'bind'
  | 'postBind';

export const EXTENSION_POINTS: ExtensionPoint[] = ['preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'];

/** A resolved profile: which plugins run at which point, score weights, plugin args. */
export interface ProfileSpec {
  schedulerName: string;
  points: Record<ExtensionPoint, string[]>;
  weights: Record<string, number>;
  args: Record<string, Record<string, any>>;
}

/** Scores of one node: per plugin (after normalisation and weight) and the total. */
export interface NodeScores {
  name: string;
  total: number;
  byPlugin: Record<string, number>;
}

interface ScoreTable {
  names: string[];
  columns: Float64Array[];
}

/** One node's scores; `byPlugin` is materialised from the cycle's score table on first read. */
class ScoreRow implements NodeScores {
  total = 0;
  private plugins?: Record<string, number>;
  constructor(
    readonly name: string,
    private readonly table: ScoreTable,
    private readonly index: number,
  ) {}
  get byPlugin(): Record<string, number> {
    if (!this.plugins) {
      const o: Record<string, number> = {};
      for (let k = 0; k < this.table.names.length; k++) o[this.table.names[k]] = this.table.columns[k][this.index];
      this.plugins = o;
    }
    return this.plugins;
  }
  toJSON(): NodeScores {
    return { name: this.name, total: this.total, byPlugin: this.byPlugin };
  }
}

export class Framework {
  readonly schedulerName: string;
  private readonly instances = new Map<string, Plugin>();
  readonly preEnqueuePlugins: PreEnqueuePlugin[];
  readonly queueSort: QueueSortPlugin | undefined;
  readonly preFilterPlugins: PreFilterPlugin[];
  readonly filterPlugins: FilterPlugin[];
  readonly postFilterPlugins: PostFilterPlugin[];
  readonly preScorePlugins: PreScorePlugin[];
  readonly scorePlugins: ScorePlugin[];
  readonly reservePlugins: ReservePlugin[];
  readonly permitPlugins: PermitPlugin[];
  readonly preBindPlugins: PreBindPlugin[];
  readonly bindPlugins: BindPlugin[];
  readonly postBindPlugins: PostBindPlugin[];
  readonly weights: Record<string, number>;

  constructor(
    spec: ProfileSpec,
    registry: Record<string, PluginFactory>,
    readonly handle: Handle,
  ) {
    this.schedulerName = spec.schedulerName;
    this.weights = spec.weights;
    const get = (name: string): Plugin => {
      let p = this.instances.get(name);
      if (!p) {
        const factory = registry[name];
        if (!factory) throw new Error(`plugin "${name}" is not registered`);
        p = factory(spec.args[name] ?? {}, handle);
        this.instances.set(name, p);
      }
      return p;
    };
    const at = <T extends Plugin>(point: ExtensionPoint, guard: (p: Plugin) => p is T): T[] =>
      spec.points[point].map((n) => {
        const p = get(n);
        if (!guard(p)) throw new Error(`plugin "${n}" does not extend ${point}`);
        return p;
      });
    this.preEnqueuePlugins = at('preEnqueue', has.preEnqueue);
    this.queueSort = at('queueSort', has.queueSort)[0];
    this.preFilterPlugins = at('preFilter', has.preFilter);
    this.filterPlugins = at('filter', has.filter);
    this.postFilterPlugins = at('postFilter', has.postFilter);
    this.preScorePlugins = at('preScore', has.preScore);
    this.scorePlugins = at('score', has.score);
    this.reservePlugins = at('reserve', has.reserve);
    this.permitPlugins = at('permit', has.permit);
    this.preBindPlugins = at('preBind', has.preBind);
    this.bindPlugins = at('bind', has.bind);
    this.postBindPlugins = at('postBind', has.postBind);
  }

  plugin(name: string): Plugin | undefined {
    return this.instances.get(name);
  }

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    return this.queueSort ? this.queueSort.less(a, b) : a.timestamp < b.timestamp;
  }

  runPreEnqueue(pod: any): Status {
    for (const p of this.preEnqueuePlugins) {
      const s = p.preEnqueue(pod);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** PreFilter: intersects node-name results; a rejection rejects the pod on every node. */
  runPreFilter(state: CycleState, pod: any, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    let result: PreFilterResult | undefined;
    for (const p of this.preFilterPlugins) {
      const r = p.preFilter(state, pod, nodes);
      if (r.status.isSkip()) {
        state.skipFilter.add(p.name);
        continue;
      }
      if (!r.status.isSuccess()) return { status: r.status.withPlugin(p.name) };
      if (r.result?.nodeNames) {
        const names = r.result.nodeNames;
        result = { nodeNames: result?.nodeNames ? new Set([...result.nodeNames].filter((n) => names.has(n))) : new Set(names) };
      }
    }
    return { result, status: Status.success() };
  }

  /** Filter: the first plugin that rejects the node decides its status. */
  runFilter(state: CycleState, pod: any, node: NodeInfo): Status {
    for (const p of this.filterPlugins) {
      if (state.skipFilter.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * Filter with nominated pods (kube's RunFilterPluginsWithNominatedPods): when pods of equal or
   * higher priority are nominated to the node, the pod must fit with them added (first pass) and
   * without them (second pass, for filters such as anti-affinity that the added pods could help).
   * With `world` (every node), the first pass also sees the nominated pods in the PreFilter
   * state (InterPodAffinity, PodTopologySpread counts): PreFilter runs again over the nodes with
   * this one holding them, which is what kube's AddPod extensions compute incrementally. Without
   * it, only what the node itself holds (resources, ports, volumes) counts them.
   */
  runFilterWithNominatedPods(state: CycleState, pod: any, node: NodeInfo, nominated: PodInfo[] | undefined, world?: NodeInfo[]): Status {
    if (!nominated?.length) return this.runFilter(state, pod, node);
    const withNominated = cloneNodeInfo(node);
    for (const pi of nominated) withNominated.addPod(pi);
    let first = state;
    if (world) {
      first = new CycleState();
      const pre = this.runPreFilter(first, pod, world.map((n) => (n.name === node.name ? withNominated : n)));
      if (!pre.status.isSuccess()) return pre.status;
    }
    const s = this.runFilter(first, pod, withNominated);
    if (!s.isSuccess()) return s;
    return this.runFilter(state, pod, node);
  }

  async runPostFilter(state: CycleState, pod: any, statuses: Map<string, Status>): Promise<{ nominatedNodeName?: string; status: Status }> {
    const reasons: string[] = [];
    // A plugin may answer nominatedNodeName '' with a failure: clear the pod's old nomination.
    let clear: string | undefined;
    for (const p of this.postFilterPlugins) {
      const r = await p.postFilter(state, pod, statuses);
      if (r.status.isSuccess()) return r;
      if (r.nominatedNodeName === '') clear = '';
      reasons.push(...r.status.reasons);
      if (r.status.code === 'Error') return { status: r.status.withPlugin(p.name) };
    }
    return { nominatedNodeName: clear, status: new Status('Unschedulable', reasons) };
  }

  runPreScore(state: CycleState, pod: any, nodes: NodeInfo[]): Status {
    for (const p of this.preScorePlugins) {
      const s = p.preScore(state, pod, nodes);
      if (s.isSkip()) {
        state.skipScore.add(p.name);
        continue;
      }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Score every node with every score plugin, normalise to 0..100, weigh, and sum. */
  runScore(state: CycleState, pod: any, nodes: NodeInfo[]): NodeScores[] {
    // Hot loop (a few hundred nodes per pod): one NodeScore array reused by every plugin, and
    // per-plugin scores kept in columns; each row's byPlugin object is built only when read.
    const n = nodes.length;
    const table: ScoreTable = { names: [], columns: [] };
    const out: ScoreRow[] = new Array(n);
    const scores: NodeScore[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = nodes[i].name;
      out[i] = new ScoreRow(name, table, i);
      scores[i] = { name, score: 0 };
    }
    for (const p of this.scorePlugins) {
      if (state.skipScore.has(p.name)) continue;
      for (let i = 0; i < n; i++) scores[i].score = p.score(state, pod, nodes[i]);
      p.normalizeScore?.(state, pod, scores);
      const w = this.weights[p.name] ?? 1;
      const column = new Float64Array(n);
      table.names.push(p.name);
      table.columns.push(column);
      for (let i = 0; i < n; i++) {
        const s = Math.max(0, Math.min(MAX_NODE_SCORE, scores[i].score)) * w;
        column[i] = s;
        out[i].total += s;
      }
    }
    return out;
  }

  runReserve(state: CycleState, pod: any, nodeName: string): Status {
    for (const p of this.reservePlugins) {
      const s = p.reserve(state, pod, nodeName);
      if (!s.isSuccess()) {
        this.runUnreserve(state, pod, nodeName);
        return s.withPlugin(p.name);
      }
    }
    return Status.success();
  }

  runUnreserve(state: CycleState, pod: any, nodeName: string): void {
    for (const p of [...this.reservePlugins].reverse()) p.unreserve(state, pod, nodeName);
  }

  runPermit(state: CycleState, pod: any, nodeName: string): Status {
    for (const p of this.permitPlugins) {
      const r = p.permit(state, pod, nodeName);
      if (!r.status.isSuccess()) return r.status.withPlugin(p.name);
    }
    return Status.success();
  }

  async runPreBind(state: CycleState, pod: any, nodeName: string): Promise<Status> {
    for (const p of this.preBindPlugins) {
      const s = await p.preBind(state, pod, nodeName);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  async runBind(state: CycleState, pod: any, nodeName: string): Promise<Status> {
    for (const p of this.bindPlugins) {
      const s = await p.bind(state, pod, nodeName);
      if (s.isSkip()) continue;
      return s.withPlugin(p.name);
    }
    return Status.error('no bind plugin bound the pod');
  }

  runPostBind(state: CycleState, pod: any, nodeName: string): void {
    for (const p of this.postBindPlugins) p.postBind(state, pod, nodeName);
  }
}

export { CycleState };
