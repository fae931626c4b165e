// The mvcc store: etcd 3.4's key-value semantics over the LMDB backend.
//
// Write path: a request is decided synchronously against the in-memory current index (WriteTxn),
// takes the next revision if it changed anything, updates the index, appends its rows to the
// current group-commit batch, and is answered once that batch is durable (its WAL record is on
// disk; LMDB follows a little behind, see backend.ts). Watch events are published right after the
// batch is durable, in revision order.
// Read path: a range reads the index synchronously (a consistent state at the newest decided
// revision R) and answers once R is durable, so no client ever sees a write that a crash could
// lose (the same guarantee as etcd's linearizable reads). Past revisions read LMDB history, once
// LMDB holds them (be.applied()).
import type {
  AlarmMember,
  AlarmType,
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Event,
  HashKVResponse,
  LeaseGrantResponse,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  SnapshotServerTables,
  StatusResponse,
  Store,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
  Watcher,
} from '../store.js';
import { storeError } from '../errors.js';
import { Backend, type CommitBatch } from './backend.js';
import { encodeOwnedKv, ownCopy, revKey } from './codec.js';
import { loadCurrentKeys, readCurrent, scanAt, scanAtRecent, scanCurrent } from './key-index.js';
import { CurrentIndex } from './current-index.js';
import { toKeyRange } from './key-range.js';
import { Lessor } from './lessor.js';
import { resolveOptions, type MvccOptions, type ResolvedOptions } from './options.js';
import { fetchLimit, shapeRange, validateRange } from './range.js';
import {
  execDelete,
  execPut,
  execTxn,
  maxRangeRevision,
  putCost,
  txnHasWrites,
  txnPutCost,
  validateDelete,
  validatePut,
  validateTxn,
  type TxnEnv,
} from './txn.js';
import { WatchHub, type WatchListener } from './watch-hub.js';
import { WriteTxn } from './write-txn.js';
import { deleteEventKv, History } from './history.js';
import { Quota } from './quota.js';
import { Compactor } from './compactor.js';
import * as maint from './maintenance.js';
import * as leaseOps from './lease-ops.js';

/** Past revisions at most this far back are read through the current index and the log. */
const RECENT_REVISIONS = 100_000;

export class MvccStore implements Store {
  readonly opts: ResolvedOptions;
  readonly be: Backend;
  readonly idx: CurrentIndex;
  readonly lessor: Lessor;
  readonly hub: WatchHub;
  readonly history: History;
  readonly quota: Quota;
  readonly compactor: Compactor;
  /** Newest revision decided (may not be durable yet). */
  appliedRev = 1;
  /** Newest revision durable on disk. */
  committedRev = 1;
  /** Whether a compaction was ever requested (etcd's compacted revision is -1 until then). */
  private everCompacted = false;
  /** Compacted revision: reads below it fail. */
  compactRev = 0;
  closed = false;
  /** Set while the backend is being swapped (defragment); operations wait for it. */
  paused: Promise<void> | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;

  constructor(options: MvccOptions) {
    this.opts = resolveOptions(options);
    this.be = new Backend(
      this.opts.dataDir,
      Math.max(8 * 1024 ** 3, this.opts.quotaBackendBytes * 2),
      this.opts.backendBatchIntervalMs,
      this.opts.backendBatchLimit,
    );
    this.idx = new CurrentIndex((ks) => readCurrent(this.be, ks));
    this.lessor = new Lessor(this.be, this.opts.clock);
    this.history = new History(this.be);
    this.quota = new Quota(this);
    this.compactor = new Compactor(this);
    this.hub = new WatchHub({
      header: (rev) => this.header(rev),
      history: this.history,
      visibleRev: () => this.be.visibleRev,
      whenVisible: () => this.be.applied(),
      progressNotifyIntervalMs: this.opts.progressNotifyIntervalMs,
      maxQueuedEvents: this.opts.maxWatcherQueuedEvents,
    });
  }

  /** Open the backend and recover state (revision, compaction, leases, alarms); no history replay. */
  open(): void {
    this.be.open();
    this.be.afterDurable = (b) => this.afterDurable(b);
    this.be.afterApply = () => this.quota.committed();
    this.appliedRev = this.be.getMetaNumber('rev') ?? 1;
    this.committedRev = this.appliedRev;
    loadCurrentKeys(this.be, this.idx);
    this.compactRev = this.be.getMetaNumber('compact') ?? 0;
    this.everCompacted = this.be.getMetaNumber('compact') !== undefined;
    this.hub.publishedRev = this.appliedRev;
    this.hub.compactRev = this.compactRev;
    this.lessor.load();
    this.quota.load();
    this.compactor.resume();
    this.leaseTimer = setInterval(() => leaseOps.expireLeases(this), this.opts.leaseCheckIntervalMs);
    this.leaseTimer.unref();
  }

