// The watch cache (kube-apiserver's cacher): one store watch per resource keeps every object in
// memory plus a window of recent changes, so lists at resourceVersion 0 / NotOlderThan /
// consistent reads and every watcher are served without store reads. A watcher that asks for
// a revision older than the window is served by the store directly (see generic/watch.ts).
import type { Watcher, WatchResponse, KeyValue } from '../../storage/store.js';
import { prefixEnd } from '../../storage/store.js';
import type { KObject } from '../registry/strategy.js';
import { decodeObject } from '../registry/generic/keys.js';
import type { GenericStore } from '../registry/generic/store.js';
import type { Predicate } from '../registry/generic/filter.js';
import type { ListResult } from '../registry/generic/list.js';
import { filterChange, type Change, type WatchEvent, type WatchFilter } from './events.js';
import { logger } from '../../util/log.js';

const log = logger('watchcache');

export interface CacheWatcher {
  filter: WatchFilter;
  /** Only changes after this revision are delivered. */
  afterRv: number;
  send(ev: WatchEvent, change: Change): void;
  /** The cache was reset (store watch lost): the watcher must end (clients re-list). */
  terminate(reason: string): void;
}

export class NotFreshError extends Error {}

export interface WatchCacheOptions {
  /** Changes kept for watch resumption (kube's default cache size is 100 per resource, grown dynamically; we keep more). */
  capacity?: number;
}

export class WatchCache {
  private items = new Map<string, KObject>();
  private sorted: string[] | null = null;
  private history: Change[] = [];
  private capacity: number;
  /** Every change with rv > oldest is in history. */
  private oldest = 0;
  rev = 0;
  ready: Promise<void>;
  private watcher?: Watcher;
  private watchers = new Set<CacheWatcher>();
  private waiters: Array<{ rv: number; resolve: () => void }> = [];
  private closed = false;
  private started = false;
  private prefix: Buffer;

  constructor(
    private s: GenericStore,
    opts: WatchCacheOptions = {},
  ) {
    this.capacity = opts.capacity ?? 10000;
    this.prefix = s.prefix('');
    this.ready = this.start();
    this.ready.catch((e) => log.error({ err: e, resource: s.info.resource }, 'watch cache failed to start'));
  }

  /** The cached object at a store key, once the cache has started (undefined: not cached or not started). */
  getByKey(key: string): KObject | undefined {
    return this.started ? this.items.get(key) : undefined;
  }

  get oldestRevision(): number {
    return this.oldest;
  }

  private async start(): Promise<void> {
    const end = prefixEnd(this.prefix);
    this.items.clear();
    this.sorted = null;
    let key = this.prefix;
    let revision = 0;
    for (;;) {
      const r = await this.s.store.range({ key, rangeEnd: end, limit: 10000, revision });
      revision = r.header.revision;
      for (const kv of r.kvs) {
        const obj = this.decode(kv);
        if (obj) this.items.set(kv.key.toString('utf8'), obj);
      }
      if (!r.more || r.kvs.length === 0) break;
      key = Buffer.concat([r.kvs[r.kvs.length - 1].key, Buffer.from([0])]);
    }
    this.rev = revision;
    this.oldest = revision;
    this.history = [];
    if (this.closed) return;
    this.watcher = await this.s.store.watch({ key: this.prefix, rangeEnd: end, startRevision: revision + 1, prevKv: true, progressNotify: true }, (resp) => this.onResponse(resp));
    this.started = true;
  }

  private onResponse(resp: WatchResponse): void {
    if (resp.canceled) {
      log.warn({ resource: this.s.info.resource, reason: resp.cancelReason, compactRevision: resp.compactRevision }, 'store watch canceled; re-listing');
      for (const w of this.watchers) w.terminate('watch cache reinitialized');
      this.watchers.clear();
      if (!this.closed) this.ready = this.start();
      return;
    }
    for (const ev of resp.events) this.apply(ev.type, ev.kv, ev.prevKv);
    if (resp.header.revision > this.rev) this.rev = resp.header.revision;
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (this.rev >= w.rv) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
  }

  /** A stored object, or undefined (logged) when its value cannot be decoded (not decryptable): kept out of the cache; its GET answers the error. */
  private decode(kv: KeyValue): KObject | undefined {
    try {
      return this.s.typed(decodeObject(kv));
    } catch (e) {
      log.error({ key: kv.key.toString('utf8'), error: (e as Error).message }, 'watch cache: cannot decode stored object; left out');
      return undefined;
    }
  }

