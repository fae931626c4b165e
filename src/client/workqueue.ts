// A rate-limited work queue with client-go's semantics (util/workqueue):
// - an item is queued at most once however often it is added (the "dirty" set);
// - an item is never processed by two workers at once: added while processing, it is queued
//   again only when `done(item)` is called;
// - `addAfter` delays, `addRateLimited` delays by the rate limiter (per-item exponential backoff
//   plus an overall bucket), `forget` resets an item's backoff after a successful sync;
// - `shutDown` wakes waiting workers; `get()` then answers undefined.
// Metrics as client-go names them, labelled by the queue's name.
import { registry, prom } from '../util/metrics.js';
import { defaultControllerRateLimiter, realClock, type Clock, type RateLimiter } from './rate-limiter.js';

const metrics = {
  depth: new prom.Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [registry] }),
  adds: new prom.Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers: [registry] }),
  retries: new prom.Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers: [registry] }),
  queueDuration: new prom.Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'],
    buckets: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
    registers: [registry],
  }),
  workDuration: new prom.Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name'],
    buckets: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
    registers: [registry],
  }),
};

export interface WorkQueueOptions<T> {
  /** Name for metrics and logs (e.g. the controller's name). */
  name: string;
  rateLimiter?: RateLimiter<T>;
  clock?: Clock;
}

export class WorkQueue<T> {
  readonly name: string;
  private readonly queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly addedAt = new Map<T, number>();
  private readonly startedAt = new Map<T, number>();
  private readonly waiting = new Map<T, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private readonly rateLimiter: RateLimiter<T>;
  private readonly clock: Clock;
  private stopped = false;

  constructor(opts: WorkQueueOptions<T>) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Queue an item (no-op if already queued, or if shutting down). */
  add(item: T): void {
    if (this.stopped || this.dirty.has(item)) return;
    metrics.adds.inc({ name: this.name });
    this.dirty.add(item);
    if (this.processing.has(item)) return; // re-queued by done()
    this.push(item);
  }

  /** Queue an item after a delay; the earliest pending delay for an item wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.add(item);
    const at = this.clock.now() + delayMs;
    const pending = this.waiting.get(item);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { at, timer });
  }

  /** Queue an item after the rate limiter's delay (a retry). */
  addRateLimited(item: T): void {
    metrics.retries.inc({ name: this.name });
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Reset an item's backoff (call after a successful sync). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Wait for the next item; undefined once shut down. Call done(item) when finished with it. */
  get(): Promise<T | undefined> {
    if (this.head < this.queue.length) return Promise.resolve(this.take());
    if (this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark an item processed; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    const started = this.startedAt.get(item);
    if (started !== undefined) {
      metrics.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
      this.startedAt.delete(item);
    }
    if (this.dirty.has(item)) this.push(item);
  }

  len(): number {
    return this.queue.length - this.head;
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  /** Stop accepting items and wake all waiting workers (they get undefined). */
  shutDown(): void {
    this.stopped = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private push(item: T): void {
    this.addedAt.set(item, this.clock.now());
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.begin(item));
      return;
    }
    this.queue.push(item);
    metrics.depth.set({ name: this.name }, this.len());
  }

  private take(): T {
    const item = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    metrics.depth.set({ name: this.name }, this.len());
    return this.begin(item);
  }

  private begin(item: T): T {
    this.dirty.delete(item);
    this.processing.add(item);
    const added = this.addedAt.get(item);
    if (added !== undefined) metrics.queueDuration.observe({ name: this.name }, (this.clock.now() - added) / 1000);
    this.addedAt.delete(item);
    this.startedAt.set(item, this.clock.now());
    return item;
  }
}

/**
 * Run `workers` loops over the queue until it shuts down. Each item goes to `sync`; an error
 * requeues it rate-limited (up to `maxRetries`, then it is dropped and `onDrop` told), success
 * forgets its backoff; `{ requeueAfter }` schedules it again (DESIGN principle 2).
 */
export async function runWorkers<T>(
  queue: WorkQueue<T>,
  workers: number,
  sync: (item: T) => Promise<{ requeueAfter?: number } | void>,
  opts: { maxRetries?: number; onError?: (item: T, err: unknown) => void; onDrop?: (item: T, err: unknown) => void } = {},
): Promise<void> {
  const maxRetries = opts.maxRetries ?? 15;
  const loop = async () => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        const r = await sync(item);
        queue.forget(item);
        if (r && r.requeueAfter !== undefined) queue.addAfter(item, r.requeueAfter);
      } catch (err) {
        opts.onError?.(item, err);
        if (queue.numRequeues(item) < maxRetries) queue.addRateLimited(item);
        else {
          queue.forget(item);
          opts.onDrop?.(item, err);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
}