  header(revision: number): ResponseHeader {
    return { clusterId: this.opts.clusterId, memberId: this.opts.memberId, revision, raftTerm: 1 };
  }

  /** Wait until everything decided so far is durable; answers that revision. */
  async readRev(): Promise<number> {
    const rev = this.appliedRev;
    if (rev > this.committedRev) await this.be.durable();
    return rev;
  }

  check(): void {
    if (this.closed) throw storeError('Stopped');
    if (this.be.failed) throw storeError('Corrupt');
  }

  async ready(): Promise<void> {
    while (this.paused) await this.paused;
    this.check();
  }

  // ---- reads ----

  async range(req: RangeRequest): Promise<RangeResponse> {
    if (this.paused) await this.ready();
    this.check();
    validateRange(req);
    const cur = this.appliedRev;
    const rev = req.revision ?? 0;
    if (rev > cur) throw storeError('FutureRev');
    if (rev > 0 && rev < this.compactRev) throw storeError('Compacted');
    const r = toKeyRange(req.key, req.rangeEnd);
    const header = this.header(cur);
    if (rev === 0 || rev === cur) {
      const { kvs, count } = scanCurrent(this.idx, r, fetchLimit(req), req.countOnly);
      if (cur > this.committedRev) await this.be.durable();
      return shapeRange(req, kvs, count, header);
    }
    if (rev > this.committedRev) await this.be.durable();
    if (rev > this.be.visibleRev) await this.be.applied();
    // Recent revisions: current index + the log since; old ones: the history rows of the range.
    const kvs =
      this.appliedRev - rev <= RECENT_REVISIONS ? scanAtRecent(this.be, this.idx, r, rev, this.be.visibleRev) : scanAt(this.be, r, rev);
    return shapeRange(req, cut(kvs, fetchLimit(req)), kvs.length, header);
  }

  /** A range inside a writing txn: sees pending writes and the txn's own changes. */
  rangeInTxn(t: WriteTxn, req: RangeRequest, header: ResponseHeader): RangeResponse {
    const cur = t.rev - 1 + (t.changes.size > 0 ? 1 : 0);
    const rev = req.revision ?? 0;
    if (rev > cur) throw storeError('FutureRev');
    if (rev > 0 && rev < this.compactRev) throw storeError('Compacted');
    const r = toKeyRange(req.key, req.rangeEnd);
    let kvs;
    if (rev === 0 || rev === cur) kvs = t.range(r);
    else if (rev <= this.be.visibleRev) kvs = scanAt(this.be, r, rev);
    // Known limitation: a past revision that is decided but not yet durable is not readable from
    // inside a txn (only reachable by guessing a revision no response has reported yet); txn()
    // waits for durable ones to be visible in LMDB before deciding.
    else throw storeError('FutureRev');
    if (req.countOnly) return shapeRange(req, [], kvs.length, header);
    return shapeRange(req, cut(kvs, fetchLimit(req)), kvs.length, header);
  }

  // ---- writes ----

  /** Decide a write request, commit its changes to the current batch, answer once durable. */
  async write<T>(fn: (env: TxnEnv) => T): Promise<T> {
    if (this.paused) await this.ready();
    this.check();
    const t = new WriteTxn(this.idx, this.appliedRev + 1);
    const header = this.header(0);
    const env = new StoreTxnEnv(this, t, header);
    const res = fn(env);
    this.commit(t);
    header.revision = this.appliedRev;
    await this.be.durable();
    return res;
  }

  /** Apply a decided txn: index, batch rows, lease attachments, events. */
  commit(t: WriteTxn): void {
    if (t.changes.size === 0) return;
    const rev = t.rev;
    this.appliedRev = rev;
    const b = this.be.current();
    if (!b.firstRev) b.firstRev = rev;
    b.lastRev = rev;
    const events: Event[] = [];
    for (const [ks, c] of t.changes) {
      let key: Buffer;
      if (c.kv) {
        // One allocation holds the kv's own key, and the row that both tables store.
        const rec = encodeOwnedKv(c.kv);
        key = c.kv.key;
        this.be.putKv(key, rev, rec);
        events.push(c.prev ? { type: 'PUT', kv: c.kv, prevKv: c.prev } : { type: 'PUT', kv: c.kv });
      } else {
        // Kept by the log, the event and the lessor: our own copy (the caller's may be reused).
        key = ownCopy(c.key);
        this.be.removeKv(key, rev);
        const kv = deleteEventKv(key, rev);
        events.push(c.prev ? { type: 'DELETE', kv, prevKv: c.prev } : { type: 'DELETE', kv });
      }
      b.log.push({ rev, key });
      if (c.kv) this.idx.set(ks, c.kv);
      else this.idx.delete(ks);
      const oldLease = c.prev?.lease ?? 0n;
      const newLease = c.kv?.lease ?? 0n;
      if (oldLease !== newLease) {
        if (oldLease !== 0n) this.lessor.detach(oldLease, key);
        if (newLease !== 0n) this.lessor.attach(newLease, key);
      }
    }
    b.events.push({ rev, events });
  }

