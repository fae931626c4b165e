// Response converters: Store response types <-> etcd proto response objects, both directions.
//
// toPb* produce objects ready for a proto-loader serializer (int64 as numbers when safe, decimal
// strings beyond; see i64); fromPb* accept decoded objects (int64 as decimal strings).
// Optional Store fields (prevKv, compactRevision, canceled, cancelReason) are left out when the
// proto carries their default, so a Store value converted to proto and back is unchanged.

import type {
  AlarmMember,
  DeleteRangeResponse,
  Event,
  HashKVResponse,
  KeyValue,
  LeaseGrantResponse,
  LeaseTimeToLiveResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  StatusResponse,
  TxnResponse,
  WatchResponse,
} from '../store.js';
import { AlarmTypeEnum, big, bytes, EventTypeEnum, i64, num } from './scalars.js';
import type {
  PbAlarmMember,
  PbAlarmResponse,
  PbDeleteRangeResponse,
  PbEvent,
  PbHashKVResponse,
  PbKeyValue,
  PbLeaseGrantResponse,
  PbLeaseKeepAliveResponse,
  PbLeaseLeasesResponse,
  PbLeaseTimeToLiveResponse,
  PbPutResponse,
  PbRangeResponse,
  PbResponseHeader,
  PbResponseOp,
  PbStatusResponse,
  PbTxnResponse,
  PbWatchResponse,
} from './types.js';

// ---- Header, KeyValue, Event ----

export function headerToPb(h: ResponseHeader): PbResponseHeader {
  return {
    cluster_id: i64(h.clusterId),
    member_id: i64(h.memberId),
    revision: i64(h.revision),
    raft_term: i64(h.raftTerm),
  };
}

export function headerFromPb(p: PbResponseHeader | null | undefined): ResponseHeader {
  return {
    clusterId: big(p?.cluster_id),
    memberId: big(p?.member_id),
    revision: num(p?.revision),
    raftTerm: num(p?.raft_term),
  };
}

export function keyValueToPb(kv: KeyValue): PbKeyValue {
  // Zero fields are left out (smaller and faster to encode; a decoder reads them as zero). A
  // delete event's kv is then just key + mod_revision, exactly as etcd sends it.
  const p: PbKeyValue = { key: kv.key, mod_revision: i64(kv.modRevision) };
  if (kv.createRevision) p.create_revision = i64(kv.createRevision);
  if (kv.version) p.version = i64(kv.version);
  if (kv.value.length) p.value = kv.value;
  if (kv.lease) p.lease = i64(kv.lease);
  return p;
}

export function keyValueFromPb(p: PbKeyValue): KeyValue {
  return {
    key: bytes(p.key),
    createRevision: num(p.create_revision),
    modRevision: num(p.mod_revision),
    version: num(p.version),
    value: bytes(p.value),
    lease: big(p.lease),
  };
}

export function eventToPb(e: Event): PbEvent {
  // The type as its number: encodable as is, without protobufjs' fromObject (the watch hot path).
  const p: PbEvent = { type: EventTypeEnum.number(e.type), kv: keyValueToPb(e.kv) };
  if (e.prevKv) p.prev_kv = keyValueToPb(e.prevKv);
  return p;
}

export function eventFromPb(p: PbEvent): Event {
  const e: Event = { type: EventTypeEnum.fromPb(p.type), kv: keyValueFromPb(p.kv ?? {}) };
  if (p.prev_kv) e.prevKv = keyValueFromPb(p.prev_kv);
  return e;
}

// ---- KV ----

export function rangeResponseToPb(r: RangeResponse): PbRangeResponse {
  return { header: headerToPb(r.header), kvs: r.kvs.map(keyValueToPb), more: r.more, count: i64(r.count) };
}

export function rangeResponseFromPb(p: PbRangeResponse): RangeResponse {
  return {
    header: headerFromPb(p.header),
    kvs: (p.kvs ?? []).map(keyValueFromPb),
    more: p.more ?? false,
    count: num(p.count),
  };
}

export function putResponseToPb(r: PutResponse): PbPutResponse {
  const p: PbPutResponse = { header: headerToPb(r.header) };
  if (r.prevKv) p.prev_kv = keyValueToPb(r.prevKv);
  return p;
}

export function putResponseFromPb(p: PbPutResponse): PutResponse {
  const r: PutResponse = { header: headerFromPb(p.header) };
  if (p.prev_kv) r.prevKv = keyValueFromPb(p.prev_kv);
  return r;
}

