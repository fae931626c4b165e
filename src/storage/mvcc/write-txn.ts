// A write transaction being decided: reads see committed rows, the overlay of pending writes and
// this transaction's own earlier changes; changes are buffered here and only become pending
// (overlay, commit batch) when the whole request succeeded, so a request that fails validation
// half-way changes nothing.
import { keyString } from './codec.js';
import { getLatest, scanLatest, type Overlay } from './key-index.js';
import type { KeyRange } from './key-range.js';
import type { Backend } from './backend.js';
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
  private view: Map<string, KeyValue | null> | undefined;

  /** `rev` is the revision this transaction writes if it changes anything. */
  constructor(
    private readonly be: Backend,
    private readonly overlay: Overlay,
    readonly rev: number,
  ) {}

  get(key: Buffer): KeyValue | undefined {
    const c = this.changes.get(keyString(key));
    if (c) return c.kv ?? undefined;
    return getLatest(this.be, this.overlay, key);
  }

  range(r: KeyRange): KeyValue[] {
    return scanLatest(this.be, this.overlay, r, this.view);
  }

  put(key: Buffer, value: Buffer, lease: bigint): { prev: KeyValue | undefined; kv: KeyValue } {
    const ks = keyString(key);
    const earlier = this.changes.get(ks);
    const cur = earlier ? (earlier.kv ?? undefined) : getLatest(this.be, this.overlay, key);
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
    const cur = earlier ? (earlier.kv ?? undefined) : getLatest(this.be, this.overlay, key);
    if (!cur) return undefined;
    this.record(ks, key, null, earlier ? earlier.prev : cur);
    return cur;
  }

  private record(ks: string, key: Buffer, kv: KeyValue | null, prev: KeyValue | undefined): void {
    this.changes.delete(ks); // keep insertion order = order of the last change
    this.changes.set(ks, { key, kv, prev });
    (this.view ??= new Map()).set(ks, kv);
  }
}
