// Options of the embedded mvcc store, with etcd's defaults.

export interface MvccOptions {
  /** Directory holding the store (created if missing): <dataDir>/data.mdb and <dataDir>/wal/. */
  dataDir: string;
  /** Backend size limit in bytes, as etcd's --quota-backend-bytes. Default 2 GiB. */
  quotaBackendBytes?: number;
  /** Max operations per txn branch, as etcd's --max-txn-ops. Default 128. */
  maxTxnOps?: number;
  /** Idle time after which a progressNotify watcher gets an empty response. Default 10 min (etcd). */
  progressNotifyIntervalMs?: number;
  /** Clock for lease expiry (ms). Default Date. */
  clock?: { now(): number };
  /** Header ids. Default: fixed ids of a single-member cluster. */
  clusterId?: bigint;
  memberId?: bigint;
  /** How often expired leases are looked for. Default 500 ms (etcd's lessor). */
  leaseCheckIntervalMs?: number;
  /** Longest time a write waits in memory before LMDB commits it, as etcd's --backend-batch-interval (the WAL already made it durable). Default 100 ms; 0 = commit as soon as the previous commit is flushed. */
  backendBatchIntervalMs?: number;
  /** Writes after which LMDB commits without waiting for the interval, as etcd's --backend-batch-limit. Default 10000. */
  backendBatchLimit?: number;
  /** Queued events after which a watcher whose listener applies backpressure is canceled. Default 100000. */
  maxWatcherQueuedEvents?: number;
}

export interface ResolvedOptions {
  dataDir: string;
  quotaBackendBytes: number;
  maxTxnOps: number;
  progressNotifyIntervalMs: number;
  clock: { now(): number };
  clusterId: bigint;
  memberId: bigint;
  leaseCheckIntervalMs: number;
  maxWatcherQueuedEvents: number;
  backendBatchIntervalMs: number;
  backendBatchLimit: number;
}

export const DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

export function resolveOptions(o: MvccOptions): ResolvedOptions {
  return {
    dataDir: o.dataDir,
    quotaBackendBytes: o.quotaBackendBytes && o.quotaBackendBytes > 0 ? o.quotaBackendBytes : DEFAULT_QUOTA_BYTES,
    maxTxnOps: o.maxTxnOps ?? 128,
    progressNotifyIntervalMs: o.progressNotifyIntervalMs ?? 10 * 60 * 1000,
    clock: o.clock ?? { now: () => Date.now() },
    clusterId: o.clusterId ?? 0x6b65656c736f6e01n,
    memberId: o.memberId ?? 0x6b65656c736f6e02n,
    leaseCheckIntervalMs: o.leaseCheckIntervalMs ?? 500,
    maxWatcherQueuedEvents: o.maxWatcherQueuedEvents ?? 100_000,
    backendBatchIntervalMs: o.backendBatchIntervalMs !== undefined && o.backendBatchIntervalMs >= 0 ? o.backendBatchIntervalMs : 100,
    backendBatchLimit: o.backendBatchLimit && o.backendBatchLimit > 0 ? o.backendBatchLimit : 10_000,
  };
}
