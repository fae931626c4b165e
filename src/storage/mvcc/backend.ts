// The LMDB backend: one environment file (<dataDir>/data.mdb) with the tables described in
// codec.ts, the write-ahead log (wal.ts) and the group commit that makes writes durable.
//
// Group commit: writers never touch LMDB directly. A committed mvcc write appends its table
// writes to the current batch; at the end of the event turn (setImmediate) the batch is appended
// to the WAL as one record, and is durable, and acknowledged, once that record is on disk (one
// O_DSYNC write): the WAL alone makes it survive a crash.
//
// LMDB follows behind, as etcd's bbolt follows its WAL: the batches go to lmdb-js as one burst of
// asynchronous puts, which it commits in ONE transaction. A transaction starts at most every
// `batchIntervalMs` (etcd's --backend-batch-interval, 100 ms), or sooner once `batchLimit` writes
// (--backend-batch-limit) or LMDB_EAGER_BYTES wait, or as soon as somebody waits for `applied()`;
// and never while the previous one is being flushed. So a write pays the log's one sync, and
// LMDB's commit and two syncs are shared by every write of the interval instead of competing with
// the log for the disk (measured: at 1 write in flight, 576 -> 981 puts/s). What reads
// LMDB (history at past revisions, watch catch-up, compaction, snapshots) waits for `applied()`;
// acknowledgements wait for LMDB only if it trails the log by more than MAX_LMDB_LAG_BYTES. LMDB
// is flushed with lmdb-js overlappingSync (the file stays consistent at its last flushed
// transaction); every record carries a seq that its own transaction stores in the meta table
// ("walseq"), so opening a store replays, in one transaction, exactly the records LMDB had not
// yet made durable, and a WAL segment is retired only once LMDB holds and has flushed all of it.
import { open, type Database, type RootDatabase } from 'lmdb';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLog, histKey, HIST_TOMBSTONE, readU64, revKey, type LogEntry } from './codec.js';
import type { Event } from '../store.js';
import { readWal, Wal } from './wal.js';
import { decodeWrites, frameRecord, HIST_TABLE, KV_TABLE, kvWriteSize, putKvWrite, putWrite, writeSize } from './wal-record.js';

export const DATA_FILE = 'data.mdb';

type Bin = Database<Buffer, Buffer>;

/** A batch of writes committed together. `revs` are the mvcc revisions it carries. */
export interface CommitBatch {
  /**
   * Writes as flat triples, no object per row: (db, key, value or undefined = remove) for a table
   * row, or (revision, key, kv row or undefined = delete) for an mvcc write, which becomes the
   * key's `kv` row and its `hist` row (one WAL entry for both, see wal-record.ts).
   */
  writes: Array<Bin | Buffer | number | undefined>;
  log: LogEntry[];
  firstRev: number;
  lastRev: number;
  /** Meta updates (name -> value) written with the batch. */
  meta: Map<string, Buffer>;
  /** Set at flush: the revision log row and the meta rows (as written to the WAL and LMDB). */
  logRow?: [Buffer, Buffer];
  metaRows: Array<[Buffer, Buffer]>;
  /** Called after the batch is durable (err set if the commit failed). */
  done: Array<(err?: Error) => void>;
  /** Called after the batch is visible in LMDB (err set if the commit failed). */
  appliedWaiters: Array<(err?: Error) => void>;
  /** Progress: acknowledged (durable or failed), visible in LMDB (or failed), both accounted. */
  acked: boolean;
  visible: boolean;
  settled: boolean;
  bytes: number;
  /** Watch events of the batch's revisions, in revision order (published after the commit). */
  events: Array<{ rev: number; events: Event[] }>;
  /** Shared by every writer waiting for this batch. */
  promise?: Promise<void>;
}

