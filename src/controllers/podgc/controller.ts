// The pod garbage collector: every --pod-gc-period (20 s) it deletes terminated pods
// (Succeeded/Failed) beyond --terminated-pod-gc-threshold (12500; oldest first), pods bound to
// nodes that no longer exist (orphans: force-deleted, grace 0), and terminating pods that were
// never scheduled.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { logger } from '../../util/log.js';
import { sleep } from '../../util/sleep.js';
import type { Controller, ControllerContext } from '../controller.js';
import { isTerminal, type K } from '../pod-util.js';

export class PodGcController implements Controller {
  readonly name = 'pod-garbage-collector';
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly log = logger('pod-garbage-collector');

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.nodes = ctx.informers.informerFor(Resources.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = Number(this.ctx.options.podGcPeriodMs ?? 20_000);
    while (!signal.aborted) {
      await sleep(period, signal);
      if (signal.aborted) break;
      await this.gc().catch((e) => this.log.warn({ err: (e as Error).message }, 'pod gc failed'));
    }
  }

  async gc(): Promise<void> {
    const pods = this.pods.list() as K[];
    const threshold = Number(this.ctx.options.terminatedPodGcThreshold ?? 12_500);
    const terminated = pods.filter((p) => isTerminal(p) && !p.metadata?.deletionTimestamp);
    if (threshold > 0 && terminated.length > threshold) {
      terminated.sort((a, b) => (Date.parse(a.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata?.creationTimestamp ?? '') || 0));
      for (const p of terminated.slice(0, terminated.length - threshold)) await this.remove(p, undefined);
    }
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.nodes.get(node)) await this.remove(p, 0);
      else if (!node && p.metadata?.deletionTimestamp) await this.remove(p, 0);
    }
  }

  private async remove(p: K, grace: number | undefined): Promise<void> {
    await this.ctx.client
      .delete(resourcePath(Resources.pods, p.metadata.namespace, p.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), preconditions: { uid: p.metadata.uid } })
      .catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  }
}

export const newPodGcController = (ctx: ControllerContext): Controller => new PodGcController(ctx);
