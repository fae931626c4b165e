// Watch (kube-apiserver's Store.Watch): from the watch cache when it can serve the requested
// revision, else straight from the store's watch (history back to the last compaction).
// resourceVersion semantics: unset/"0" = current state as ADDED events then changes; N = changes
// after N; too old = 410 Expired. sendInitialEvents=true (with NotOlderThan) ends the initial
// events with a bookmark annotated `k8s.io/initial-events-end: "true"`.
import { prefixEnd, type Watcher } from '../../../storage/store.js';
import type { KObject } from '../strategy.js';
import { ApiError, badRequest, expired, toApiError } from '../../status.js';
import { decodeObject } from './keys.js';
import { makePredicate } from './filter.js';
import { parseRv } from './list.js';
import { filterChange, type Change, type WatchEvent, type WatchFilter } from '../../watchcache/events.js';
import type { CacheWatcher } from '../../watchcache/cache.js';
import type { GenericStore } from './store.js';
import type { RequestContext } from './context.js';

export interface WatchOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
}

export interface WatchSink {
  send(ev: WatchEvent, change?: Change): void;
  /** The watch ended with an error (sent as an ERROR event, then the stream closes). */
  error(err: ApiError): void;
}

export interface WatchHandle {
  stop(): void;
  /** The newest revision the watch has seen (for bookmarks). */
  revision(): number;
}

export function watchOptionsFromQuery(q: URLSearchParams): WatchOptions {
  const sie = q.get('sendInitialEvents');
  return {
    labelSelector: q.get('labelSelector'),
    fieldSelector: q.get('fieldSelector'),
    resourceVersion: q.get('resourceVersion'),
    resourceVersionMatch: q.get('resourceVersionMatch'),
    sendInitialEvents: sie === null ? undefined : sie === 'true',
    allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
  };
}

export const initialEventsEndAnnotation = 'k8s.io/initial-events-end';

export function bookmark(s: GenericStore, rv: number, initialEnd = false): WatchEvent {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEnd) metadata.annotations = { [initialEventsEndAnnotation]: 'true' };
  return { type: 'BOOKMARK', object: { kind: s.info.kind, apiVersion: s.apiVersion, metadata } };
}

export async function startWatch(s: GenericStore, ctx: RequestContext, opts: WatchOptions, sink: WatchSink): Promise<WatchHandle> {
  const pred = makePredicate(s.strategy, opts.labelSelector, opts.fieldSelector);
  const rvStr = opts.resourceVersion ?? '';
  if (opts.sendInitialEvents !== undefined) {
    if (opts.resourceVersionMatch !== 'NotOlderThan') throw badRequest('sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
    if (opts.sendInitialEvents && !opts.allowWatchBookmarks) throw badRequest('allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true');
  } else if (opts.resourceVersionMatch) throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  const initial = opts.sendInitialEvents === true || (opts.sendInitialEvents === undefined && (rvStr === '' || rvStr === '0'));
  const fromRv = rvStr === '' || rvStr === '0' ? undefined : parseRv(rvStr);
  const filter: WatchFilter = { keyPrefix: ctx.namespace && s.info.namespaced ? s.prefix(ctx.namespace).toString('utf8') : '', matches: (o) => pred.matches(o) };
  let lastRv = 0;
  const wc = s.watchCache;
  if (wc) {
    if (opts.sendInitialEvents && fromRv !== undefined) await wc.waitFor(fromRv).catch(() => undefined);
    const w: CacheWatcher = {
      filter,
      afterRv: 0,
      send: (ev, c) => {
        if (c.rv > lastRv) lastRv = c.rv;
        sink.send(ev, c);
      },
      terminate: (reason) => sink.error(new ApiError(410, 'Expired', `watch closed: ${reason}`)),
    };
    const r = await wc.watch(w, initial ? undefined : fromRv, initial);
    if (r.ok) {
      lastRv = Math.max(lastRv, r.rv);
      if (opts.sendInitialEvents) sink.send(bookmark(s, r.rv, true));
      return { stop: () => wc.unwatch(w), revision: () => Math.max(lastRv, wc.rev) };
    }
  }
  return storeWatch(s, filter, initial ? undefined : fromRv, !!opts.sendInitialEvents, sink);
}

async function storeWatch(s: GenericStore, filter: WatchFilter, fromRv: number | undefined, initialEnd: boolean, sink: WatchSink): Promise<WatchHandle> {
  const prefix = filter.keyPrefix ? Buffer.from(filter.keyPrefix) : s.prefix('');
  let start: number;
  let lastRv: number;
  const prevByKey = new Map<string, KObject>();
  if (fromRv === undefined) {
    const r = await s.store.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
    for (const kv of r.kvs) {
      const o = s.typed(decodeObject(kv));
      if (filter.matches(o)) sink.send({ type: 'ADDED', object: o });
    }
    start = r.header.revision + 1;
    lastRv = r.header.revision;
    if (initialEnd) sink.send(bookmark(s, lastRv, true));
  } else {
    start = fromRv + 1;
    lastRv = fromRv;
  }
  let stopped = false;
  const holder: { watcher?: Watcher } = {};
  const watcher = (holder.watcher = await s.store.watch({ key: prefix, rangeEnd: prefixEnd(prefix), startRevision: start, prevKv: true, progressNotify: true }, (resp) => {
    if (stopped) return;
    if (resp.canceled) {
      stopped = true;
      const msg = resp.compactRevision ? `too old resource version: ${fromRv ?? start - 1} (${resp.compactRevision})` : `watch canceled: ${resp.cancelReason ?? ''}`;
      sink.error(expired(msg));
      holder.watcher?.cancel();
      return;
    }
    // A value that cannot be decoded (not decryptable) ends the watch with its Status, as kube's etcd3 watcher does.
    try {
      for (const e of resp.events) {
        const key = e.kv.key.toString('utf8');
        let change: Change;
        if (e.type === 'PUT') {
          const obj = s.typed(decodeObject(e.kv));
          const prev = e.prevKv ? s.typed(decodeObject(e.prevKv)) : prevByKey.get(key);
          change = { type: e.kv.createRevision === e.kv.modRevision ? 'ADDED' : 'MODIFIED', obj, prev, rv: e.kv.modRevision, key };
        } else {
          const prev = e.prevKv ? s.typed(decodeObject(e.prevKv)) : prevByKey.get(key);
          if (!prev) continue;
          const obj = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(e.kv.modRevision) } };
          change = { type: 'DELETED', obj, prev, rv: e.kv.modRevision, key };
        }
        const ev = filterChange(change, filter);
        if (ev) sink.send(ev, change);
      }
    } catch (e) {
      stopped = true;
      sink.error(toApiError(e));
      holder.watcher?.cancel();
      return;
    }
    if (resp.header.revision > lastRv) lastRv = resp.header.revision;
  }));
  return {
    stop: () => {
      stopped = true;
      watcher.cancel();
    },
    revision: () => lastRv,
  };
}
