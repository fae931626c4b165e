// An event recorder (client-go's record.EventRecorder + EventCorrelator): components report
// what happened to an object as core/v1 Events. A repeat of the same event (same object, type,
// reason, message, source) within the window increments `count` and `lastTimestamp` on the
// existing Event instead of creating another; after `maxSimilar` events with the same reason but
// different messages, they are combined into one "(combined from similar events): ..." Event,
// as Kubernetes does. Writes are asynchronous and never block the caller.
import { logger } from '../util/log.js';
import type { KObject, RestClient } from './rest-client.js';
import { Resources, resourcePath } from './resources.js';

export interface EventSource {
  component: string; // e.g. default-scheduler
  host?: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
  last: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, { count: number; since: number }>();
  private readonly log = logger('events');
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: RestClient,
    private readonly source: EventSource,
    private readonly opts: { windowMs?: number; maxSimilar?: number; now?: () => number } = {},
  ) {}

  /** Record an event about `obj` (type Normal or Warning). */
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = (this.opts.now ?? Date.now)();
    const windowMs = this.opts.windowMs ?? 10 * 60_000;
    const md = obj.metadata ?? {};
    const namespace = md.namespace || 'default';
    const involved = { kind: obj.kind, namespace: md.namespace, name: md.name, uid: md.uid, apiVersion: obj.apiVersion, resourceVersion: md.resourceVersion };
    const objKey = [obj.kind, md.namespace, md.name, md.uid].join('/');
    const similarKey = [objKey, type, reason, this.source.component].join('|');
    let sim = this.similar.get(similarKey);
    if (!sim || now - sim.since > windowMs) this.similar.set(similarKey, (sim = { count: 0, since: now }));
    sim.count++;
    if (sim.count > (this.opts.maxSimilar ?? 10)) message = `(combined from similar events): ${message}`;
    const key = [similarKey, message].join('|');
    const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prev = this.seen.get(key);
    if (prev && now - prev.last < windowMs) {
      prev.count++;
      prev.last = now;
      const body = { count: prev.count, lastTimestamp: ts, message };
      this.enqueue(() => this.client.patch(resourcePath(Resources.events, prev.namespace, prev.name), body, 'merge'));
      return;
    }
    const name = `${md.name}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    this.seen.set(key, { name, namespace, count: 1, first: ts, last: now });
    if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value!);
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      source: this.source,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
    this.enqueue(() => this.client.post(resourcePath(Resources.events, namespace), ev));
  }

  private enqueue(write: () => Promise<unknown>): void {
    this.pending = this.pending.then(write).catch((e) => this.log.debug({ err: (e as Error).message }, 'event write failed'));
  }

  /** Wait for queued writes (tests, shutdown). */
  flush(): Promise<unknown> {
    return this.pending;
  }
}
