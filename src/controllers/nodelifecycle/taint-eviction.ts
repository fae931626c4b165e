// The taint eviction controller (Kubernetes' NoExecute taint manager): a pod on a node with a
// NoExecute taint it does not tolerate is deleted at once; one that tolerates it for
// tolerationSeconds is deleted that long after the taint was added (the smallest such value
// wins); a toleration without tolerationSeconds keeps the pod forever. Pods whose node is
// untainted in time are left alone.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';
import { tolerates } from '../../scheduler/plugins/taint-toleration/tolerations.js';

/** Milliseconds until the pod must go (0 = now), or undefined when it may stay. */
export function evictionDelay(pod: K, taints: K[], now: number): number | undefined {
  let at: number | undefined;
  for (const t of taints.filter((x) => x.effect === 'NoExecute')) {
    const matching = (pod.spec?.tolerations ?? []).filter((tol: K) => tolerates(tol, t as any));
    if (matching.length === 0) return 0;
    const secs = matching.map((tol: K) => tol.tolerationSeconds).filter((s: unknown) => typeof s === 'number') as number[];
    if (secs.length < matching.length) continue; // tolerated forever
    const added = Date.parse(t.timeAdded ?? '') || now;
    const due = added + Math.max(0, Math.min(...secs)) * 1000;
    at = at === undefined ? due : Math.min(at, due);
  }
  return at === undefined ? undefined : Math.max(0, at - now);
}

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  private readonly runner: QueueRunner;
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('taint-eviction-controller', 8, (k) => this.sync(k));
    this.nodes = ctx.informers.informerFor(Resources.nodes);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.recorder = ctx.recorder('taint-eviction-controller');
    const podOnTaintedNode = (p: K) => {
      const n = p.spec?.nodeName && (this.nodes.get(p.spec.nodeName) as K | undefined);
      if (n && (n.spec?.taints ?? []).some((t: K) => t.effect === 'NoExecute')) this.runner.enqueue(nsKey(p));
    };
    this.pods.addEventHandler({ onAdd: podOnTaintedNode, onUpdate: (_o, p) => podOnTaintedNode(p) });
    this.nodes.addEventHandler({
      onUpdate: (old, n) => {
        if (JSON.stringify(old.spec?.taints ?? []) === JSON.stringify(n.spec?.taints ?? [])) return;
        for (const p of this.pods.list() as K[]) if (p.spec?.nodeName === n.metadata?.name) this.runner.enqueue(nsKey(p));
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const pod = this.pods.get(key) as K | undefined;
    if (!pod?.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
    const node = this.nodes.get(pod.spec.nodeName) as K | undefined;
    const delay = evictionDelay(pod, node?.spec?.taints ?? [], this.ctx.now());
    if (delay === undefined) return;
    if (delay > 0) return { requeueAfter: delay };
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    await this.ctx.client.delete(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata.uid } }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

export const newTaintEvictionController = (ctx: ControllerContext): Controller => new TaintEvictionController(ctx);