  /** A batch is durable: its revisions are readable and its watch events go out. */
  private afterDurable(b: CommitBatch): void {
    if (b.lastRev) this.committedRev = b.lastRev;
    if (b.events.length) this.hub.publish(b.events);
  }

  // Not async: one promise per put (write's) instead of two; a refusal is a rejected promise.
  put(req: PutRequest): Promise<PutResponse> {
    try {
      validatePut(req);
      this.quota.check(putCost(req));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.write((env) => execPut(env, req));
  }

  async deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    validateDelete(req);
    return this.write((env) => execDelete(env, req));
  }

  async txn(req: TxnRequest): Promise<TxnResponse> {
    validateTxn(req, this.opts.maxTxnOps);
    if (txnHasWrites(req)) {
      const cost = txnPutCost(req);
      if (cost > 0) this.quota.check(cost);
    }
    // A range at a durable past revision reads LMDB's history: wait until it holds that revision.
    const pastRev = maxRangeRevision(req);
    if (pastRev > this.be.visibleRev && pastRev <= this.committedRev) await this.be.applied();
    return this.write((env) => execTxn(env, req));
  }

  async compact(req: CompactionRequest): Promise<{ header: ResponseHeader }> {
    if (this.paused) await this.ready();
    this.check();
    const rev = req.revision;
    // etcd starts from compacted revision -1: compacting at 0 once succeeds (and changes nothing).
    const first = rev === 0 && !this.everCompacted;
    if (rev <= this.compactRev && !first) throw storeError('Compacted');
    this.everCompacted = true;
    if (rev > this.appliedRev) throw storeError('FutureRev');
    this.compactRev = rev;
    this.be.setMeta('compact', revKey(rev));
    this.hub.compacted(rev);
    await this.be.durable();
    const done = this.compactor.schedule(rev);
    if (req.physical) await done;
    return { header: this.header(this.appliedRev) };
  }

  // ---- watch ----

  async watch(req: WatchRequest, listener: (resp: WatchResponse) => void): Promise<Watcher> {
    if (this.paused) await this.ready();
    this.check();
    if (!req.key || req.key.length === 0) throw storeError('EmptyKey');
    return this.hub.watch(req, listener as WatchListener);
  }

  // ---- leases ----

  leaseGrant(ttl: number, id: bigint = 0n): Promise<LeaseGrantResponse> {
    return leaseOps.grant(this, ttl, id);
  }
  leaseRevoke(id: bigint): Promise<{ header: ResponseHeader }> {
    return leaseOps.revoke(this, id);
  }
  leaseKeepAlive(id: bigint): Promise<{ header: ResponseHeader; id: bigint; ttl: number }> {
    return leaseOps.keepAlive(this, id);
  }
  leaseTimeToLive(id: bigint, keys?: boolean): Promise<LeaseTimeToLiveResponse> {
    return leaseOps.timeToLive(this, id, keys);
  }
  leaseLeases(): Promise<{ header: ResponseHeader; leases: bigint[] }> {
    return leaseOps.leases(this);
  }

  // ---- maintenance ----

  status(): Promise<StatusResponse> {
    return maint.status(this);
  }
  snapshot(tables?: SnapshotServerTables): AsyncIterable<Buffer> {
    return maint.snapshot(this, tables);
  }
  hashKV(revision?: number): Promise<HashKVResponse> {
    return maint.hashKV(this, revision ?? 0);
  }
  defragment(): Promise<void> {
    return maint.defragment(this);
  }
  async alarms(): Promise<AlarmMember[]> {
    this.check();
    return this.quota.alarms();
  }
  async alarmDisarm(alarm: AlarmType): Promise<AlarmMember[]> {
    this.check();
    const out = this.quota.disarm(alarm);
    await this.be.durable();
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.paused) await this.paused;
    this.closed = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.hub.close();
    await this.compactor.stop();
    await this.be.close();
  }
}

function cut<T>(a: T[], n: number): T[] {
  return n > 0 && a.length > n ? a.slice(0, n) : a;
}

/** What a txn executes against (a class, not closures: this is the per-request hot path). */
class StoreTxnEnv implements TxnEnv {
  constructor(
    private readonly s: MvccStore,
    readonly t: WriteTxn,
    readonly header: ResponseHeader,
  ) {}
  leaseExists(id: bigint): boolean {
    return this.s.lessor.lookup(id) !== undefined;
  }
  range(req: RangeRequest): RangeResponse {
    // As etcd's write txn: a range before the txn's first change answers at the revision the txn
    // started from; after it, at the txn's own revision (the shared header, set once committed).
    const header = this.t.changes.size > 0 ? this.header : { ...this.header, revision: this.t.rev - 1 };
    return this.s.rangeInTxn(this.t, req, header);
  }
}
