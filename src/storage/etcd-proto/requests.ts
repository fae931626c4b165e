// Request converters: Store request types <-> etcd proto request objects, both directions.
//
// toPb* produce objects ready for a proto-loader serializer (int64 as decimal strings, enums as
// the proto's names). fromPb* accept decoded objects (or hand-made ones with fields left out) and
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
  return {
    key: r.key,
    range_end: r.rangeEnd ?? EMPTY,
    limit: i64(r.limit ?? 0),
    revision: i64(r.revision ?? 0),
    sort_order: SortOrderEnum.toPb(r.sortOrder ?? 'NONE'),
    sort_target: SortTargetEnum.toPb(r.sortTarget ?? 'KEY'),
    serializable: r.serializable ?? false,
    keys_only: r.keysOnly ?? false,
    count_only: r.countOnly ?? false,
    min_mod_revision: i64(r.minModRevision ?? 0),
    max_mod_revision: i64(r.maxModRevision ?? 0),
    min_create_revision: i64(r.minCreateRevision ?? 0),
    max_create_revision: i64(r.maxCreateRevision ?? 0),
  };
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
  return {
    key: r.key,
    value: r.value ?? EMPTY,
    lease: i64(r.lease ?? 0n),
    prev_kv: r.prevKv ?? false,
    ignore_value: r.ignoreValue ?? false,
    ignore_lease: r.ignoreLease ?? false,
  };
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
  return { key: r.key, range_end: r.rangeEnd ?? EMPTY, prev_kv: r.prevKv ?? false };
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
    range_end: c.rangeEnd ?? EMPTY,
  };
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
  return { revision: i64(r.revision), physical: r.physical ?? false };
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
  return {
    key: r.key,
    range_end: r.rangeEnd ?? EMPTY,
    start_revision: i64(r.startRevision ?? 0),
    progress_notify: r.progressNotify ?? false,
    filters: (r.filters ?? []).map((f) => FilterEnum.toPb(f)),
    prev_kv: r.prevKv ?? false,
    watch_id: i64(extras.watchId ?? 0),
    fragment: extras.fragment ?? false,
  };
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
