// Key ranges as etcd reads them: a single key, a half-open interval, or "from key" (rangeEnd "\0").
import type { Bytes } from '../store.js';

export interface KeyRange {
  key: Buffer;
  /** undefined: the single key `key`; empty: no upper bound; else the exclusive end. */
  end: Buffer | undefined;
}

export function toKeyRange(key: Bytes, rangeEnd?: Bytes): KeyRange {
  if (!rangeEnd || rangeEnd.length === 0) return { key, end: undefined };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { key, end: Buffer.alloc(0) };
  return { key, end: rangeEnd };
}

export function inRange(r: KeyRange, k: Buffer): boolean {
  if (r.end === undefined) return r.key.equals(k);
  if (Buffer.compare(k, r.key) < 0) return false;
  return r.end.length === 0 || Buffer.compare(k, r.end) < 0;
}

/** True when the range can hold no key (end <= key). */
export function isEmptyRange(r: KeyRange): boolean {
  return r.end !== undefined && r.end.length > 0 && Buffer.compare(r.end, r.key) <= 0;
}

/** Whether two ranges share a key (used for txn duplicate-key checks). */
export function rangesIntersect(a: KeyRange, b: KeyRange): boolean {
  if (isEmptyRange(a) || isEmptyRange(b)) return false;
  if (a.end === undefined) return inRange(b, a.key);
  if (b.end === undefined) return inRange(a, b.key);
  // [a.key, a.end) and [b.key, b.end) with empty end = +inf
  const aEndAfterB = a.end.length === 0 || Buffer.compare(a.end, b.key) > 0;
  const bEndAfterA = b.end.length === 0 || Buffer.compare(b.end, a.key) > 0;
  return aEndAfterB && bEndAfterA;
}
