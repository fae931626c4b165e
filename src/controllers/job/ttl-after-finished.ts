// The ttl-after-finished controller: deletes a finished Job (and, in the background, its pods)
// ttlSecondsAfterFinished after its Complete/Failed condition.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';
import { isJobFinished } from './controller.js';

export class TtlAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  private readonly runner: QueueRunner;
  private readonly jobs: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('ttl-after-finished-controller', Number(ctx.options.concurrentTtlAfterFinishedSyncs ?? 5), (k) => this.sync(k));
    this.jobs = ctx.informers.informerFor(Resources.jobs);
    const enqueue = (j: K) => {
      if (j.spec?.ttlSecondsAfterFinished !== undefined && isJobFinished(j)) this.runner.enqueue(nsKey(j));
    };
    this.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, j) => enqueue(j) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const job = this.jobs.get(key) as K | undefined;
    if (!job || job.metadata?.deletionTimestamp || !isJobFinished(job) || job.spec?.ttlSecondsAfterFinished === undefined) return;
    const finished = (job.status?.conditions ?? []).find((c: K) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const at = Date.parse(job.status?.completionTime ?? finished?.lastTransitionTime ?? '') || this.ctx.now();
    const expires = at + job.spec.ttlSecondsAfterFinished * 1000;
    if (expires > this.ctx.now()) return { requeueAfter: expires - this.ctx.now() };
    await this.ctx.client
      .delete(resourcePath(Resources.jobs, job.metadata.namespace, job.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } })
      .catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  }
}

export const newTtlAfterFinishedController = (ctx: ControllerContext): Controller => new TtlAfterFinishedController(ctx);
