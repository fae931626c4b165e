// Request converters: Store request types <-> etcd proto request objects, both directions.
//
// toPb* produce objects ready for a proto-loader serializer (int64 as numbers when safe and as
// decimal strings beyond, see i64; enums as the proto's names) and leave default values out. That matters on the wire: protobufjs encodes
// every field that is set, and a Go server decodes a present-but-empty `range_end` as a non-nil
// empty slice, which etcd's mvcc reads as "every key >= key" instead of "the single key". fromPb* accept decoded objects (or hand-made ones with fields left out) and
// produce the Store's types with default-valued optional fields left out (an empty range_end,
// limit 0, revision 0, false flags, sort NONE/KEY): the Store treats absent and default alike.

import type {
  Compare,
  CompactionRequest,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  TxnRequest,
  WatchRequest,
} from '../store.js';
import { StoreError } from '../errors.js';
import {
  big,
  bytes,
  CompareResultEnum,
  CompareTargetEnum,
  FilterEnum,
  i64,
  num,
  SortOrderEnum,
  SortTargetEnum,
} from './scalars.js';
import type {
  PbCompactionRequest,
  PbCompare,
  PbDeleteRangeRequest,
  PbPutRequest,
  PbRangeRequest,
  PbRequestOp,
  PbTxnRequest,
  PbWatchCreateRequest,
  PbWatchRequest,
} from './types.js';

const EMPTY = Buffer.alloc(0);

// ---- Range ----

export function rangeRequestToPb(r: RangeRequest): PbRangeRequest {
  // Defaults are left out: smaller messages, and an explicitly empty range_end would reach a Go
  // server as a non-nil empty slice, which etcd reads as "from key" (see rangeEndPb).
  const p: PbRangeRequest = { key: r.key };
  if (r.rangeEnd?.length) p.range_end = r.rangeEnd;
  if (r.limit) p.limit = i64(r.limit);
  if (r.revision) p.revision = i64(r.revision);
  if (r.sortOrder && r.sortOrder !== 'NONE') p.sort_order = SortOrderEnum.toPb(r.sortOrder);
  if (r.sortTarget && r.sortTarget !== 'KEY') p.sort_target = SortTargetEnum.toPb(r.sortTarget);
  if (r.serializable) p.serializable = true;
  if (r.keysOnly) p.keys_only = true;
  if (r.countOnly) p.count_only = true;
  if (r.minModRevision) p.min_mod_revision = i64(r.minModRevision);
  if (r.maxModRevision) p.max_mod_revision = i64(r.maxModRevision);
  if (r.minCreateRevision) p.min_create_revision = i64(r.minCreateRevision);
  if (r.maxCreateRevision) p.max_create_revision = i64(r.maxCreateRevision);
  return p;
}

export function rangeRequestFromPb(p: PbRangeRequest): RangeRequest {
  const r: RangeRequest = { key: bytes(p.key) };
  const rangeEnd = bytes(p.range_end);
  if (rangeEnd.length) r.rangeEnd = rangeEnd;
  const limit = num(p.limit);
  if (limit) r.limit = limit;
  const revision = num(p.revision);
  if (revision) r.revision = revision;
  const sortOrder = SortOrderEnum.fromPb(p.sort_order);
  if (sortOrder !== 'NONE') r.sortOrder = sortOrder;
  const sortTarget = SortTargetEnum.fromPb(p.sort_target);
  if (sortTarget !== 'KEY') r.sortTarget = sortTarget;
  if (p.serializable) r.serializable = true;
  if (p.keys_only) r.keysOnly = true;
  if (p.count_only) r.countOnly = true;
  const minMod = num(p.min_mod_revision);
  if (minMod) r.minModRevision = minMod;
  const maxMod = num(p.max_mod_revision);
  if (maxMod) r.maxModRevision = maxMod;
  const minCreate = num(p.min_create_revision);
  if (minCreate) r.minCreateRevision = minCreate;
  const maxCreate = num(p.max_create_revision);
  if (maxCreate) r.maxCreateRevision = maxCreate;
  return r;
}

// ---- Put ----

export function putRequestToPb(r: PutRequest): PbPutRequest {
  const p: PbPutRequest = { key: r.key };
  if (r.value?.length) p.value = r.value;
  if (r.lease) p.lease = i64(r.lease);
  if (r.prevKv) p.prev_kv = true;
  if (r.ignoreValue) p.ignore_value = true;
  if (r.ignoreLease) p.ignore_lease = true;
  return p;
}