  private apply(type: 'PUT' | 'DELETE', kv: KeyValue, prevKv?: KeyValue): void {
    const key = kv.key.toString('utf8');
    const prev = this.items.get(key) ?? (prevKv ? this.decode(prevKv) : undefined);
    let change: Change;
    const decoded = type === 'PUT' ? this.decode(kv) : undefined;
    if (decoded) {
      if (!prev) this.sorted = null;
      this.items.set(key, decoded);
      change = { type: prev ? 'MODIFIED' : 'ADDED', obj: decoded, prev, rv: kv.modRevision, key };
    } else {
      // A delete, or a new value that cannot be decoded: the object leaves the cache.
      if (!prev) return;
      this.items.delete(key);
      this.sorted = null;
      const obj = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(kv.modRevision) } };
      change = { type: 'DELETED', obj, prev, rv: kv.modRevision, key };
    }
    this.history.push(change);
    if (this.history.length > this.capacity) {
      const drop = this.history.splice(0, this.history.length - this.capacity);
      this.oldest = drop[drop.length - 1].rv;
    }
    if (kv.modRevision > this.rev) this.rev = kv.modRevision;
    for (const w of this.watchers) {
      if (change.rv <= w.afterRv) continue;
      const ev = filterChange(change, w.filter);
      if (ev) w.send(ev, change);
    }
  }

  /** Wait until the cache has seen revision `rv` (asking the store for progress), or throw NotFreshError. */
  async waitFor(rv: number, timeoutMs = 3000): Promise<void> {
    await this.ready;
    if (this.rev >= rv) return;
    await new Promise<void>((resolve, reject) => {
      const w = { rv, resolve: () => (clearInterval(t), clearTimeout(to), resolve()) };
      this.waiters.push(w);
      const t = setInterval(() => this.watcher?.requestProgress(), 50);
      const to = setTimeout(() => {
        clearInterval(t);
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new NotFreshError(`watch cache at ${this.rev}, wanted ${rv}`));
      }, timeoutMs);
      this.watcher?.requestProgress();
    });
  }

  private sortedKeys(): string[] {
    // Keys are ASCII (names, namespaces), so string order is the store's byte order.
    if (!this.sorted) this.sorted = [...this.items.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }

  /** All matching objects in namespace `ns` ('' = all) at a revision >= minRv. */
  async list(ns: string, pred: Predicate, minRv: number): Promise<ListResult> {
    await this.waitFor(minRv);
    const keyPrefix = this.s.prefix(ns).toString('utf8');
    const items: KObject[] = [];
    const keys = this.sortedKeys();
    for (const k of keys) {
      if (ns && !k.startsWith(keyPrefix)) continue;
      const o = this.items.get(k)!;
      if (pred.empty || pred.matches(o)) items.push(o);
    }
    // Shared with the cache: callers must not mutate them (handlers only serialize).
    return { items, resourceVersion: String(this.rev) };
  }

  /**
   * Add a watcher. `fromRv` undefined: first an ADDED event for every current match (the
   * "get state and start at most recent" semantics), then changes. Otherwise changes after
   * fromRv from the window; returns false when fromRv is older than the window.
   */
  async watch(w: CacheWatcher, fromRv: number | undefined, initial: boolean): Promise<{ ok: boolean; rv: number }> {
    await this.ready;
    if (fromRv !== undefined && fromRv < this.oldest) return { ok: false, rv: this.rev };
    if (fromRv === undefined || initial) {
      const rv = this.rev;
      w.afterRv = rv;
      for (const k of this.sortedKeys()) {
        const o = this.items.get(k)!;
        if (w.filter.keyPrefix && !k.startsWith(w.filter.keyPrefix)) continue;
        if (w.filter.matches(o)) w.send({ type: 'ADDED', object: o }, { type: 'ADDED', obj: o, rv, key: k });
      }
      this.watchers.add(w);
      return { ok: true, rv };
    }
    w.afterRv = fromRv;
    for (const c of this.history) {
      if (c.rv <= fromRv) continue;
      const ev = filterChange(c, w.filter);
      if (ev) w.send(ev, c);
    }
    w.afterRv = Math.max(fromRv, this.rev);
    this.watchers.add(w);
    return { ok: true, rv: this.rev };
  }

  unwatch(w: CacheWatcher): void {
    this.watchers.delete(w);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  close(): void {
    this.closed = true;
    this.watcher?.cancel();
    for (const w of this.watchers) w.terminate('apiserver shutting down');
    this.watchers.clear();
  }
}
