// The current-key index: every live key with its current KeyValue, in memory, ordered by key.
//
// It is the state after every decided write (durable or about to be: readers that must not see
// a write before it is durable wait for the backend, see kv-store.ts). At open only the keys of
// the `kv` table are loaded (live keys only, never history, no values), which keeps restarts fast;
// a key's KeyValue is read from the `kv` table the first time it is needed and kept (a key not
// written since open has the same row on disk as in memory). Commits keep it up to date. Keys are held as
// latin1 strings, whose code-unit order is the keys' unsigned byte order; the order is kept in a
// list of sorted chunks (insert/remove cost O(chunk size), lookups O(log n)).
import type { KeyValue } from '../store.js';

const CHUNK = 512;

export class CurrentIndex {
  /** null = live on disk, not loaded yet. */
  private readonly map = new Map<string, KeyValue | null>();
  private chunks: string[][] = [[]];

  /** `load` reads a live key's KeyValue from the backend (keys loaded with loadSortedKey). */
  constructor(private readonly load: (ks: string) => KeyValue) {}

  get size(): number {
    return this.map.size;
  }

  get(ks: string): KeyValue | undefined {
    const kv = this.map.get(ks);
    if (kv !== null) return kv;
    return this.fill(ks);
  }

  private fill(ks: string): KeyValue {
    const kv = this.load(ks);
    this.map.set(ks, kv);
    return kv;
  }

  set(ks: string, kv: KeyValue): void {
    if (!this.map.has(ks)) this.insertKey(ks);
    this.map.set(ks, kv);
  }

  delete(ks: string): void {
    if (this.map.delete(ks)) this.removeKey(ks);
  }

  /** Append a live key, not loaded yet; keys must arrive in ascending order (open). */
  loadSortedKey(ks: string): void {
    this.map.set(ks, null);
    let last = this.chunks[this.chunks.length - 1];
    if (last.length >= CHUNK) this.chunks.push((last = []));
    last.push(ks);
  }

  /**
   * Live kvs with start <= key < end (end null = no bound), in key order; stops after `limit`
   * kvs (0 = all) but always counts the whole range.
   */
  range(start: string, end: string | null, limit: number, countOnly: boolean): { kvs: KeyValue[]; count: number } {
    const kvs: KeyValue[] = [];
    let count = 0;
    let ci = this.chunkFor(start);
    let pos = lowerBound(this.chunks[ci], start);
    for (; ci < this.chunks.length; ci++, pos = 0) {
      const c = this.chunks[ci];
      const endsHere = end !== null && c.length > 0 && c[c.length - 1] >= end;
      if (countOnly || (limit > 0 && kvs.length >= limit)) {
        // Only counting remains: whole chunks at once.
        if (!endsHere) {
          count += c.length - pos;
          continue;
        }
        count += lowerBound(c, end!) - pos;
        return { kvs, count };
      }
      for (let i = pos; i < c.length; i++) {
        const k = c[i];
        if (end !== null && k >= end) return { kvs, count };
        count++;
        if (limit === 0 || kvs.length < limit) kvs.push(this.map.get(k) ?? this.fill(k));
      }
    }
    return { kvs, count };
  }

  private chunkFor(k: string): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cs[mid];
      if (c.length === 0 || c[c.length - 1] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertKey(k: string): void {
    const ci = this.chunkFor(k);
    const c = this.chunks[ci];
    c.splice(lowerBound(c, k), 0, k);
    if (c.length > 2 * CHUNK) this.chunks.splice(ci, 1, c.slice(0, CHUNK), c.slice(CHUNK));
  }

  private removeKey(k: string): void {
    const ci = this.chunkFor(k);
    const c = this.chunks[ci];
    const i = lowerBound(c, k);
    if (c[i] !== k) return;
    c.splice(i, 1);
    if (c.length === 0 && this.chunks.length > 1) this.chunks.splice(ci, 1);
  }
}

function lowerBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
