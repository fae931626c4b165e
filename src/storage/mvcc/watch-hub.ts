// The watch hub: watchers registered against key ranges; committed events are fanned out in
// revision order; a watcher that starts in the past catches up from history (unsynced) before it
// joins the live stream (synced).
//
// Delivery: the listener is called synchronously. A listener may return a Promise to apply
// backpressure: the hub then queues further responses for that watcher until the promise settles,
// and cancels the watcher (canceled: true, cancelReason set) once more than `maxQueuedEvents`
// events are queued, rather than buffering without bound.
import type { Event, ResponseHeader, WatchRequest, WatchResponse, Watcher } from '../store.js';
import { inRange, toKeyRange, type KeyRange } from './key-range.js';

export type WatchListener = (resp: WatchResponse) => void | Promise<unknown>;

export interface HistorySource {
  /** Events of revisions [from, to] (whole revisions, at most about `maxEvents` events unless one revision is larger). */
  readHistory(from: number, to: number, maxEvents: number): Array<{ rev: number; events: Event[] }>;
  /** Value of key just before `rev` (prevKv for replayed events). */
  prevOf(key: Buffer, rev: number): Event['prevKv'];
}

export interface HubOptions {
  header: (rev: number) => ResponseHeader;
  history: HistorySource;
  /**
   * Newest revision `history` can read (published revisions may be ahead of it for a moment:
   * events go out once durable, history is readable once visible in LMDB). Default: all.
   */
  visibleRev?: () => number;
  /** Resolves once `history` can read every published revision. */
  whenVisible?: () => Promise<void>;
  progressNotifyIntervalMs: number;
  maxQueuedEvents: number;
}

export const SLOW_WATCHER_REASON = 'mvcc: watcher canceled: listener too slow (queued events limit reached)';

class WatcherImpl implements Watcher {
  readonly range: KeyRange;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  /** Next revision this watcher must see. */
  nextRev = 0;
  synced = false;
  canceled = false;
  sentSinceTick = false;
  progressWanted = false;
  busy = false;
  queue: WatchResponse[] = [];
  queuedEvents = 0;

  constructor(
    readonly hub: WatchHub,
    readonly req: WatchRequest,
    readonly listener: WatchListener,
  ) {
    this.range = toKeyRange(req.key, req.rangeEnd);
    this.noPut = !!req.filters?.includes('NOPUT');
    this.noDelete = !!req.filters?.includes('NODELETE');
  }

  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    this.queue = [];
    this.hub.remove(this);
  }

  requestProgress(): void {
    if (this.canceled) return;
    if (this.synced) this.hub.sendProgress(this);
    else this.progressWanted = true;
  }

  /** The events of `evs` this watcher wants (range, filters, prevKv). */
  select(evs: Event[], history: HistorySource): Event[] {
    const out: Event[] = [];
    for (const e of evs) {
      if (e.type === 'PUT' ? this.noPut : this.noDelete) continue;
      if (!inRange(this.range, e.kv.key)) continue;
      if (this.req.prevKv) {
        let prev = e.prevKv;
        if (prev === undefined && history) prev = history.prevOf(e.kv.key, e.kv.modRevision);
        out.push(prev ? { type: e.type, kv: e.kv, prevKv: prev } : { type: e.type, kv: e.kv });
      } else out.push(e.prevKv ? { type: e.type, kv: e.kv } : e);
    }
    return out;
  }

  send(resp: WatchResponse): void {
    if (this.canceled) return;
    this.sentSinceTick = true;
    if (this.busy) {
      this.queue.push(resp);
      this.queuedEvents += resp.events.length;
      if (this.queuedEvents > this.hub.opts.maxQueuedEvents) {
        this.queue = [];
        const header = resp.header;
        this.canceled = true;
        this.hub.remove(this);
        this.deliverNow({ header, events: [], canceled: true, cancelReason: SLOW_WATCHER_REASON });
      }
      return;
    }
    this.deliverNow(resp);
  }

  private deliverNow(resp: WatchResponse): void {
    let r: void | Promise<unknown>;
    try {
      r = this.listener(resp);
    } catch {
      return;
    }
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      this.busy = true;
      const done = () => {
        this.busy = false;
        const next = this.queue.shift();
        if (next) {
          this.queuedEvents -= next.events.length;
          if (!this.canceled) this.deliverNow(next);
        }
      };
      (r as Promise<unknown>).then(done, done);
    }
  }
}

export class WatchHub {
  private readonly synced = new Set<WatcherImpl>();
  private readonly unsynced = new Set<WatcherImpl>();
  private timer: NodeJS.Timeout | null = null;
  private catchingUp = false;
  /** Highest revision whose events were published. */
  publishedRev = 1;
  compactRev = 0;

