// The LMDB backend: one environment file (<dataDir>/data.mdb) with the tables described in
// codec.ts, the write-ahead log (wal.ts) and the group commit that makes writes durable.
//
// Group commit: writers never touch LMDB directly. A committed mvcc write appends its table
// writes to the current batch; at the end of the event turn (setImmediate) the whole batch is
// handed to lmdb-js as asynchronous puts/removes issued in one synchronous burst, which lmdb-js
// commits in ONE LMDB transaction (eventTurnBatching, its default), and the same writes are
// appended to the WAL as one record.
//
// A batch is durable, and acknowledged, once its record is on disk (one O_DSYNC write): the WAL
// alone makes it survive a crash. Its LMDB transaction commits alongside and becomes visible a
// little later (LMDB's commit waits for the previous transaction's flush); what reads LMDB
// (history at past revisions, watch catch-up, compaction, snapshots) waits for `applied()`, and
// watch events are published once the batch is visible in LMDB, so a watcher catching up from
// history never misses them. To keep LMDB from trailing the log by more than a batch, a batch is
// acknowledged only once the previous batch is visible too (at one writer that is already the
// case when its record lands; at many it overlaps LMDB's commit with the next record's write).
// LMDB itself is flushed behind all this (lmdb-js overlappingSync: the commit's sync runs after
// the commit, and the file stays consistent at its last flushed transaction); every record
// carries a seq that its own transaction stores in the meta table ("walseq"), so opening a store
// replays, in one transaction, exactly the records LMDB had not yet made durable.
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
  /** Settles when the newest flushed batch was acknowledged / became visible in LMDB. */
  private lastAck: Promise<unknown> = Promise.resolve();
  private lastApplied: Promise<unknown> = Promise.resolve();
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
    // The current environment's (a defragment reopens it while the WAL stays open).
    this.wal = new Wal(this.dataDir, () => this.env.flushed);
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
    return new Promise<void>((resolve, reject) => b.appliedWaiters.push((err) => (err ? reject(err) : resolve())));
  }

  /** Resolves when no batch is pending or in flight. */
  idle(): Promise<void> {
    if (!this.batch && this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
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
    let last: Promise<unknown> | undefined;
    let walWrite: Promise<void> | undefined;
    try {
      const w = b.writes;
      let logBlob: Buffer | undefined;
      if (b.log.length > 0) {
        logBlob = encodeLog(b.log);
        b.bytes += logBlob.length + 16;
        b.meta.set('rev', revKey(b.lastRev));
      }
      const hasWrites = w.length > 0 || logBlob !== undefined || b.meta.size > 0;
      if (hasWrites) b.meta.set(WAL_SEQ_META, revKey(++this.walSeq));
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
      const logKey = logBlob ? revKey(b.firstRev) : undefined;
      if (logKey && logBlob) last = this.log.put(logKey, logBlob);
      const metaKeys: Buffer[] = [];
      for (const [name, value] of b.meta) {
        const k = Buffer.from(name);
        metaKeys.push(k);
        last = this.meta.put(k, value);
      }
      if (hasWrites && this.wal) walWrite = this.wal.append(this.walRecord(b, logKey, logBlob, metaKeys));
    } catch (err) {
      this.fail(b, err as Error);
      return;
    }
    this.pendingBytes += b.bytes;
    // LMDB commits transactions in order; a batch without table writes is visible with the previous.
    const prevApplied = this.lastApplied;
    const applied: Promise<unknown> = last ?? prevApplied;
    // Acknowledged in order, once its record is on disk and the previous batch is visible in LMDB.
    const ack = Promise.all([walWrite, this.lastAck, prevApplied]);
    const settle = (): undefined => undefined;
    this.lastApplied = applied.then(settle, settle);
    this.lastAck = ack.then(settle, settle);
    ack.then(
      () => this.acknowledge(b),
      (err: Error) => this.fail(b, err),
    );
    applied.then(
      () => this.makeVisible(b),
      (err: Error) => this.fail(b, err),
    );
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
    this.dropInflight(b);
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
  private walRecord(b: CommitBatch, logKey: Buffer | undefined, logBlob: Buffer | undefined, metaKeys: Buffer[]): Buffer {
    const w = b.writes;
    const metaValues = [...b.meta.values()];
    let size = 0;
    for (let i = 0; i < w.length; i += 3) {
      const key = w[i + 1] as Buffer;
      const value = w[i + 2] as Buffer | undefined;
      size += typeof w[i] === 'number' ? kvWriteSize(key, value) : writeSize(key, value);
    }
    if (logKey && logBlob) size += writeSize(logKey, logBlob);
    for (let i = 0; i < metaKeys.length; i++) size += writeSize(metaKeys[i], metaValues[i]);
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
      if (logKey && logBlob) at = putWrite(buf, at, this.tableIndex.get(this.log) ?? -1, logKey, logBlob);
      const mt = this.tableIndex.get(this.meta) ?? -1;
      for (let i = 0; i < metaKeys.length; i++) at = putWrite(buf, at, mt, metaKeys[i], metaValues[i]);
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
    if (this.batch || this.inflight > 0) return;
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
