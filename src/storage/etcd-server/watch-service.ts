// etcdserverpb.Watch: one bidi stream carries many watchers (etcd 3.4 v3rpc/watch.go semantics).
//
// - watch ids start at 0 per stream (a client may choose its own; a taken id is refused with
//   created+canceled, as etcd); the created reply (header = current revision) comes before events;
// - a start revision at or below the compacted revision gets created, then canceled with
//   compact_revision; a future one waits;
// - progress_request -> one reply with watch_id -1 and the current revision (etcd 3.4);
// - cancel_request -> canceled reply for a known id, nothing for an unknown one;
// - fragment is accepted and ignored (whole revisions are sent);
// - bounded memory: when the stream's unsent backlog passes a limit (the client stopped reading),
//   the watchers producing more events are suspended (their store watch canceled) and resume from
//   their next revision once the backlog drains, replaying history (or answering compacted);
// - a client that vanishes cancels every store watch of its stream.
import type { ServiceImplementation } from './grpc/server.js';
import { headerToPb, watchRequestFromPb } from '../etcd-proto/index.js';
import type { PbWatchRequest, PbWatchResponse } from '../etcd-proto/index.js';
import { StoreError } from '../errors.js';
import type { WatchRequest, WatchResponse, Watcher } from '../store.js';
import type { ServerContext } from './context.js';
import { authInfoOf, toStatus } from './grpc-util.js';
import type { StreamCall } from './grpc/call.js';
import { WatchOutput } from './watch-output.js';
import type { AuthInfo } from './auth-store.js';

/**
 * Unsent backlog limits per stream before watchers are suspended. The byte limit bounds memory; the
 * message limit only bounds per-message overhead, and leaves room for a burst of small responses on
 * a stream multiplexing many watchers (50 watchers x 80 revisions), since suspending and replaying
 * from history costs far more than the burst.
 */