const WAL_SEQ_META = 'walseq';
/** How far (bytes of batches) LMDB may trail the log before acknowledgements wait for it. */
const MAX_LMDB_LAG_BYTES = 64 * 1024 * 1024;
/** Bytes of batches waiting for LMDB after which a transaction starts without waiting for the interval. */
const LMDB_EAGER_BYTES = 4 * 1024 * 1024;
/** etcd's defaults for --backend-batch-interval and --backend-batch-limit. */
const DEFAULT_BATCH_INTERVAL_MS = 100;
const DEFAULT_BATCH_LIMIT = 10_000;

export class Backend {
  env!: RootDatabase<Buffer, Buffer>;
  kv!: Bin;
  hist!: Bin;
  log!: Bin;
  leases!: Bin;
  lkeys!: Bin;
  meta!: Bin;
  /** The tables in WAL order (a record names a table by its index here). */
  private tables: Bin[] = [];
  private tableIndex = new Map<Bin, number>();
  private wal: Wal | null = null;
  /** Seq of the last WAL record issued. */
  private walSeq = 0;
  readonly file: string;
  private batch: CommitBatch | null = null;
  /** Settles when the newest flushed batch was acknowledged. */
  private lastAck: Promise<unknown> = Promise.resolve();
  /** Flushed batches whose writes wait for the LMDB transaction in progress to be flushed. */
  private lmdbQueue: CommitBatch[] = [];
  private lmdbBusy = false;
  /** Set while queued batches wait for the batch interval. */
  private lmdbTimer: NodeJS.Timeout | null = null;
  private lastLmdbStart = 0;
  /** The newest batch somebody waits to see in LMDB: until it is visible, LMDB commits go at once. */
  private awaited: CommitBatch | null = null;
  /** Writes in `lmdbQueue` (its batches' rows). */
  private queuedWrites = 0;
  /** Bytes of flushed batches not yet visible in LMDB. */
  private lagBytes = 0;
  /** Flushed batches not yet both acknowledged and visible. */
  private inflight = 0;
  /** Batches handed to LMDB and not yet visible in it, oldest first. */
  readonly inflightBatches: CommitBatch[] = [];
  /** Newest mvcc revision visible in LMDB (history reads up to it need not wait). */
  visibleRev = 0;
  private idleWaiters: Array<() => void> = [];
  /** Set when a commit failed: the store refuses further writes. */
  failed: Error | null = null;
  /** Bytes handed to LMDB since the last size refresh (for the quota estimate). */
  pendingBytes = 0;
  /** Called once per durable batch, before its waiters are told. */
  afterDurable: ((b: CommitBatch) => void) | null = null;
  /** Called once per batch visible in LMDB, in order (the store publishes watch events here). */
  afterApply: ((b: CommitBatch) => void) | null = null;

  constructor(
    readonly dataDir: string,
    private readonly mapSize: number = 8 * 1024 * 1024 * 1024,
    private readonly batchIntervalMs: number = DEFAULT_BATCH_INTERVAL_MS,
    private readonly batchLimit: number = DEFAULT_BATCH_LIMIT,
  ) {
    this.file = join(dataDir, DATA_FILE);
  }

  open(): void {
    mkdirSync(this.dataDir, { recursive: true });
    this.env = open<Buffer, Buffer>({
      path: this.file,
      keyEncoding: 'binary',
      encoding: 'binary',
      // Durability comes from the WAL; LMDB commits resolve once visible (separateFlushed) and
      // are flushed right after (overlappingSync keeps the file consistent at its last flush).
      // Never noSync.
      overlappingSync: true,
      separateFlushed: true,
      noSync: false,
      maxDbs: 8,
      // Reserve address space up front: growing the map remaps the file, which is slow. The file
      // itself only grows as pages are written (lmdb-js still grows the map if ever needed).
      mapSize: this.mapSize,
    });
    const o = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
    this.kv = this.env.openDB<Buffer, Buffer>('kv', o);
    this.hist = this.env.openDB<Buffer, Buffer>('hist', o);
    this.log = this.env.openDB<Buffer, Buffer>('log', o);
    this.leases = this.env.openDB<Buffer, Buffer>('leases', o);
    this.lkeys = this.env.openDB<Buffer, Buffer>('lkeys', o);
    this.meta = this.env.openDB<Buffer, Buffer>('meta', o);
    // Order fixed by the WAL format: KV_TABLE and HIST_TABLE name the first two.
    this.tables = [this.kv, this.hist, this.log, this.leases, this.lkeys, this.meta];
    if (this.tables[KV_TABLE] !== this.kv || this.tables[HIST_TABLE] !== this.hist) throw new Error('wal table order changed');
    this.tableIndex = new Map(this.tables.map((db, i) => [db, i]));
    for (const db of this.tables) fastCopies(db);
    // Reopened after a defragment: the WAL is already open and LMDB holds all of it.
    if (!this.wal) this.openWal();
    this.visibleRev = this.getMetaNumber('rev') ?? 1;
  }

