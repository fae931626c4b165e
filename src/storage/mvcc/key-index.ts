// The current-key index and per-key history readers.
//
// - Current state lives in the `kv` table (one row per live key), so a range at the current
//   revision reads only live keys and never scans history.
// - A write that is decided but not yet durable sits in the `Overlay` (key -> its newest state)
//   until its batch commits; writers (txn compares, put's prev value, reads inside a writing txn)
//   see committed rows merged with the overlay, plain readers see only committed rows.
// - A range at a past revision reads the `hist` table: rows are ordered by (key, revision), so for
//   every key in the range the newest row at or below the revision is the key's state then.
import type { Backend } from './backend.js';
import { decodeHist, decodeKv, histKeyRev, histKeyUserKey, histPrefix, keyString, revKey as revKeyBuf } from './codec.js';
import { inRange, isEmptyRange, type KeyRange } from './key-range.js';
import type { KeyValue } from '../store.js';

export interface PendingKey {
  /** null = deleted */
  kv: KeyValue | null;
  rev: number;
}

/** Writes decided but not yet committed, newest state per key. */
export class Overlay {
  readonly map = new Map<string, PendingKey>();

  set(ks: string, kv: KeyValue | null, rev: number): void {
    this.map.set(ks, { kv, rev });
  }

  /** Drop entries committed at or below `rev` (the committed rows now hold them). */
  release(rev: number): void {
    if (this.map.size === 0) return;
    for (const [k, p] of this.map) if (p.rev <= rev) this.map.delete(k);
  }
}

/** The committed current value of `key`. */
export function getCommitted(be: Backend, key: Buffer): KeyValue | undefined {
  const rec = be.kv.getBinary(key);
  return rec ? decodeKv(key, rec) : undefined;
}

export interface ScanOptions {
  /** Stop after this many kvs (0 = all). */
  limit?: number;
  /** Only count; kvs empty. */
  countOnly?: boolean;
}

/** Committed live keys in range, in key order. */
export function scanCommitted(be: Backend, r: KeyRange, opts: ScanOptions = {}): { kvs: KeyValue[]; count: number } {
  if (isEmptyRange(r)) return { kvs: [], count: 0 };
  if (r.end === undefined) {
    if (opts.countOnly) return { kvs: [], count: be.kv.getBinary(r.key) ? 1 : 0 };
    const kv = getCommitted(be, r.key);
    return kv ? { kvs: [kv], count: 1 } : { kvs: [], count: 0 };
  }
  const ro = r.end.length === 0 ? { start: r.key } : { start: r.key, end: r.end };
  const limit = opts.limit ?? 0;
  if (opts.countOnly) return { kvs: [], count: be.kv.getKeysCount(ro) };
  const kvs: KeyValue[] = [];
  for (const { key, value } of be.kv.getRange(limit > 0 ? { ...ro, limit } : ro)) kvs.push(decodeKv(key, value));
  const count = limit > 0 && kvs.length >= limit ? be.kv.getKeysCount(ro) : kvs.length;
  return { kvs, count };
}

/** The value of `key` at revision `rev` from history (undefined if absent or deleted then). */
export function getAt(be: Backend, key: Buffer, rev: number): KeyValue | undefined {
  const p = histPrefix(key);
  const start = Buffer.concat([p, revKeyBuf(rev)]);
  const end = Buffer.concat([p, Buffer.alloc(8, 0)]);
  for (const { key: hk, value } of be.hist.getRange({ start, end, reverse: true, limit: 1 })) {
    return decodeHist(key, histKeyRev(hk), value);
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
        const kv = decodeHist(histKeyUserKey(best.hk), best.rev, rec);
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

/** Current value of `key` as a writer sees it (overlay first). */
export function getLatest(be: Backend, overlay: Overlay, key: Buffer): KeyValue | undefined {
  const p = overlay.map.get(keyString(key));
  if (p) return p.kv ?? undefined;
  return getCommitted(be, key);
}

/** Live keys in range as a writer sees them (committed rows merged with the overlay), key order. */
export function scanLatest(be: Backend, overlay: Overlay, r: KeyRange, extra?: Map<string, KeyValue | null>): KeyValue[] {
  if (isEmptyRange(r)) return [];
  if (r.end === undefined) {
    const ks = keyString(r.key);
    const x = extra?.get(ks);
    if (x !== undefined) return x ? [x] : [];
    const kv = getLatest(be, overlay, r.key);
    return kv ? [kv] : [];
  }
  const base = scanCommitted(be, r).kvs;
  const changes = new Map<string, KeyValue | null>();
  for (const [ks, p] of overlay.map) if (inRange(r, Buffer.from(ks, 'latin1'))) changes.set(ks, p.kv);
  if (extra) for (const [ks, kv] of extra) if (inRange(r, Buffer.from(ks, 'latin1'))) changes.set(ks, kv);
  if (changes.size === 0) return base;
  const merged = new Map<string, KeyValue>();
  for (const kv of base) merged.set(keyString(kv.key), kv);
  for (const [ks, kv] of changes) {
    if (kv) merged.set(ks, kv);
    else merged.delete(ks);
  }
  // latin1 strings compare like their bytes (code units 0-255).
  return [...merged.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => merged.get(k)!);
}
