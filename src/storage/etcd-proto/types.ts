// TypeScript shapes of etcd's proto message objects as @grpc/proto-loader produces and accepts
// them (see load.ts for the options): snake_case fields, int64/uint64 as decimal strings when
// decoded (strings or numbers accepted when encoding), bytes as Buffer, enums as names.
// Every field is optional because an encoder may leave defaults out; decoded objects have all
// non-oneof fields filled in.

/** An int64/uint64 as proto-loader hands it over (decimal string) or accepts it. */
export type PbInt64 = string | number;
/** Enum as proto-loader hands it over (the .proto's name) or accepts it (name or number). */
export type PbEnum = string | number;

export interface PbResponseHeader {
  cluster_id?: PbInt64;
  member_id?: PbInt64;
  revision?: PbInt64;
  raft_term?: PbInt64;
}

export interface PbKeyValue {
  key?: Buffer;
  create_revision?: PbInt64;
  mod_revision?: PbInt64;
  version?: PbInt64;
  value?: Buffer;
  lease?: PbInt64;
}

export interface PbEvent {
  type?: PbEnum;
  kv?: PbKeyValue | null;
  prev_kv?: PbKeyValue | null;
}

export interface PbRangeRequest {
  key?: Buffer;
  range_end?: Buffer;
  limit?: PbInt64;
  revision?: PbInt64;
  sort_order?: PbEnum;
  sort_target?: PbEnum;
  serializable?: boolean;
  keys_only?: boolean;
  count_only?: boolean;
  min_mod_revision?: PbInt64;
  max_mod_revision?: PbInt64;
  min_create_revision?: PbInt64;
  max_create_revision?: PbInt64;
}

export interface PbRangeResponse {
  header?: PbResponseHeader | null;
  kvs?: PbKeyValue[];
  more?: boolean;
  count?: PbInt64;
}

export interface PbPutRequest {
  key?: Buffer;
  value?: Buffer;
  lease?: PbInt64;
  prev_kv?: boolean;
  ignore_value?: boolean;
  ignore_lease?: boolean;
}

export interface PbPutResponse {
  header?: PbResponseHeader | null;
  prev_kv?: PbKeyValue | null;
}

export interface PbDeleteRangeRequest {
  key?: Buffer;
  range_end?: Buffer;
  prev_kv?: boolean;
}

export interface PbDeleteRangeResponse {
  header?: PbResponseHeader | null;
  deleted?: PbInt64;
  prev_kvs?: PbKeyValue[];
}

export interface PbCompare {
  result?: PbEnum;
  target?: PbEnum;
  key?: Buffer;
  version?: PbInt64;
  create_revision?: PbInt64;
  mod_revision?: PbInt64;
  value?: Buffer;
  lease?: PbInt64;
  range_end?: Buffer;
  /** Virtual oneof field set on decode: which of version..lease is present. */
  target_union?: 'version' | 'create_revision' | 'mod_revision' | 'value' | 'lease';
}

export interface PbRequestOp {
  request_range?: PbRangeRequest | null;
  request_put?: PbPutRequest | null;
  request_delete_range?: PbDeleteRangeRequest | null;
  request_txn?: PbTxnRequest | null;
  request?: 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';
}

export interface PbResponseOp {
  response_range?: PbRangeResponse | null;
  response_put?: PbPutResponse | null;
  response_delete_range?: PbDeleteRangeResponse | null;
  response_txn?: PbTxnResponse | null;
  response?: 'response_range' | 'response_put' | 'response_delete_range' | 'response_txn';
}

export interface PbTxnRequest {
  compare?: PbCompare[];
  success?: PbRequestOp[];
  failure?: PbRequestOp[];
}

export interface PbTxnResponse {
  header?: PbResponseHeader | null;
  succeeded?: boolean;
  responses?: PbResponseOp[];
}

export interface PbCompactionRequest {
  revision?: PbInt64;
  physical?: boolean;
}

export interface PbCompactionResponse {
  header?: PbResponseHeader | null;
}

export interface PbWatchCreateRequest {
  key?: Buffer;
  range_end?: Buffer;
  start_revision?: PbInt64;
  progress_notify?: boolean;
  filters?: PbEnum[];
  prev_kv?: boolean;
  watch_id?: PbInt64;
  fragment?: boolean;
}

export interface PbWatchRequest {
  create_request?: PbWatchCreateRequest | null;
  cancel_request?: { watch_id?: PbInt64 } | null;
  progress_request?: Record<string, never> | null;
  request_union?: 'create_request' | 'cancel_request' | 'progress_request';
}

export interface PbWatchResponse {
  header?: PbResponseHeader | null;
  watch_id?: PbInt64;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: PbInt64;
  cancel_reason?: string;
  fragment?: boolean;
  events?: PbEvent[];
}

export interface PbLeaseGrantRequest {
  TTL?: PbInt64;
  ID?: PbInt64;
}
export interface PbLeaseGrantResponse {
  header?: PbResponseHeader | null;
  ID?: PbInt64;
  TTL?: PbInt64;
  error?: string;
}
export interface PbLeaseRevokeRequest {
  ID?: PbInt64;
}
export interface PbLeaseRevokeResponse {
  header?: PbResponseHeader | null;
}
export interface PbLeaseKeepAliveRequest {
  ID?: PbInt64;
}
export interface PbLeaseKeepAliveResponse {
  header?: PbResponseHeader | null;
  ID?: PbInt64;
  TTL?: PbInt64;
}
export interface PbLeaseTimeToLiveRequest {
  ID?: PbInt64;
  keys?: boolean;
}
export interface PbLeaseTimeToLiveResponse {
  header?: PbResponseHeader | null;
  ID?: PbInt64;
  TTL?: PbInt64;
  grantedTTL?: PbInt64;
  keys?: Buffer[];
}
export interface PbLeaseLeasesResponse {
  header?: PbResponseHeader | null;
  leases?: Array<{ ID?: PbInt64 }>;
}

export interface PbStatusResponse {
  header?: PbResponseHeader | null;
  version?: string;
  dbSize?: PbInt64;
  leader?: PbInt64;
  raftIndex?: PbInt64;
  raftTerm?: PbInt64;
  raftAppliedIndex?: PbInt64;
  errors?: string[];
  dbSizeInUse?: PbInt64;
  isLearner?: boolean;
}

export interface PbHashKVRequest {
  revision?: PbInt64;
}
export interface PbHashKVResponse {
  header?: PbResponseHeader | null;
  hash?: number;
  compact_revision?: PbInt64;
}

export interface PbAlarmMember {
  memberID?: PbInt64;
  alarm?: PbEnum;
}
export interface PbAlarmRequest {
  action?: PbEnum;
  memberID?: PbInt64;
  alarm?: PbEnum;
}
export interface PbAlarmResponse {
  header?: PbResponseHeader | null;
  alarms?: PbAlarmMember[];
}

export interface PbSnapshotResponse {
  header?: PbResponseHeader | null;
  remaining_bytes?: PbInt64;
  blob?: Buffer;
}

export interface PbDefragmentResponse {
  header?: PbResponseHeader | null;
}
