// The Store interface: etcd v3's data model, in process.
//
// Every implementation (the embedded mvcc engine, the client of a real etcd cluster) passes the
// one contract suite in `contract.ts`. The semantics below are etcd 3.4's, edge cases included;
// where a comment says "as etcd", the contract suite checks it against a real etcd too.
//
// Keys and values are bytes (Buffer). Keys are ordered by unsigned byte comparison.
// Revisions are numbers (a store would need 2^53 writes to overflow them). Lease ids are bigint,
// because a real etcd hands out random 63-bit ids.

import type { EtcdTables } from './etcd-snapshot/index.js';
export type Bytes = Buffer;

/** Header of every response, as etcd's ResponseHeader. */
export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  /** The store's current revision when the response was produced (after the request's own write). */
  revision: number;
  raftTerm: number;
}

/** One key's current or historical value, as etcd's mvccpb.KeyValue. */
export interface KeyValue {
  key: Bytes;
  /** Revision of the write that created the key (since its last delete). */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
  /** Number of writes since creation; 1 on create, reset by delete. */
  version: number;
  value: Bytes;
  /** Lease id attached to the key, 0n for none. */
  lease: bigint;
}

/**
 * Range semantics (as etcd):
 * - `rangeEnd` absent or empty: the single key `key`.
 * - `rangeEnd` = "\0" (one zero byte): every key >= `key` ("from key"); key "\0" + rangeEnd "\0" = all keys.
 * - otherwise the half-open interval [key, rangeEnd). A prefix p is [p, prefixEnd(p)).
 * - `limit` 0 = no limit. `more` says whether keys were left out by the limit; `count` is the
 *   number of keys in the range before the limit (and with countOnly, the only answer).
 * - `revision` 0 = current; a revision at or below the compacted revision fails with
 *   ErrCompacted; a revision above the current one fails with ErrFutureRev.
 * - `keysOnly` returns kvs with empty values. `serializable` is accepted (single member: same result).
 * - `minModRevision`/`maxModRevision`/`minCreateRevision`/`maxCreateRevision` filter (0 = none);
 *   filtering and sorting happen before the limit, as etcd.
 */
export interface RangeRequest {
  key: Bytes;
  rangeEnd?: Bytes;
  limit?: number;
  revision?: number;
  sortOrder?: 'NONE' | 'ASCEND' | 'DESCEND';
  sortTarget?: 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

/**
 * Put semantics (as etcd): an empty key fails with ErrEmptyKey. `lease` must exist (else
 * ErrLeaseNotFound). `ignoreValue`/`ignoreLease` keep the current value/lease and fail with
 * ErrKeyNotFound when the key does not exist; setting a value together with ignoreValue fails
 * with ErrValueProvided (likewise ErrLeaseProvided). Each put outside a txn is one revision.
 */
export interface PutRequest {
  key: Bytes;
  value: Bytes;
  lease?: bigint;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prevKv?: KeyValue;
}

/** Same range rules as RangeRequest. Deleting nothing does not create a revision. */
export interface DeleteRangeRequest {
  key: Bytes;
  rangeEnd?: Bytes;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prevKvs: KeyValue[];
}

/**
 * A txn compare. Targets compare against the key's current state; a missing key has version,
 * createRevision, modRevision and lease 0 and, for VALUE, fails every compare (as etcd).
 * With `rangeEnd`, the compare must hold for every key in the range (as etcd 3.3+).
 */
export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  key: Bytes;
  rangeEnd?: Bytes;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: Bytes;
  lease?: bigint;
}

export type RequestOp =
  | { requestRange: RangeRequest }
  | { requestPut: PutRequest }
  | { requestDeleteRange: DeleteRangeRequest }
  | { requestTxn: TxnRequest };

export type ResponseOp =
  | { responseRange: RangeResponse }
  | { responsePut: PutResponse }
  | { responseDeleteRange: DeleteRangeResponse }
  | { responseTxn: TxnResponse };

/**
 * Txn semantics (as etcd): all compares are evaluated; if all hold, `success` runs, else
 * `failure`. The whole txn is atomic and takes at most one revision (none if it writes nothing).
 * Reads inside a txn see the txn's earlier writes. More than the store's max ops (default 128,
 * counted per branch, nested txns included) fails with ErrTooManyOps; the same key written
 * twice (put/delete overlapping within the chosen branches, nested included) fails with
 * ErrDuplicateKey. Nested responses carry header.revision of the txn.
 */
export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  /** Wait until the compaction is on disk before answering. */
  physical?: boolean;
}