  /** Replay the records LMDB lacks (one transaction, flushed before the files are retired). */
  private openWal(): void {
    const after = this.getMetaNumber(WAL_SEQ_META) ?? 0;
    const records = readWal(this.dataDir, after);
    if (records.length > 0) {
      this.env.transactionSync(() => {
        for (const r of records) {
          for (const w of decodeWrites(r.payload)) {
            const db = this.tables[w.table];
            if (!db) throw new Error(`wal record ${r.seq} names unknown table ${w.table}`);
            if (w.value === undefined) db.removeSync(w.key);
            else db.putSync(w.key, w.value);
          }
        }
      });
    }
    this.walSeq = records.length > 0 ? records[records.length - 1].seq : after;
    // A retired segment goes once LMDB holds and has flushed all its records: every batch written
    // to the log so far visible, then the flush of the current environment (a defragment reopens
    // it while the WAL stays open).
    this.wal = new Wal(this.dataDir, () => this.applied().then(() => this.env.flushed));
    this.wal.open();
  }

  async close(): Promise<void> {
    await this.idle();
    await this.wal?.close();
    this.wal = null;
    await this.env.close();
  }

  getMetaNumber(name: string): number | undefined {
    const b = this.meta.getBinary(Buffer.from(name));
    return b ? readU64(b, 0) : undefined;
  }

  /** The batch being collected for the next group commit. */
  current(): CommitBatch {
    if (!this.batch) {
      this.batch = {
        writes: [],
        log: [],
        firstRev: 0,
        lastRev: 0,
        meta: new Map(),
        metaRows: [],
        done: [],
        appliedWaiters: [],
        acked: false,
        visible: false,
        settled: false,
        bytes: 0,
        events: [],
      };
      setImmediate(() => this.flush());
    }
    return this.batch;
  }

  put(db: Bin, key: Buffer, value: Buffer): void {
    const b = this.current();
    b.writes.push(db, key, value);
    b.bytes += key.length + value.length + 16;
  }

  /** An mvcc put of `key` at `rev`: `rec` becomes its `kv` row and its (key, rev) `hist` row. */
  putKv(key: Buffer, rev: number, rec: Buffer): void {
    const b = this.current();
    b.writes.push(rev, key, rec);
    b.bytes += 2 * (key.length + rec.length) + 42;
  }

  /** An mvcc delete of `key` at `rev`: removes its `kv` row, writes its (key, rev) tombstone. */
  removeKv(key: Buffer, rev: number): void {
    const b = this.current();
    b.writes.push(rev, key, undefined);
    b.bytes += key.length + 27;
  }

  remove(db: Bin, key: Buffer): void {
    this.current().writes.push(db, key, undefined);
  }

  setMeta(name: string, value: Buffer): void {
    this.current().meta.set(name, value);
  }

  /** Run `cb` once everything written so far is durable. */
  onDurable(cb: (err?: Error) => void): void {
    if (this.batch) this.batch.done.push(cb);
    else if (this.inflight > 0) this.current().done.push(cb);
    else queueMicrotask(() => cb(this.failed ?? undefined));
  }

