// Readers of the key space.
//
// - Current state: the in-memory CurrentIndex (current-index.ts), backed by the `kv` table (one
//   row per live key), so a range at the current revision reads only live keys, never history.
// - A range at a past revision reads the `hist` table: rows are ordered by (key, revision), so for
//   every key in the range the newest row at or below the revision is the key's state then.
import type { Backend } from './backend.js';
import { decodeHist, decodeKv, decodeLog, histKeyRev, histKeyUserKey, histPrefix, keyString, readU64, revKey as revKeyBuf } from './codec.js';
import { inRange, isEmptyRange, type KeyRange } from './key-range.js';
import type { CurrentIndex } from './current-index.js';
import type { KeyValue } from '../store.js';

/** Live kvs of the range in the current index, in key order (limit 0 = all; count = whole range). */
export function scanCurrent(idx: CurrentIndex, r: KeyRange, limit: number, countOnly = false): { kvs: KeyValue[]; count: number } {
  if (isEmptyRange(r)) return { kvs: [], count: 0 };
  if (r.end === undefined) {
    const kv = idx.get(keyString(r.key));
    if (!kv) return { kvs: [], count: 0 };
    return { kvs: countOnly ? [] : [kv], count: 1 };
  }
  return idx.range(keyString(r.key), r.end.length === 0 ? null : keyString(r.end), limit, countOnly);
}

/** Load the current index's keys from the `kv` table (live keys only; values load on demand). */
export function loadCurrentKeys(be: Backend, idx: CurrentIndex): void {
  for (const key of be.kv.getKeys({ start: Buffer.from([0]) }) as Iterable<Buffer>) idx.loadSortedKey(keyString(key));
}

/** Read a live key's row from the `kv` table (for keys not loaded yet). */
export function readCurrent(be: Backend, ks: string): KeyValue {
  const key = Buffer.from(ks, 'latin1');
  const rec = be.kv.getBinary(key);
  if (!rec) throw new Error(`mvcc: key index and kv table disagree on "${ks}"`);
  return decodeKv(key, rec);
}

/** The value of `key` at revision `rev` from history (undefined if absent or deleted then). */
export function getAt(be: Backend, key: Buffer, rev: number): KeyValue | undefined {
  const p = histPrefix(key);
  const start = Buffer.concat([p, revKeyBuf(rev)]);
  const end = Buffer.concat([p, Buffer.alloc(8, 0)]);
  for (const { key: hk, value } of be.hist.getRange({ start, end, reverse: true, limit: 1 })) {
    return decodeHist(key, value);
  }
  return undefined;
}

/** The newest history row of `key` strictly below `rev` (for a watch event's prevKv). */
export function getBefore(be: Backend, key: Buffer, rev: number): KeyValue | undefined {
  return rev <= 1 ? undefined : getAt(be, key, rev - 1);
}

/** Live keys in range at past revision `rev`, in key order. */
export function scanAt(be: Backend, r: KeyRange, rev: number): KeyValue[] {
  if (isEmptyRange(r)) return [];
  if (r.end === undefined) {
    const kv = getAt(be, r.key, rev);
    return kv ? [kv] : [];
  }
  const start = histPrefix(r.key).subarray(0, -2);
  const ro = r.end.length === 0 ? { start } : { start, end: histPrefix(r.end).subarray(0, -2) };
  const out: KeyValue[] = [];
  // Walk (key, rev) rows; remember the newest row <= rev of the current key group.
  let groupPrefixLen = -1;
  let groupKey: Buffer | null = null;
  let best: { hk: Buffer; rev: number } | null = null;
  const emit = () => {
    if (best && groupKey) {
      const rec = be.hist.getBinary(best.hk);
      if (rec) {
        const kv = decodeHist(histKeyUserKey(best.hk), rec);
        if (kv && inRange(r, kv.key)) out.push(kv);
      }
    }
    best = null;
  };
  for (const hk of be.hist.getKeys(ro) as Iterable<Buffer>) {
    const pl = hk.length - 8;
    if (groupKey === null || pl !== groupPrefixLen || hk.compare(groupKey, 0, pl, 0, pl) !== 0) {
      emit();
      groupKey = hk;
      groupPrefixLen = pl;
    }
    const hr = histKeyRev(hk);
    if (hr <= rev) best = { hk, rev: hr };
  }
  emit();
  return out;
}

/**
 * Live keys in range at a recent past revision `rev`: the current index for keys unchanged since
 * `rev`, history only for the keys the revision log shows changed after it (durable log rows,
 * then writes not yet durable). Costs O(keys in range + revisions since rev) instead of a scan of
 * every history row in the range (what scanAt does), which matters for paginated lists at a
 * fixed revision. `committedRev` is the newest durable revision (>= rev).
 */
export function scanAtRecent(be: Backend, idx: CurrentIndex, r: KeyRange, rev: number, committedRev: number): KeyValue[] {
  if (isEmptyRange(r)) return [];
  const changed = new Map<string, Buffer>();
  const note = (key: Buffer) => {
    if (inRange(r, key)) changed.set(keyString(key), key);
  };
  if (committedRev > rev) {
    let startKey = revKeyBuf(rev + 1);
    for (const k of be.log.getKeys({ start: revKeyBuf(rev + 1), reverse: true, limit: 1 }) as Iterable<Buffer>) startKey = k;
    for (const { key: bk, value } of be.log.getRange({ start: startKey })) {
      if (readU64(bk, 0) > committedRev) break;
      for (const e of decodeLog(value)) if (e.rev > rev && e.rev <= committedRev) note(e.key);
    }
  }
  for (const e of be.pendingLog()) if (e.rev > rev) note(e.key);
  const cur = scanCurrent(idx, r, 0).kvs;
  if (changed.size === 0) return cur;
  const then: KeyValue[] = [];
  for (const key of changed.values()) {
    const kv = getAt(be, Buffer.from(key), rev);
    if (kv) then.push(kv);
  }
  then.sort((a, b) => Buffer.compare(a.key, b.key));
  // Merge the unchanged current kvs (sorted) with the changed keys' past values (sorted).
  const out: KeyValue[] = [];
  let j = 0;
  for (const kv of cur) {
    if (changed.has(keyString(kv.key))) continue;
    while (j < then.length && Buffer.compare(then[j].key, kv.key) < 0) out.push(then[j++]);
    out.push(kv);
  }
  while (j < then.length) out.push(then[j++]);
  return out;
}