export const WATCH_BACKLOG_MAX_MESSAGES = 4096;
export const WATCH_BACKLOG_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Responses carrying several revisions (history replay) are split at revision boundaries to stay
 * under this size: grpc clients other than etcd's Go client refuse messages over 4 MiB. A single
 * revision is only split when the watcher asked for fragments (etcd's `fragment`).
 */
export const WATCH_MESSAGE_TARGET_BYTES = 2 * 1024 * 1024;

interface WatchState {
  id: number;
  /** The client asked for large revisions to be split into fragments. */
  fragment: boolean;
  req: WatchRequest;
  watcher?: Watcher;
  /** Revision of the last event batch queued for this watcher (0 = none yet). */
  lastRev: number;
  /** Created reply sent; events before it are held in `early`. */
  ready: boolean;
  early: WatchResponse[];
  suspended: boolean;
  done: boolean;
}

type Call = StreamCall;

function responseBytes(r: WatchResponse): number {
  let n = 64;
  for (const e of r.events) n += 48 + e.kv.key.length + e.kv.value.length + (e.prevKv ? 48 + e.prevKv.key.length + e.prevKv.value.length : 0);
  return n;
}

class WatchStream {
  private readonly watchers = new Map<number, WatchState>();
  private nextId = 0;
  private closed = false;
  private pendingMsgs = 0;
  private pendingBytes = 0;
  private readonly auth: AuthInfo | undefined;
  private authError: unknown;

  /** Responses queued this turn, written together. */
  private readonly out: WatchOutput;

  constructor(
    private readonly ctx: ServerContext,
    private readonly call: Call,
  ) {
    this.out = new WatchOutput(call, (messages, bytes) => {
      this.pendingMsgs -= messages;
      this.pendingBytes -= bytes;
      if (this.pendingMsgs < WATCH_BACKLOG_MAX_MESSAGES / 2 && this.pendingBytes < WATCH_BACKLOG_MAX_BYTES / 2) this.resumeSuspended();
    });
    try {
      this.auth = authInfoOf(ctx, call);
    } catch (e) {
      this.authError = e;
    }
    call.on('data', (pb: PbWatchRequest) => this.onRequest(pb));
    // A client half-close ends no watch: etcd's recvLoop returns on EOF without error and the stream
    // keeps sending events until the client cancels it (the gateway half-closes once the request
    // body is read, and its watchers live on).
    call.on('cancelled', () => this.close());
  }

  /** The client cancelled the stream (or went away): stop its watchers. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers.values()) this.stop(w);
    this.watchers.clear();
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers.values()) this.stop(w);
    this.watchers.clear();
    this.out.flush();
    this.call.fail(toStatus(err));
  }

  private stop(w: WatchState): void {
    if (w.done) return;
    w.done = true;
    if (w.watcher) this.ctx.metrics.watchers.dec();
    w.watcher?.cancel();
    w.watcher = undefined;
  }

  /** Queue a response other than events (created, canceled, progress). */
  private send(msg: PbWatchResponse, bytes: number): void {
    if (this.closed) return;
    this.pendingMsgs++;
    this.pendingBytes += bytes;
    this.out.message(msg, bytes);
  }

  private overloaded(): boolean {
    return this.pendingMsgs >= WATCH_BACKLOG_MAX_MESSAGES || this.pendingBytes >= WATCH_BACKLOG_MAX_BYTES;
  }

  private onRequest(pb: PbWatchRequest): void {
    if (this.closed) return;
    if (this.authError) return this.fail(this.authError);
    let r;
    try {
      r = watchRequestFromPb(pb);
    } catch {
      return; // an unknown filter value or the like: etcd ignores what it cannot use
    }
    if (!r) return;
    if ('create' in r) void this.create(r.create, r.watchId, r.fragment).catch((e: unknown) => this.fail(e));
    else if ('cancel' in r) void this.cancel(r.cancel.watchId).catch((e: unknown) => this.fail(e));
    else void this.progress().catch((e: unknown) => this.fail(e));
  }

  private async create(req: WatchRequest, wantId: number, fragment: boolean): Promise<void> {
    if (req.key.length === 0) req.key = Buffer.from([0]);
    const h = await this.ctx.header();
    const rev = h.revision;
    if (this.closed) return;
    let permitted = true;
    try {
      this.ctx.auth.checkRange(this.auth, req.key, req.rangeEnd, 'READ');
    } catch {
      permitted = false;
    }
    const header = headerToPb(h);
    if (!permitted) {
      this.send({ header, watch_id: String(wantId), created: true, canceled: true, cancel_reason: 'rpc error: code = PermissionDenied desc = etcdserver: permission denied' }, 64);
      return;
    }
    let id = wantId;
    if (id === 0) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else if (this.watchers.has(id)) {
      this.send({ header, watch_id: '-1', created: true, canceled: true, cancel_reason: 'mvcc: duplicate watch ID provided on the WatchStream' }, 64);
      return;
    }
    const w: WatchState = { id, fragment, req: { ...req, startRevision: req.startRevision || rev + 1 }, lastRev: 0, ready: false, early: [], suspended: false, done: false };
    this.watchers.set(id, w);
    try {
      await this.startStoreWatch(w);
    } catch (e) {
      this.watchers.delete(id);
      if (e instanceof StoreError) {
        this.send({ header, watch_id: String(id), created: true, canceled: true, cancel_reason: e.message }, 64);
        return;
      }
      throw e;
    }
    if (this.closed || w.done) return;
    this.send({ header, watch_id: String(id), created: true }, 64);
    w.ready = true;
    const early = w.early;
    w.early = [];
    for (const resp of early) this.deliver(w, resp);
  }

  private async startStoreWatch(w: WatchState): Promise<void> {
    const watcher = await this.ctx.store.watch(w.req, (resp) => {
      if (w.done || w.suspended) return;
      if (!w.ready) w.early.push(resp);
      else this.deliver(w, resp);
    });
    if (w.done || this.closed) {
      watcher.cancel();
      return;
    }
    w.watcher = watcher;
    this.ctx.metrics.watchers.inc();
  }

  private deliver(w: WatchState, resp: WatchResponse): void {
    if (w.done || w.suspended || this.closed) return;
    if (resp.events.length > 0 && this.overloaded()) {
      // The client is not reading: stop producing for this watcher, catch up later from history.
      w.suspended = true;
      this.ctx.log.warn({ watchId: w.id, lastRevision: w.lastRev, backlogMessages: this.pendingMsgs, backlogBytes: this.pendingBytes }, 'watch client not reading: watcher suspended');
      if (w.watcher) this.ctx.metrics.watchers.dec();
      w.watcher?.cancel();
      w.watcher = undefined;
      return;
    }
    if (resp.events.length > 0) w.lastRev = resp.events[resp.events.length - 1].kv.modRevision;
    for (const part of this.split(w, resp)) {
      if (this.closed) return;
      this.pendingMsgs++;
      this.pendingBytes += part.bytes;
      this.out.event(part.resp, { watchId: w.id, fragment: part.fragment, canceled: !!part.resp.compactRevision }, part.bytes);
    }
    if (resp.canceled || resp.compactRevision) {
      this.stop(w);
      this.watchers.delete(w.id);
    }
  }

  /** Split a large response at revision boundaries (and within a revision with fragment). */
  private split(w: WatchState, resp: WatchResponse): Array<{ resp: WatchResponse; bytes: number; fragment: boolean }> {
    const total = responseBytes(resp);
    if (total <= WATCH_MESSAGE_TARGET_BYTES || resp.events.length < 2) return [{ resp, bytes: total, fragment: false }];
    const out: Array<{ resp: WatchResponse; bytes: number; fragment: boolean }> = [];
    let cur: WatchResponse['events'] = [];
    let curBytes = 0;
    const flush = (fragment: boolean) => {
      if (!cur.length) return;
      out.push({ resp: { header: resp.header, events: cur }, bytes: curBytes, fragment });
      cur = [];
      curBytes = 0;
    };
    for (let i = 0; i < resp.events.length; i++) {
      const e = resp.events[i];
      const size = responseBytes({ header: resp.header, events: [e] });
      const rev = e.kv.modRevision;
      const sameRevAsPrev = cur.length > 0 && cur[cur.length - 1].kv.modRevision === rev;
      if (curBytes + size > WATCH_MESSAGE_TARGET_BYTES && cur.length > 0) {
        if (!sameRevAsPrev) flush(false);
        else if (w.fragment) flush(true);
      }
      cur.push(e);
      curBytes += size;
    }
    flush(false);
    return out;
  }

  private resumeSuspended(): void {
    for (const w of this.watchers.values()) {
      if (!w.suspended || w.done || this.closed) continue;
      if (this.overloaded()) return;
      w.suspended = false;
      this.ctx.log.warn({ watchId: w.id, from: w.lastRev + 1 }, 'watch client reading again: watcher resumes');
      if (w.lastRev > 0) w.req = { ...w.req, startRevision: w.lastRev + 1 };
      this.startStoreWatch(w).catch((e: unknown) => this.fail(e));
    }
  }

  private async cancel(id: number): Promise<void> {
    const w = this.watchers.get(id);
    if (!w) return;
    this.stop(w);
    this.watchers.delete(id);
    const h = await this.ctx.header();
    this.send({ header: headerToPb(h), watch_id: String(id), canceled: true }, 64);
  }

  private async progress(): Promise<void> {
    const h = await this.ctx.header();
    this.send({ header: headerToPb(h), watch_id: '-1' }, 64);
  }
}

export function watchService(ctx: ServerContext): ServiceImplementation {
  return {
    Watch: (call: Call) => {
      new WatchStream(ctx, call);
    },
  };
}
