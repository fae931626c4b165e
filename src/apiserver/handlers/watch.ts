// WATCH: a chunked stream of `{"type":..,"object":..}` lines (JSON; Table rows when asked),
// bookmarks when allowed, ended by timeoutSeconds (default: random 30-60 min, as kube) or by an
// ERROR event (410 Expired when the revision is too old). A client that cannot keep up
// (more than 64 MiB buffered) is disconnected, as kube's cacher terminates slow watchers.
import type { Handler } from './context.js';
import { startWatch, watchOptionsFromQuery, bookmark, type WatchHandle } from '../registry/generic/watch.js';
import type { WatchEvent, Change } from '../watchcache/events.js';
import { parseIncludeObject, partialObjectMetadata, toTable } from '../table.js';
import { badRequest, type ApiError } from '../status.js';
import { watchersGauge } from '../metrics.js';

const maxBuffered = 64 * 1024 * 1024;

export async function handleWatch(h: Handler): Promise<void> {
  const opts = watchOptionsFromQuery(h.query);
  if (h.info.name) {
    const fs = h.query.get('fieldSelector');
    opts.fieldSelector = fs ? `${fs},metadata.name=${h.info.name}` : `metadata.name=${h.info.name}`;
  }
  const ts = h.query.get('timeoutSeconds');
  let timeoutSec: number;
  if (ts !== null && ts !== '') {
    timeoutSec = Number(ts);
    if (!Number.isFinite(timeoutSec) || timeoutSec < 0) throw badRequest(`invalid timeoutSeconds: ${ts}`);
  } else {
    const [lo, hi] = h.state.watchTimeout;
    timeoutSec = lo + Math.random() * (hi - lo);
  }
  const form = h.form;
  const includeObject = form.kind === 'table' ? parseIncludeObject(h.query.get('includeObject')) : 'Metadata';
  const res = h.res;
  const s = h.served.store;
  let headersSent = false;
  let firstTable = true;
  let ended = false;
  const pending: string[] = [];
  const sendHeaders = () => {
    if (headersSent) return;
    headersSent = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };
  const line = (ev: WatchEvent, change?: Change): string => {
    if (form.kind === 'table' && ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') {
      const t = toTable(h.served.strategy, [ev.object], { includeObject, version: form.version, now: h.state.now(), noHeaders: !firstTable });
      firstTable = false;
      return JSON.stringify({ type: ev.type, object: t }) + '\n';
    }
    if (form.kind === 'partial' && ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') return JSON.stringify({ type: ev.type, object: partialObjectMetadata(ev.object, form.version) }) + '\n';
    if (change && change.type === ev.type && change.obj === ev.object) return (change.json ??= JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
    return JSON.stringify({ type: ev.type, object: ev.object }) + '\n';
  };
  let ready = false;
  const write = (data: string) => {
    if (ended) return;
    if (!ready) {
      pending.push(data);
      return;
    }
    sendHeaders();
    res.write(data);
    if (res.writableLength > maxBuffered) finish();
  };
  const sink = {
    send: (ev: WatchEvent, change?: Change) => {
      if (ev.type === 'BOOKMARK' && !opts.allowWatchBookmarks) return;
      write(line(ev, change));
    },
    error: (err: ApiError) => {
      write(JSON.stringify({ type: 'ERROR', object: err.toStatus() }) + '\n');
      finish();
    },
  };
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const live: { timer?: NodeJS.Timeout; handle?: WatchHandle } = {};
  function finish() {
    if (ended) return;
    ended = true;
    live.handle?.stop();
    if (live.timer) clearTimeout(live.timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    sendHeaders();
    for (const p of pending.splice(0)) res.write(p);
    res.end();
  }
  const handle = (live.handle = await startWatch(s, h.ctx, opts, sink));
  if (ended) {
    handle.stop();
    return;
  }
  const gauge = { group: s.info.group, kind: s.info.kind };
  watchersGauge.inc(gauge);
  res.once('close', () => watchersGauge.dec(gauge));
  live.timer = setTimeout(() => finish(), timeoutSec * 1000);
  ready = true;
  sendHeaders();
  for (const p of pending.splice(0)) if (!ended) res.write(p);
  if (opts.allowWatchBookmarks) {
    let lastSent = 0;
    bookmarkTimer = setInterval(() => {
      const rv = handle.revision();
      if (rv > lastSent) {
        lastSent = rv;
        sink.send(bookmark(s, rv));
      }
    }, h.state.bookmarkIntervalMs);
  }
  h.req.on('close', finish);
  res.on('close', finish);
  if (timeoutSec === 0) finish();
}