  /** Resolves once everything written so far is durable (one shared promise per batch). */
  durable(): Promise<void> {
    if (!this.batch && this.inflight === 0) return this.failed ? Promise.reject(this.failed) : Promise.resolve();
    const b = this.current();
    if (!b.promise) b.promise = new Promise<void>((resolve, reject) => b.done.push((err) => (err ? reject(err) : resolve())));
    return b.promise;
  }

  /** Resolves once everything written so far is visible in LMDB (for readers of its tables). */
  applied(): Promise<void> {
    const b = this.batch ?? this.inflightBatches[this.inflightBatches.length - 1];
    if (!b) return this.failed ? Promise.reject(this.failed) : Promise.resolve();
    const visible = new Promise<void>((resolve, reject) => b.appliedWaiters.push((err) => (err ? reject(err) : resolve())));
    this.awaited = b;
    this.hurry(); // may make `b` visible at once
    return visible;
  }

  /** Resolves when no batch is pending or in flight and LMDB has flushed its last transaction. */
  idle(): Promise<void> {
    if (!this.batch && this.inflight === 0 && !this.lmdbBusy && !this.lmdbTimer) return Promise.resolve();
    const idle = new Promise<void>((r) => this.idleWaiters.push(r));
    this.hurry();
    this.checkIdle(); // what hurry() started may already have finished
    return idle;
  }

  /** Somebody waits for LMDB: what waits for the batch interval goes now. */
  private hurry(): void {
    if (this.lmdbTimer) {
      clearTimeout(this.lmdbTimer);
      this.lmdbTimer = null;
      this.pumpLmdb();
    }
  }