export function deleteRangeResponseToPb(r: DeleteRangeResponse): PbDeleteRangeResponse {
  return { header: headerToPb(r.header), deleted: i64(r.deleted), prev_kvs: r.prevKvs.map(keyValueToPb) };
}

export function deleteRangeResponseFromPb(p: PbDeleteRangeResponse): DeleteRangeResponse {
  return { header: headerFromPb(p.header), deleted: num(p.deleted), prevKvs: (p.prev_kvs ?? []).map(keyValueFromPb) };
}

export function responseOpToPb(op: ResponseOp): PbResponseOp {
  if ('responseRange' in op) return { response_range: rangeResponseToPb(op.responseRange) };
  if ('responsePut' in op) return { response_put: putResponseToPb(op.responsePut) };
  if ('responseDeleteRange' in op) return { response_delete_range: deleteRangeResponseToPb(op.responseDeleteRange) };
  if ('responseTxn' in op) return { response_txn: txnResponseToPb(op.responseTxn) };
  throw new RangeError('response op has no response');
}

export function responseOpFromPb(p: PbResponseOp): ResponseOp {
  const which =
    p.response ??
    (p.response_range
      ? 'response_range'
      : p.response_put
        ? 'response_put'
        : p.response_delete_range
          ? 'response_delete_range'
          : p.response_txn
            ? 'response_txn'
            : undefined);
  switch (which) {
    case 'response_range':
      return { responseRange: rangeResponseFromPb(p.response_range ?? {}) };
    case 'response_put':
      return { responsePut: putResponseFromPb(p.response_put ?? {}) };
    case 'response_delete_range':
      return { responseDeleteRange: deleteRangeResponseFromPb(p.response_delete_range ?? {}) };
    case 'response_txn':
      return { responseTxn: txnResponseFromPb(p.response_txn ?? {}) };
    default:
      throw new RangeError('response op has no response');
  }
}

export function txnResponseToPb(r: TxnResponse): PbTxnResponse {
  return { header: headerToPb(r.header), succeeded: r.succeeded, responses: r.responses.map(responseOpToPb) };
}

export function txnResponseFromPb(p: PbTxnResponse): TxnResponse {
  return {
    header: headerFromPb(p.header),
    succeeded: p.succeeded ?? false,
    responses: (p.responses ?? []).map(responseOpFromPb),
  };
}

/** Compaction, LeaseRevoke and Defragment responses carry only a header. */
export function headerOnlyResponseToPb(r: { header: ResponseHeader }): { header: PbResponseHeader } {
  return { header: headerToPb(r.header) };
}

export function headerOnlyResponseFromPb(p: { header?: PbResponseHeader | null }): { header: ResponseHeader } {
  return { header: headerFromPb(p.header) };
}

// ---- Watch ----

/** Transport-level fields of a watch response that the Store's WatchResponse does not carry. */
export interface WatchResponseExtras {
  watchId: number;
  /** Set on the reply to a create request. */
  created?: boolean;
  /** More responses of the same revision follow (create request asked for fragment). */
  fragment?: boolean;
}

export function watchResponseToPb(r: WatchResponse, extras: WatchResponseExtras): PbWatchResponse {
  return {
    header: headerToPb(r.header),
    watch_id: i64(extras.watchId),
    created: extras.created ?? false,
    canceled: r.canceled ?? false,
    compact_revision: i64(r.compactRevision ?? 0),
    cancel_reason: r.cancelReason ?? '',
    fragment: extras.fragment ?? false,
    events: r.events.map(eventToPb),
  };
}

export function watchResponseFromPb(p: PbWatchResponse): { response: WatchResponse } & Required<WatchResponseExtras> {
  const r: WatchResponse = { header: headerFromPb(p.header), events: (p.events ?? []).map(eventFromPb) };
  const compactRevision = num(p.compact_revision);
  if (compactRevision) r.compactRevision = compactRevision;
  if (p.canceled) r.canceled = true;
  if (p.cancel_reason) r.cancelReason = p.cancel_reason;
  return { response: r, watchId: num(p.watch_id), created: p.created ?? false, fragment: p.fragment ?? false };
}

// ---- Lease ----

export function leaseGrantResponseToPb(r: LeaseGrantResponse, error = ''): PbLeaseGrantResponse {
  return { header: headerToPb(r.header), ID: i64(r.id), TTL: i64(r.ttl), error };
}

