// etcd 3.4's HashKV (mvcc store.HashByRev) over history rows: crc32c of the bucket name "key",
// then of every revision key and marshalled KeyValue with main revision <= `revision`, in
// revision order; rows at or below the compacted revision count only when compaction keeps them
// at `revision` (the newest row of a key at or below it, unless that row is a tombstone), and
// when no row at all is kept like that, every row counts (etcd's `len(keep) > 0` check).
import { crc32c } from './crc32c.js';
import { encodeKeyValue, encodeRevision, type HistoryRow } from './records.js';

export interface HashKVOptions {
  /** The store's current revision. */
  currentRevision: number;
  /** The store's compacted revision (0: never compacted). */
  compactRevision: number;
  /** The revision to hash at; 0 (default) = current. */
  revision?: number;
}

export type HashKVResult =
  | { ok: true; hash: number; revision: number; compactRevision: number }
  | { ok: false; error: 'compacted' | 'future'; compactRevision: number; currentRevision: number };

type Rows = Iterable<HistoryRow> | AsyncIterable<HistoryRow>;

/**
 * `rows()` yields the store's history in revision order; it is called twice once the store was
 * compacted (the kept set needs every key's newest revision at `revision` before hashing starts).
 */
export async function hashKV(rows: () => Rows, opts: HashKVOptions): Promise<HashKVResult> {
  const rev = opts.revision ?? 0;
  const compact = opts.compactRevision > 0 ? opts.compactRevision : -1;
  if (rev > 0 && rev <= compact) return { ok: false, error: 'compacted', compactRevision: compact, currentRevision: opts.currentRevision };
  if (rev > 0 && rev > opts.currentRevision) return { ok: false, error: 'future', compactRevision: 0, currentRevision: opts.currentRevision };
  const at = rev === 0 ? opts.currentRevision : rev;

  // Newest row <= at, per key (only needed for keys with rows <= compact: none when never compacted).
  const kept = new Set<string>();
  if (compact > 0) {
    const newest = new Map<string, { main: number; sub: number; tombstone: boolean }>();
    for await (const r of rows()) {
      if (r.main > at) break;
      newest.set(r.key.toString('latin1'), { main: r.main, sub: r.sub, tombstone: r.tombstone });
    }
    for (const n of newest.values()) if (!n.tombstone) kept.add(`${n.main}_${n.sub}`);
  }

  let h = crc32c(Buffer.from('key'));
  for await (const r of rows()) {
    if (r.main > at) break;
    if (r.main <= compact && kept.size > 0 && !kept.has(`${r.main}_${r.sub}`)) continue;
    h = crc32c(encodeRevision(r.main, r.sub, r.tombstone), h);
    h = crc32c(encodeKeyValue(r), h);
  }
  return { ok: true, hash: h, revision: opts.currentRevision, compactRevision: compact };
}