  private flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    if (this.failed) {
      for (const cb of b.done) cb(this.failed);
      for (const cb of b.appliedWaiters) cb(this.failed);
      return;
    }
    this.inflight++;
    this.inflightBatches.push(b);
    let walWrite: Promise<void> | undefined;
    try {
      if (b.log.length > 0) {
        const blob = encodeLog(b.log);
        b.logRow = [revKey(b.firstRev), blob];
        b.bytes += blob.length + 16;
        b.meta.set('rev', revKey(b.lastRev));
      }
      const hasWrites = b.writes.length > 0 || b.logRow !== undefined || b.meta.size > 0;
      if (hasWrites) b.meta.set(WAL_SEQ_META, revKey(++this.walSeq));
      for (const [name, value] of b.meta) b.metaRows.push([Buffer.from(name), value]);
      if (hasWrites && this.wal) walWrite = this.wal.append(this.walRecord(b));
    } catch (err) {
      this.fail(b, err as Error);
      return;
    }
    this.pendingBytes += b.bytes;
    this.lagBytes += b.bytes;
    // Acknowledged in order once its record is on disk; if LMDB trails the log by too much, also
    // once LMDB has caught up (bounds the memory of batches waiting for LMDB).
    const gate = this.lagBytes > MAX_LMDB_LAG_BYTES ? this.applied() : undefined;
    const ack = Promise.all([walWrite, this.lastAck, gate]);
    this.lastAck = ack.then(
      () => undefined,
      () => undefined,
    );
    ack.then(
      () => this.acknowledge(b),
      (err: Error) => this.fail(b, err),
    );
    this.lmdbQueue.push(b);
    this.queuedWrites += b.writes.length / 3;
    // A timer set before this batch came does not know it: enough queued goes now.
    if (this.lmdbTimer && (this.queuedWrites >= this.batchLimit || this.lagBytes >= LMDB_EAGER_BYTES)) this.hurry();
    else this.pumpLmdb();
  }

  /**
   * Hand the queued batches to LMDB as ONE transaction (one burst of lmdb-js puts), unless the
   * previous one is not yet flushed: then they wait and go together once it is. One LMDB commit
   * and flush (two syncs) serve every batch that arrived meanwhile, so LMDB's cost per put falls
   * as the load rises instead of competing with the log's writes for the disk.
   */
  private pumpLmdb(): void {
    if (this.lmdbBusy || this.lmdbQueue.length === 0 || this.lmdbTimer) return;
    const wait = this.lastLmdbStart + this.batchIntervalMs - performance.now();
    const wanted = (this.awaited !== null && !this.awaited.visible) || this.idleWaiters.length > 0;
    if (wait > 0 && !wanted && this.queuedWrites < this.batchLimit && this.lagBytes < LMDB_EAGER_BYTES) {
      this.lmdbTimer = setTimeout(() => {
        this.lmdbTimer = null;
        this.pumpLmdb();
      }, wait);
      return;
    }
    this.lastLmdbStart = performance.now();
    const group = this.lmdbQueue;
    this.lmdbQueue = [];
    this.queuedWrites = 0;
    let last: Promise<unknown> | undefined;
    try {
      for (const b of group) last = this.issue(b) ?? last;
    } catch (err) {
      for (const b of group) this.fail(b, err as Error);
      return;
    }
    if (!last) {
      // Nothing to write (durability waiters only): visible with what came before.
      for (const b of group) this.makeVisible(b);
      return;
    }
    this.lmdbBusy = true;
    last.then(
      () => {
        for (const b of group) this.makeVisible(b);
      },
      (err: Error) => {
        for (const b of group) this.fail(b, err);
      },
    );
    const next = (): void => {
      this.lmdbBusy = false;
      this.pumpLmdb();
      this.checkIdle();
    };
    // lmdb-js (separateFlushed) hangs the flush of the write's transaction on its promise.
    Promise.resolve((last as { flushed?: PromiseLike<unknown> }).flushed ?? last).then(next, next);
  }

  /** Issue a batch's writes to lmdb-js; answers the promise of the last one (none: undefined). */
  private issue(b: CommitBatch): Promise<unknown> | undefined {
    let last: Promise<unknown> | undefined;
    const w = b.writes;
    for (let i = 0; i < w.length; i += 3) {
      const op = w[i];
      const key = w[i + 1] as Buffer;
      const value = w[i + 2] as Buffer | undefined;
      if (typeof op === 'number') {
        const hk = histKey(key, op);
        if (value === undefined) {
          this.kv.remove(key);
          last = this.hist.put(hk, HIST_TOMBSTONE);
        } else {
          this.kv.put(key, value);
          last = this.hist.put(hk, value);
        }
      } else last = value === undefined ? (op as Bin).remove(key) : (op as Bin).put(key, value);
    }
    if (b.logRow) last = this.log.put(b.logRow[0], b.logRow[1]);
    for (const [k, v] of b.metaRows) last = this.meta.put(k, v);
    return last;
  }

  private acknowledge(b: CommitBatch): void {
    if (b.acked) return;
    b.acked = true;
    if (this.afterDurable) this.afterDurable(b);
    for (const cb of b.done) cb();
    this.settle(b);
  }

  private makeVisible(b: CommitBatch): void {
    if (b.visible) return;
    b.visible = true;
    if (this.awaited === b) this.awaited = null;
    this.dropInflight(b);
    this.lagBytes -= b.bytes;
    if (b.lastRev) this.visibleRev = b.lastRev;
    if (this.afterApply) this.afterApply(b);
    for (const cb of b.appliedWaiters) cb();
    this.settle(b);
  }

  private settle(b: CommitBatch): void {
    if (b.settled || !b.acked || !b.visible) return;
    b.settled = true;
    this.inflight--;
    this.checkIdle();
  }

  /** The batch's WAL record: its table writes, the log row and the meta rows, in LMDB's order. */
  private walRecord(b: CommitBatch): Buffer {
    const w = b.writes;
    let size = 0;
    for (let i = 0; i < w.length; i += 3) {
      const key = w[i + 1] as Buffer;
      const value = w[i + 2] as Buffer | undefined;
      size += typeof w[i] === 'number' ? kvWriteSize(key, value) : writeSize(key, value);
    }
    if (b.logRow) size += writeSize(b.logRow[0], b.logRow[1]);
    for (const [k, v] of b.metaRows) size += writeSize(k, v);
    return frameRecord(this.walSeq, size, (buf, at) => {
      for (let i = 0; i < w.length; i += 3) {
        const op = w[i];
        if (typeof op === 'number') {
          at = putKvWrite(buf, at, w[i + 1] as Buffer, op, w[i + 2] as Buffer | undefined);
          continue;
        }
        const table = this.tableIndex.get(op as Bin);
        if (table === undefined) throw new Error('write to a table the WAL does not know');
        at = putWrite(buf, at, table, w[i + 1] as Buffer, w[i + 2] as Buffer | undefined);
      }
      if (b.logRow) at = putWrite(buf, at, this.tableIndex.get(this.log) ?? -1, b.logRow[0], b.logRow[1]);
      const mt = this.tableIndex.get(this.meta) ?? -1;
      for (const [k, v] of b.metaRows) at = putWrite(buf, at, mt, k, v);
      return at;
    });
  }

  private fail(b: CommitBatch, err: Error): void {
    this.failed ??= err;
    if (!b.acked) {
      b.acked = true;
      for (const cb of b.done) cb(err);
    }
    if (!b.visible) {
      b.visible = true;
      this.dropInflight(b);
      this.lagBytes -= b.bytes;
      for (const cb of b.appliedWaiters) cb(err);
    }
    this.settle(b);
  }

  private dropInflight(b: CommitBatch): void {
    const i = this.inflightBatches.indexOf(b);
    if (i >= 0) this.inflightBatches.splice(i, 1);
  }

  /** Log entries of writes decided but not yet visible in LMDB (in-flight batches, then the open one). */
  *pendingLog(): Iterable<LogEntry> {
    for (const b of this.inflightBatches) yield* b.log;
    if (this.batch) yield* this.batch.log;
  }

  private checkIdle(): void {
    if (this.batch || this.inflight > 0 || this.lmdbBusy || this.lmdbTimer) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  /** Physical size of the data file (etcd's dbSize) and pages in use (dbSizeInUse). */
  sizes(): { size: number; inUse: number } {
    const st = this.env.getStats() as { pageSize: number; lastPageNumber: number };
    let size = (st.lastPageNumber + 1) * st.pageSize;
    try {
      size = Math.max(size, statSync(this.file).size);
    } catch {
      // file may be momentarily absent during defragment
    }
    let pages = 4; // meta pages and the main db root
    for (const db of [this.kv, this.hist, this.log, this.leases, this.lkeys, this.meta]) {
      const s = db.getStats() as { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
      pages += s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
    }
    return { size, inUse: Math.min(size, pages * st.pageSize) };
  }

  /** High-water mark of the file in bytes, cheap (used by the quota on every write). */
  highWater(): number {
    const st = this.env.getStats() as { pageSize: number; lastPageNumber: number };
    return (st.lastPageNumber + 1) * st.pageSize;
  }
}

// lmdb-js copies every key and value read by a cursor with Uint8Array.prototype.slice, which is
// slow for many small buffers. These hooks copy into exact-size Buffers of their own memory
// instead (several times faster here; a Buffer handed to a client or a watcher never pins memory
// beyond its own bytes).
function copyOut(src: Uint8Array, start: number, end: number): Buffer {
  const b = Buffer.allocUnsafeSlow(end - start);
  b.set(src.subarray(start, end));
  return b;
}

function fastCopies(db: Bin): void {
  const d = db as unknown as {
    readKey: (t: Uint8Array, s: number, e: number) => Buffer;
    decoder: { decode: (b: Uint8Array, size: number) => Buffer };
    decoderCopies: boolean;
  };
  d.readKey = (t, start, end) => copyOut(t, start, end);
  d.decoder = { decode: (bytes, size) => copyOut(bytes, 0, size) };
  d.decoderCopies = true;
}