export function leaseGrantResponseFromPb(p: PbLeaseGrantResponse): LeaseGrantResponse {
  return { header: headerFromPb(p.header), id: big(p.ID), ttl: num(p.TTL) };
}

export interface LeaseKeepAliveResult {
  header: ResponseHeader;
  id: bigint;
  ttl: number;
}

export function leaseKeepAliveResponseToPb(r: LeaseKeepAliveResult): PbLeaseKeepAliveResponse {
  return { header: headerToPb(r.header), ID: i64(r.id), TTL: i64(r.ttl) };
}

export function leaseKeepAliveResponseFromPb(p: PbLeaseKeepAliveResponse): LeaseKeepAliveResult {
  return { header: headerFromPb(p.header), id: big(p.ID), ttl: num(p.TTL) };
}

export function leaseTimeToLiveResponseToPb(r: LeaseTimeToLiveResponse): PbLeaseTimeToLiveResponse {
  return { header: headerToPb(r.header), ID: i64(r.id), TTL: i64(r.ttl), grantedTTL: i64(r.grantedTtl), keys: r.keys };
}

export function leaseTimeToLiveResponseFromPb(p: PbLeaseTimeToLiveResponse): LeaseTimeToLiveResponse {
  return {
    header: headerFromPb(p.header),
    id: big(p.ID),
    ttl: num(p.TTL),
    grantedTtl: num(p.grantedTTL),
    keys: (p.keys ?? []).map((k) => bytes(k)),
  };
}

export function leaseLeasesResponseToPb(r: { header: ResponseHeader; leases: bigint[] }): PbLeaseLeasesResponse {
  return { header: headerToPb(r.header), leases: r.leases.map((id) => ({ ID: i64(id) })) };
}

export function leaseLeasesResponseFromPb(p: PbLeaseLeasesResponse): { header: ResponseHeader; leases: bigint[] } {
  return { header: headerFromPb(p.header), leases: (p.leases ?? []).map((l) => big(l.ID)) };
}

// ---- Maintenance ----

export function statusResponseToPb(r: StatusResponse): PbStatusResponse {
  return {
    header: headerToPb(r.header),
    version: r.version,
    dbSize: i64(r.dbSize),
    leader: i64(r.leader),
    raftIndex: i64(r.raftIndex),
    raftTerm: i64(r.raftTerm),
    raftAppliedIndex: i64(r.raftAppliedIndex),
    errors: r.errors,
    dbSizeInUse: i64(r.dbSizeInUse),
    isLearner: r.isLearner,
  };
}

export function statusResponseFromPb(p: PbStatusResponse): StatusResponse {
  return {
    header: headerFromPb(p.header),
    version: p.version ?? '',
    dbSize: num(p.dbSize),
    dbSizeInUse: num(p.dbSizeInUse),
    leader: big(p.leader),
    raftIndex: num(p.raftIndex),
    raftTerm: num(p.raftTerm),
    raftAppliedIndex: num(p.raftAppliedIndex),
    errors: p.errors ?? [],
    isLearner: p.isLearner ?? false,
  };
}

export function hashKVResponseToPb(r: HashKVResponse): PbHashKVResponse {
  return { header: headerToPb(r.header), hash: r.hash >>> 0, compact_revision: i64(r.compactRevision) };
}

export function hashKVResponseFromPb(p: PbHashKVResponse): HashKVResponse {
  return { header: headerFromPb(p.header), hash: (p.hash ?? 0) >>> 0, compactRevision: num(p.compact_revision) };
}

export function alarmMemberToPb(a: AlarmMember): PbAlarmMember {
  return { memberID: i64(a.memberId), alarm: AlarmTypeEnum.toPb(a.alarm) };
}

export function alarmMemberFromPb(p: PbAlarmMember): AlarmMember {
  return { memberId: big(p.memberID), alarm: AlarmTypeEnum.fromPb(p.alarm) };
}

export function alarmResponseToPb(header: ResponseHeader, alarms: AlarmMember[]): PbAlarmResponse {
  return { header: headerToPb(header), alarms: alarms.map(alarmMemberToPb) };
}

export function alarmResponseFromPb(p: PbAlarmResponse): { header: ResponseHeader; alarms: AlarmMember[] } {
  return { header: headerFromPb(p.header), alarms: (p.alarms ?? []).map(alarmMemberFromPb) };
}