export interface Event {
  type: 'PUT' | 'DELETE';
  /** For DELETE: key and modRevision (the delete's revision) only, as etcd. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

/**
 * Watch semantics (as etcd):
 * - Range rules as RangeRequest. `startRevision` 0 = from the next write; a past revision
 *   replays history from it; a future one waits for it.
 * - If startRevision <= the compacted revision, the watcher receives one response with
 *   `canceled: true` and `compactRevision` set, and nothing else.
 * - Events of one revision arrive together in one response (never split across responses unless
 *   `fragment` is used by a transport); responses arrive in revision order.
 * - `progressNotify`: the store sends an empty response with the current revision when the
 *   watcher has been idle for the progress interval. `requestProgress()` asks for one now.
 * - `filters` drop PUT or DELETE events. `prevKv` attaches the previous value.
 * - A watcher whose listener cannot keep up is canceled (a response with `canceled: true`,
 *   `cancelReason` set) rather than buffering without bound.
 */
export interface WatchRequest {
  key: Bytes;
  rangeEnd?: Bytes;
  startRevision?: number;
  progressNotify?: boolean;
  filters?: Array<'NOPUT' | 'NODELETE'>;
  prevKv?: boolean;
}

export interface WatchResponse {
  header: ResponseHeader;
  events: Event[];
  /** Set when the watcher was canceled because its start revision was compacted. */
  compactRevision?: number;
  canceled?: boolean;
  cancelReason?: string;
}

export interface Watcher {
  /** Stop the watch; no listener calls happen after it returns. */
  cancel(): void;
  /** Ask for a progress response (header.revision = current revision, no events). */
  requestProgress(): void;
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  id: bigint;
  ttl: number;
}

export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  id: bigint;
  /** Remaining seconds; -1 when the lease does not exist (as etcd, not an error). */
  ttl: number;
  grantedTtl: number;
  keys: Bytes[];
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: number;
  dbSizeInUse: number;
  leader: bigint;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  errors: string[];
  isLearner: boolean;
}

/** The etcd-server layer's state that a snapshot carries besides the key space. */
export type SnapshotServerTables = Partial<Pick<EtcdTables, 'members' | 'authEnabled' | 'authRevision' | 'users' | 'roles'>>;

export interface HashKVResponse {
  header: ResponseHeader;
  hash: number;
  compactRevision: number;
}

export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT';

export interface AlarmMember {
  memberId: bigint;
  alarm: AlarmType;
}

/**
 * The store. All methods are async; errors are StoreError (see errors.ts) with etcd's codes and
 * messages. `close()` releases files and timers; calls after it fail.
 */
export interface Store {
  range(req: RangeRequest): Promise<RangeResponse>;
  put(req: PutRequest): Promise<PutResponse>;
  deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse>;
  txn(req: TxnRequest): Promise<TxnResponse>;
  /**
   * Compact history up to `revision` (kept: revision itself). A revision <= the current compacted
   * revision fails with ErrCompacted; above the current revision with ErrFutureRev.
   */
  compact(req: CompactionRequest): Promise<{ header: ResponseHeader }>;

  /**
   * Start a watch. The listener is called for every response, in order. The returned promise
   * resolves once the watch is registered (events from startRevision on are guaranteed).
   */
  watch(req: WatchRequest, listener: (resp: WatchResponse) => void): Promise<Watcher>;

  /** Grant a lease. ttl in seconds (minimum 2 is applied by etcd's lessor as etcd does); id 0n = pick one. */
  leaseGrant(ttl: number, id?: bigint): Promise<LeaseGrantResponse>;
  /** Revoke a lease, deleting its keys in one revision. Unknown lease: ErrLeaseNotFound. */
  leaseRevoke(id: bigint): Promise<{ header: ResponseHeader }>;
  /** Renew a lease; answers the new TTL. Unknown lease: ttl 0 in the answer, as etcd's keep-alive. */
  leaseKeepAlive(id: bigint): Promise<{ header: ResponseHeader; id: bigint; ttl: number }>;
  leaseTimeToLive(id: bigint, keys?: boolean): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(): Promise<{ header: ResponseHeader; leases: bigint[] }>;

  status(): Promise<StatusResponse>;
  /**
   * Stream a consistent snapshot of the whole store as an etcd 3.4 snapshot file (bbolt with
   * etcd's buckets + sha256 trailer). `tables`: the server-layer state (members, auth) to put in
   * it; a store backed by a real etcd streams that etcd's own snapshot and ignores them.
   */
  snapshot(tables?: SnapshotServerTables): AsyncIterable<Bytes>;
  hashKV(revision?: number): Promise<HashKVResponse>;
  defragment(): Promise<void>;
  alarms(): Promise<AlarmMember[]>;
  /** Disarm an alarm (etcdctl alarm disarm). */
  alarmDisarm(alarm: AlarmType): Promise<AlarmMember[]>;

  close(): Promise<void>;
}

/** The end of the range covering every key with the given prefix (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Bytes): Bytes {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff (or empty): no upper bound, i.e. "from key".
  return Buffer.from([0]);
}
