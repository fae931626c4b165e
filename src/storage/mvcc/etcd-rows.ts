// The mvcc tables seen as etcd's backend: history rows in etcd's (main, sub) revision order, and
// leases as etcd's lease records. Used by snapshots (etcd's file format) and hashKV (etcd's hash).
//
// `hist` is keyed by (user key, revision), so revision order comes from the `log` table, whose
// batches list every (revision, key) event in order; a row's sub-revision is the position of its
// event among the events of its revision. Compaction removes the log batches wholly below the
// compacted revision but keeps some of their rows (each key's newest non-tombstone row at or
// below it): those rows (below the first remaining batch) are collected from `hist` and sorted
// by revision; their original order inside a revision is gone with the batch, so rows of the same
// revision are ordered by key (their sub-revisions may then differ from the ones etcd gave, which
// changes etcd's HashKV of such a history and the revision keys in a snapshot).
import type { Database } from 'lmdb';
import type { HistoryRow, LeaseRecord } from '../etcd-snapshot/index.js';
import { decodeKv, decodeLog, histKey, histKeyRev, histKeyUserKey, isTombstone, readU64 } from './codec.js';

type Bin = Database<Buffer, Buffer>;

export interface EtcdRowTables {
  hist: Bin;
  log: Bin;
  leases: Bin;
}

function toRow(key: Buffer, main: number, sub: number, rec: Buffer): HistoryRow {
  if (isTombstone(rec)) {
    // etcd stores a delete as a KeyValue holding only the key.
    return { key, main, sub, tombstone: true, createRevision: 0, modRevision: 0, version: 0, value: Buffer.alloc(0), lease: 0n };
  }
  const kv = decodeKv(key, Buffer.from(rec));
  return { key, main, sub, tombstone: false, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, value: kv.value, lease: kv.lease };
}

/**
 * Every history row etcd would hold, in (main, sub) order; stops after `upTo` when given. Rows at
 * or below `compactRev` are given only when etcd's compaction keeps them (the newest row of its
 * key at or below it, unless a tombstone): our compactor leaves a few more (a tombstone at the
 * compacted revision itself; a row kept by one compaction and superseded before the next).
 */
export function* historyRows(t: EtcdRowTables, compactRev: number, upTo = Infinity): Generator<HistoryRow> {
  let firstBatch = Infinity;
  for (const k of t.log.getKeys({ limit: 1 }) as Iterable<Buffer>) firstBatch = readU64(k, 0);

  // Rows whose log batch compaction removed (bounded by the number of keys): per key (`hist` is in
  // (key, revision) order) only its newest row at or below the compacted revision can be kept.
  const kept: Array<{ key: Buffer; rev: number; rec: Buffer }> = [];
  let cand: { prefix: Buffer; rev: number; rec: Buffer } | undefined;
  const take = () => {
    if (cand && cand.rev < firstBatch && cand.rev <= upTo && !isTombstone(cand.rec)) kept.push({ key: histKeyUserKey(Buffer.concat([cand.prefix, Buffer.alloc(8)])), rev: cand.rev, rec: cand.rec });
  };
  for (const { key: hk, value } of compactRev > 0 ? t.hist.getRange({}) : []) {
    const rev = histKeyRev(hk);
    if (rev > compactRev) continue;
    const prefix = hk.subarray(0, hk.length - 8);
    if (cand && !cand.prefix.equals(prefix)) take();
    cand = { prefix: Buffer.from(prefix), rev, rec: Buffer.from(value) };
  }
  take();
  kept.sort((a, b) => a.rev - b.rev || Buffer.compare(a.key, b.key));
  let prevRev = -1;
  let sub = 0;
  for (const r of kept) {
    sub = r.rev === prevRev ? sub + 1 : 0;
    prevRev = r.rev;
    yield toRow(r.key, r.rev, sub, r.rec);
  }

  for (const { value } of t.log.getRange({})) {
    for (const e of decodeLog(value)) {
      if (e.rev > upTo) return;
      sub = e.rev === prevRev ? sub + 1 : 0;
      prevRev = e.rev;
      const key = Buffer.from(e.key);
      const rec = t.hist.getBinary(histKey(key, e.rev));
      if (!rec) continue; // compacted away
      if (e.rev <= compactRev && !keptByCompaction(t, key, e.rev, rec, compactRev)) continue;
      yield toRow(key, e.rev, sub, rec);
    }
  }
}

/** Whether etcd's compaction at `compactRev` keeps the row (key, rev): its newest there, a put. */
function keptByCompaction(t: EtcdRowTables, key: Buffer, rev: number, rec: Buffer, compactRev: number): boolean {
  if (isTombstone(rec)) return false;
  for (const hk of t.hist.getKeys({ start: histKey(key, compactRev), end: histKey(key, rev), reverse: true, limit: 1 }) as Iterable<Buffer>) {
    return histKeyRev(hk) === rev;
  }
  return true;
}

/** The lease table as etcd's lease records (TTLs in whole seconds, no checkpointed remainder). */
export function leaseRecords(t: EtcdRowTables): LeaseRecord[] {
  const out: LeaseRecord[] = [];
  for (const { key, value } of t.leases.getRange({})) out.push({ id: key.readBigInt64BE(0), ttl: Math.round(value.readDoubleBE(0)) });
  return out;
}