export function putRequestFromPb(p: PbPutRequest): PutRequest {
  const r: PutRequest = { key: bytes(p.key), value: bytes(p.value) };
  const lease = big(p.lease);
  if (lease) r.lease = lease;
  if (p.prev_kv) r.prevKv = true;
  if (p.ignore_value) r.ignoreValue = true;
  if (p.ignore_lease) r.ignoreLease = true;
  return r;
}

// ---- DeleteRange ----

export function deleteRangeRequestToPb(r: DeleteRangeRequest): PbDeleteRangeRequest {
  const p: PbDeleteRangeRequest = { key: r.key };
  if (r.rangeEnd?.length) p.range_end = r.rangeEnd;
  if (r.prevKv) p.prev_kv = true;
  return p;
}

export function deleteRangeRequestFromPb(p: PbDeleteRangeRequest): DeleteRangeRequest {
  const r: DeleteRangeRequest = { key: bytes(p.key) };
  const rangeEnd = bytes(p.range_end);
  if (rangeEnd.length) r.rangeEnd = rangeEnd;
  if (p.prev_kv) r.prevKv = true;
  return r;
}

// ---- Compare ----

const TARGET_FIELD = {
  VERSION: 'version',
  CREATE: 'create_revision',
  MOD: 'mod_revision',
  VALUE: 'value',
  LEASE: 'lease',
} as const;

export function compareToPb(c: Compare): PbCompare {
  const p: PbCompare = {
    result: CompareResultEnum.toPb(c.result),
    target: CompareTargetEnum.toPb(c.target),
    key: c.key,
  };
  if (c.rangeEnd?.length) p.range_end = c.rangeEnd;
  // Exactly the oneof member the target reads (etcd reads the member named by the target).
  switch (c.target) {
    case 'VERSION':
      p.version = i64(c.version ?? 0);
      break;
    case 'CREATE':
      p.create_revision = i64(c.createRevision ?? 0);
      break;
    case 'MOD':
      p.mod_revision = i64(c.modRevision ?? 0);
      break;
    case 'VALUE':
      p.value = c.value ?? EMPTY;
      break;
    case 'LEASE':
      p.lease = i64(c.lease ?? 0n);
      break;
  }
  return p;
}

export function compareFromPb(p: PbCompare): Compare {
  const target = CompareTargetEnum.fromPb(p.target);
  const c: Compare = { result: CompareResultEnum.fromPb(p.result), target, key: bytes(p.key) };
  const rangeEnd = bytes(p.range_end);
  if (rangeEnd.length) c.rangeEnd = rangeEnd;
  // As etcd: the target picks the member; a different member set (or none) reads as zero.
  const field = TARGET_FIELD[target];
  const set = p.target_union === undefined || p.target_union === field;
  switch (target) {
    case 'VERSION':
      c.version = set ? num(p.version) : 0;
      break;
    case 'CREATE':
      c.createRevision = set ? num(p.create_revision) : 0;
      break;
    case 'MOD':
      c.modRevision = set ? num(p.mod_revision) : 0;
      break;
    case 'VALUE':
      c.value = set ? bytes(p.value) : EMPTY;
      break;
    case 'LEASE':
      c.lease = set ? big(p.lease) : 0n;
      break;
  }
  return c;
}

// ---- Txn ----

export function requestOpToPb(op: RequestOp): PbRequestOp {
  if ('requestRange' in op) return { request_range: rangeRequestToPb(op.requestRange) };
  if ('requestPut' in op) return { request_put: putRequestToPb(op.requestPut) };
  if ('requestDeleteRange' in op) return { request_delete_range: deleteRangeRequestToPb(op.requestDeleteRange) };
  if ('requestTxn' in op) return { request_txn: txnRequestToPb(op.requestTxn) };
  throw new RangeError('request op has no request');
}

export function requestOpFromPb(p: PbRequestOp): RequestOp {
  const which =
    p.request ??
    (p.request_range
      ? 'request_range'
      : p.request_put
        ? 'request_put'
        : p.request_delete_range
          ? 'request_delete_range'
          : p.request_txn
            ? 'request_txn'
            : undefined);
  switch (which) {
    case 'request_range':
      return { requestRange: rangeRequestFromPb(p.request_range ?? {}) };
    case 'request_put':
      return { requestPut: putRequestFromPb(p.request_put ?? {}) };
    case 'request_delete_range':
      return { requestDeleteRange: deleteRangeRequestFromPb(p.request_delete_range ?? {}) };
    case 'request_txn':
      return { requestTxn: txnRequestFromPb(p.request_txn ?? {}) };
    default:
      // etcd cannot apply an op without a request either; answer as a malformed request.
      throw new StoreError('INVALID_ARGUMENT', 'etcdserver: request op has no request');
  }
}