  constructor(readonly opts: HubOptions) {
    if (opts.progressNotifyIntervalMs > 0) {
      this.timer = setInterval(() => this.tick(), opts.progressNotifyIntervalMs);
      this.timer.unref();
    }
  }

  get size(): number {
    return this.synced.size + this.unsynced.size;
  }

  watch(req: WatchRequest, listener: WatchListener): Watcher {
    const w = new WatcherImpl(this, req, listener);
    const start = req.startRevision ?? 0;
    if (start > 0 && start < this.compactRev) {
      const resp = { header: this.opts.header(this.publishedRev), events: [], canceled: true, compactRevision: this.compactRev };
      queueMicrotask(() => {
        w.send(resp);
        w.canceled = true;
      });
      return w;
    }
    if (start === 0 || start > this.publishedRev) {
      w.nextRev = start === 0 ? this.publishedRev + 1 : start;
      w.synced = true;
      this.synced.add(w);
    } else {
      w.nextRev = start;
      this.unsynced.add(w);
      this.catchUp();
    }
    return w;
  }

  remove(w: WatcherImpl): void {
    this.synced.delete(w);
    this.unsynced.delete(w);
  }

  /** Publish committed revisions (in revision order). */
  publish(revs: Array<{ rev: number; events: Event[] }>): void {
    if (revs.length === 0) return;
    const last = revs[revs.length - 1].rev;
    this.publishedRev = last;
    if (this.synced.size === 0) return;
    const header = this.opts.header(last);
    for (const w of this.synced) {
      let evs: Event[] = [];
      for (const r of revs) {
        if (r.rev < w.nextRev) continue;
        const sel = w.select(r.events, this.opts.history);
        if (sel.length) evs = evs.length ? evs.concat(sel) : sel;
      }
      // Never backwards: a watcher may have started past these revisions.
      if (w.nextRev <= last) w.nextRev = last + 1;
      if (evs.length) w.send({ header, events: evs });
    }
  }

  /** Replay history to unsynced watchers, in chunks, until they reach the published revision. */
  private catchUp(): void {
    if (this.catchingUp) return;
    this.catchingUp = true;
    setImmediate(() => {
      this.catchingUp = false;
      let waitVisible = false;
      for (const w of this.unsynced) {
        if (w.canceled) continue;
        if (w.nextRev < this.compactRev) {
          this.unsynced.delete(w);
          w.send({ header: this.opts.header(this.publishedRev), events: [], canceled: true, compactRevision: this.compactRev });
          w.canceled = true;
          continue;
        }
        const to = Math.min(this.publishedRev, this.opts.visibleRev ? this.opts.visibleRev() : Infinity);
        if (w.nextRev <= to) {
          const chunk = this.opts.history.readHistory(w.nextRev, to, 1000);
          let evs: Event[] = [];
          let lastRev = w.nextRev - 1;
          for (const r of chunk) {
            const sel = w.select(r.events, this.opts.history);
            if (sel.length) evs = evs.concat(sel);
            lastRev = r.rev;
          }
          w.nextRev = chunk.length ? lastRev + 1 : to + 1;
          if (evs.length) w.send({ header: this.opts.header(this.publishedRev), events: evs });
        }
        if (w.nextRev > this.publishedRev) {
          this.unsynced.delete(w);
          w.synced = true;
          this.synced.add(w);
          if (w.progressWanted) {
            w.progressWanted = false;
            this.sendProgress(w);
          }
        } else if (w.nextRev > to) waitVisible = true;
      }
      if (waitVisible && this.opts.whenVisible) {
        // Caught up with what history holds: go on once the rest of the published revisions is in it.
        this.opts.whenVisible().then(
          () => this.catchUp(),
          () => undefined,
        );
      } else if (this.unsynced.size) this.catchUp();
    });
  }

  sendProgress(w: WatcherImpl): void {
    w.send({ header: this.opts.header(this.publishedRev), events: [] });
  }

  private tick(): void {
    for (const w of this.synced) {
      if (w.req.progressNotify && !w.sentSinceTick) this.sendProgress(w);
      w.sentSinceTick = false;
    }
  }

  /** After a compaction: unsynced watchers behind it are canceled on their next catch-up step. */
  compacted(rev: number): void {
    this.compactRev = rev;
    if (this.unsynced.size) this.catchUp();
  }

  /** Cancel every watcher (store closing). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const w of [...this.synced, ...this.unsynced]) w.canceled = true;
    this.synced.clear();
    this.unsynced.clear();
  }
}
