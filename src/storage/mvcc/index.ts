// keelson's embedded etcd-compatible store: MVCC over LMDB, etcd 3.4 semantics.
//
// Layout (one concept per file): options.ts (tunables and defaults), backend.ts (LMDB tables and
// the durable group commit), wal.ts + wal-record.ts (the write-ahead log and its replay), codec.ts (binary rows), current-index.ts (live keys in memory),
// key-index.ts (current and past-revision reads), write-txn.ts (a write being decided), txn.ts
// (validation, compares, txn execution), range.ts (filters, sort, limit), kv-store.ts (the Store),
// watch-hub.ts + history.ts (watchers and catch-up), lessor.ts + lease-ops.ts (leases),
// compactor.ts (background compaction), quota.ts (NOSPACE), snapshot.ts + maintenance.ts.
//
// Beyond the Store interface, MvccStore offers:
// - watch listeners may return a Promise: the hub then waits for it before delivering that
//   watcher's next response, queueing meanwhile, and cancels the watcher (canceled: true,
//   cancelReason) once more than `maxWatcherQueuedEvents` events are queued;
// - `appliedRev`/`committedRev`/`compactRev` (read-only use), and `compactor.schedule(rev)` to
//   wait for a physical compaction.
// Limits: keys longer than about 1.9 KiB (LMDB's key size) and requests over 1.5 MiB fail with
// ErrRequestTooLarge.
import { MvccStore } from './kv-store.js';
import type { MvccOptions } from './options.js';

export { MvccStore } from './kv-store.js';
export type { MvccOptions } from './options.js';
export { DEFAULT_QUOTA_BYTES } from './options.js';
export { restoreSnapshot } from './snapshot.js';
export { MIN_LEASE_TTL } from './lessor.js';
export { SLOW_WATCHER_REASON } from './watch-hub.js';

/**
 * Open (or create) the store in `opts.dataDir`. Recovery reads the revision, compaction state,
 * alarms, leases and the live keys (not their values, not history), so it is fast at any size.
 */
export async function openMvccStore(opts: MvccOptions): Promise<MvccStore> {
  const s = new MvccStore(opts);
  s.open();
  return s;
}
