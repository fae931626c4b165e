// What every controller gets and how it runs (DESIGN principle 2): event handlers only enqueue
// keys; `sync(key)` holds the logic, is idempotent and returns `{ requeueAfter? }`; retries and
// backoff belong to the workqueue.
import type { Logger } from 'pino';
import type { EventRecorder } from '../client/event-recorder.js';
import type { SharedInformerFactory } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { WorkQueue, runWorkers } from '../client/workqueue.js';
import { logger } from '../util/log.js';

export interface ControllerContext {
  client: RestClient;
  informers: SharedInformerFactory;
  recorder(component: string): EventRecorder;
  /** Options by flag name without dashes (e.g. concurrentReplicasetSyncs, nodeMonitorGracePeriodMs). */
  options: Record<string, number | string | boolean | undefined>;
  now(): number;
}

export interface Controller {
  readonly name: string;
  /** Run until the signal aborts; resolves when stopped. */
  run(signal: AbortSignal): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** A queue plus workers calling `sync`, stopped by the signal. */
export class QueueRunner {
  readonly queue: WorkQueue<string>;
  readonly log: Logger;
  constructor(
    readonly name: string,
    private readonly workers: number,
    private readonly sync: (key: string) => Promise<{ requeueAfter?: number } | void>,
  ) {
    this.queue = new WorkQueue<string>({ name });
    this.log = logger(name);
  }
  enqueue = (key: string): void => this.queue.add(key);
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    const timed = async (key: string) => {
      const t0 = performance.now();
      this.log.debug({ key }, 'sync start');
      try {
        return await this.sync(key);
      } finally {
        this.log.debug({ key, ms: Math.round(performance.now() - t0) }, 'sync done');
      }
    };
    await runWorkers(this.queue, this.workers, timed, {
      onError: (key, err) => this.log.debug({ key, err: (err as Error).message }, 'sync failed, retrying'),
      onDrop: (key, err) => this.log.warn({ key, err: (err as Error).message }, 'dropping key after retries'),
    });
  }
}
