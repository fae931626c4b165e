// A write transaction being decided: reads see the current index (every decided write) and this
// transaction's own earlier changes; changes are buffered here and only reach the index and the
// commit batch when the whole request succeeded, so a request that fails half-way changes nothing.
import { keyString } from './codec.js';
import type { CurrentIndex } from './current-index.js';
import { scanCurrent } from './key-index.js';
import { inRange, type KeyRange } from './key-range.js';
import type { KeyValue } from '../store.js';

export interface Change {
  key: Buffer;
  /** New state; null = deleted. */
  kv: KeyValue | null;
  /** State before this transaction. */
  prev: KeyValue | undefined;
}

export class WriteTxn {
  readonly changes = new Map<string, Change>();

  /** `rev` is the revision this transaction writes if it changes anything. */
  constructor(
    private readonly idx: CurrentIndex,
    readonly rev: number,
  ) {}

  get(key: Buffer): KeyValue | undefined {
    const ks = keyString(key);
    const c = this.changes.get(ks);
    if (c) return c.kv ?? undefined;
    return this.idx.get(ks);
  }

  /** Live kvs of the range, this txn's changes included, in key order. */
  range(r: KeyRange): KeyValue[] {
    const base = scanCurrent(this.idx, r, 0).kvs;
    if (this.changes.size === 0) return base;
    const mine: Array<[string, KeyValue | null]> = [];
    for (const [ks, c] of this.changes) if (inRange(r, c.key)) mine.push([ks, c.kv]);
    if (mine.length === 0) return base;
    const merged = new Map<string, KeyValue>();
    for (const kv of base) merged.set(keyString(kv.key), kv);
    for (const [ks, kv] of mine) {
      if (kv) merged.set(ks, kv);
      else merged.delete(ks);
    }
    return [...merged.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => merged.get(k)!);
  }

  put(key: Buffer, value: Buffer, lease: bigint): { prev: KeyValue | undefined; kv: KeyValue } {
    const ks = keyString(key);
    const earlier = this.changes.get(ks);
    const cur = earlier ? (earlier.kv ?? undefined) : this.idx.get(ks);
    // `key` and `value` are the caller's buffers until commit (in the same synchronous turn),
    // which replaces both with views of one allocation of our own (encodeOwnedKv).
    const kv: KeyValue = {
      key,
      createRevision: cur ? cur.createRevision : this.rev,
      modRevision: this.rev,
      version: cur ? cur.version + 1 : 1,
      value,
      lease,
    };
    this.record(ks, key, kv, earlier ? earlier.prev : cur);
    return { prev: cur, kv };
  }

  /** Delete `key` if it exists now; answers its previous value. */
  delete(key: Buffer): KeyValue | undefined {
    const ks = keyString(key);
    const earlier = this.changes.get(ks);
    const cur = earlier ? (earlier.kv ?? undefined) : this.idx.get(ks);
    if (!cur) return undefined;
    this.record(ks, key, null, earlier ? earlier.prev : cur);
    return cur;
  }

  private record(ks: string, key: Buffer, kv: KeyValue | null, prev: KeyValue | undefined): void {
    this.changes.delete(ks); // keep insertion order = order of the last change
    this.changes.set(ks, { key, kv, prev });
  }
}