export function txnRequestToPb(t: TxnRequest): PbTxnRequest {
  return {
    compare: (t.compare ?? []).map(compareToPb),
    success: (t.success ?? []).map(requestOpToPb),
    failure: (t.failure ?? []).map(requestOpToPb),
  };
}

export function txnRequestFromPb(p: PbTxnRequest): TxnRequest {
  return {
    compare: (p.compare ?? []).map(compareFromPb),
    success: (p.success ?? []).map(requestOpFromPb),
    failure: (p.failure ?? []).map(requestOpFromPb),
  };
}

// ---- Compaction ----

export function compactionRequestToPb(r: CompactionRequest): PbCompactionRequest {
  const p: PbCompactionRequest = { revision: i64(r.revision) };
  if (r.physical) p.physical = true;
  return p;
}

export function compactionRequestFromPb(p: PbCompactionRequest): CompactionRequest {
  const r: CompactionRequest = { revision: num(p.revision) };
  if (p.physical) r.physical = true;
  return r;
}

// ---- Watch ----

/** Transport-level fields of a watch create request that the Store's WatchRequest does not carry. */
export interface WatchCreateExtras {
  /** Client-chosen watch id (0 = the server picks one). */
  watchId?: number;
  /** Allow splitting large revisions into several responses. */
  fragment?: boolean;
}

export function watchCreateRequestToPb(r: WatchRequest, extras: WatchCreateExtras = {}): PbWatchCreateRequest {
  const p: PbWatchCreateRequest = { key: r.key };
  if (r.rangeEnd?.length) p.range_end = r.rangeEnd;
  if (r.startRevision) p.start_revision = i64(r.startRevision);
  if (r.progressNotify) p.progress_notify = true;
  if (r.filters?.length) p.filters = r.filters.map((f) => FilterEnum.toPb(f));
  if (r.prevKv) p.prev_kv = true;
  if (extras.watchId) p.watch_id = i64(extras.watchId);
  if (extras.fragment) p.fragment = true;
  return p;
}

export function watchCreateRequestFromPb(p: PbWatchCreateRequest): { request: WatchRequest } & Required<WatchCreateExtras> {
  const r: WatchRequest = { key: bytes(p.key) };
  const rangeEnd = bytes(p.range_end);
  if (rangeEnd.length) r.rangeEnd = rangeEnd;
  const start = num(p.start_revision);
  if (start) r.startRevision = start;
  if (p.progress_notify) r.progressNotify = true;
  if (p.filters && p.filters.length) r.filters = p.filters.map((f) => FilterEnum.fromPb(f));
  if (p.prev_kv) r.prevKv = true;
  return { request: r, watchId: num(p.watch_id), fragment: p.fragment ?? false };
}

/** One message of the Watch bidi stream from the client, decoded. */
export type WatchStreamRequest =
  | { create: WatchRequest; watchId: number; fragment: boolean }
  | { cancel: { watchId: number } }
  | { progress: true };

export function watchRequestToPb(r: WatchStreamRequest): PbWatchRequest {
  if ('create' in r) return { create_request: watchCreateRequestToPb(r.create, { watchId: r.watchId, fragment: r.fragment }) };
  if ('cancel' in r) return { cancel_request: { watch_id: i64(r.cancel.watchId) } };
  return { progress_request: {} };
}

/** Decode a Watch stream message; undefined when it carries none of the three requests (etcd ignores those). */
export function watchRequestFromPb(p: PbWatchRequest): WatchStreamRequest | undefined {
  const which =
    p.request_union ??
    (p.create_request ? 'create_request' : p.cancel_request ? 'cancel_request' : p.progress_request ? 'progress_request' : undefined);
  switch (which) {
    case 'create_request': {
      const c = watchCreateRequestFromPb(p.create_request ?? {});
      return { create: c.request, watchId: c.watchId, fragment: c.fragment };
    }
    case 'cancel_request':
      return { cancel: { watchId: num(p.cancel_request?.watch_id) } };
    case 'progress_request':
      return { progress: true };
    default:
      return undefined;
  }
}
