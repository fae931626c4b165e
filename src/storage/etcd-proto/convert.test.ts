import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import type {
  DeleteRangeResponse,
  KeyValue,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
} from '../store.js';
import { isStoreError, StoreError, storeError } from '../errors.js';
import * as c from './index.js';

const b = (s: string) => Buffer.from(s);
const { services } = c.loadEtcdProto();

type Method = grpc.MethodDefinition<unknown, unknown>;
const method = (svc: c.EtcdServiceName, name: string) => services[svc][name] as Method;
/** Encode to protobuf bytes and decode again, exactly as grpc-js does on the wire. */
const wireReq = <T>(svc: c.EtcdServiceName, name: string, obj: T): T => {
  const m = method(svc, name);
  return m.requestDeserialize(m.requestSerialize(obj)) as T;
};
const wireRes = <T>(svc: c.EtcdServiceName, name: string, obj: T): T => {
  const m = method(svc, name);
  return m.responseDeserialize(m.responseSerialize(obj)) as T;
};

const MAX_I64 = 9223372036854775807n;
const header: ResponseHeader = { clusterId: 14841639068965178418n, memberId: 10276657743932975437n, revision: 2 ** 53 - 1, raftTerm: 7 };
const kv = (key: string, over: Partial<KeyValue> = {}): KeyValue => ({
  key: b(key),
  createRevision: 5,
  modRevision: 9,
  version: 3,
  value: b(`v-${key}`),
  lease: MAX_I64,
  ...over,
});

describe('etcd-proto: loading', () => {
  it('exports the six etcd services with their gRPC paths', () => {
    assert.deepEqual(Object.keys(services).sort(), ['Auth', 'Cluster', 'KV', 'Lease', 'Maintenance', 'Watch']);
    assert.equal(method('KV', 'Range').path, '/etcdserverpb.KV/Range');
    assert.equal(method('KV', 'Txn').path, '/etcdserverpb.KV/Txn');
    assert.equal(method('Watch', 'Watch').path, '/etcdserverpb.Watch/Watch');
    assert.equal(method('Watch', 'Watch').requestStream, true);
    assert.equal(method('Watch', 'Watch').responseStream, true);
    assert.equal(method('Lease', 'LeaseKeepAlive').requestStream, true);
    assert.equal(method('Maintenance', 'Snapshot').responseStream, true);
    assert.equal(method('Cluster', 'MemberList').path, '/etcdserverpb.Cluster/MemberList');
    assert.equal(method('Auth', 'Authenticate').path, '/etcdserverpb.Auth/Authenticate');
    assert.equal(typeof c.loadEtcdProto().clients.KV, 'function');
    assert.equal(c.loadEtcdProto(), c.loadEtcdProto(), 'loaded once');
  });
});

describe('etcd-proto: scalars', () => {
  it('keeps int64 exact as decimal strings', () => {
    assert.equal(c.i64(MAX_I64), '9223372036854775807');
    assert.equal(c.i64(-MAX_I64 - 1n), '-9223372036854775808');
    assert.equal(c.i64(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER, 'safe integers go as numbers');
    assert.equal(c.i64(BigInt(Number.MAX_SAFE_INTEGER) + 1n), '9007199254740992');
    assert.equal(c.i64(-1), -1);
    assert.equal(c.big('9223372036854775807'), MAX_I64);
    assert.equal(c.big('-1'), -1n);
    assert.equal(c.num('9007199254740991'), 2 ** 53 - 1);
    assert.equal(c.num('-1'), -1);
    assert.equal(c.num(undefined), 0);
    assert.equal(c.big(''), 0n);
  });
  it('accepts enum names in either spelling and numbers', () => {
    assert.equal(c.SortOrderEnum.fromPb('Descend'), 'DESCEND');
    assert.equal(c.SortOrderEnum.fromPb('DESCEND'), 'DESCEND');
    assert.equal(c.SortOrderEnum.fromPb(2), 'DESCEND');
    assert.equal(c.CompareResultEnum.fromPb('NOT_EQUAL'), 'NOT_EQUAL');
    assert.equal(c.CompareResultEnum.fromPb('NotEqual'), 'NOT_EQUAL');
    assert.equal(c.CompareResultEnum.toPb('NOT_EQUAL'), 'NotEqual');
    assert.equal(c.FilterEnum.fromPb(1), 'NODELETE');
    assert.equal(c.EventTypeEnum.fromPb(undefined), 'PUT');
    assert.throws(() => c.SortTargetEnum.fromPb('Bogus'), /unknown sort target/);
    assert.throws(() => c.SortTargetEnum.fromPb(9), /unknown sort target/);
  });
});

describe('etcd-proto: request converters round-trip through the wire', () => {
  it('RangeRequest with every field set', () => {
    const r: RangeRequest = {
      key: b('a'),
      rangeEnd: b('z'),
      limit: 10,
      revision: 42,
      sortOrder: 'DESCEND',
      sortTarget: 'MOD',
      serializable: true,
      keysOnly: true,
      countOnly: true,
      minModRevision: 1,
      maxModRevision: 2 ** 53 - 1,
      minCreateRevision: 3,
      maxCreateRevision: 4,
    };
    const pb = c.rangeRequestToPb(r);
    assert.equal(pb.limit, 10);
    assert.equal(pb.sort_order, 'Descend');
    const back = c.rangeRequestFromPb(wireReq('KV', 'Range', pb));
    assert.deepEqual(back, r);
  });
  it('RangeRequest with defaults leaves them out; from-key and all-keys ranges survive', () => {
    assert.deepEqual(c.rangeRequestFromPb(wireReq('KV', 'Range', c.rangeRequestToPb({ key: b('k') }))), { key: b('k') });
    const all = { key: b('\0'), rangeEnd: b('\0') };
    assert.deepEqual(c.rangeRequestFromPb(wireReq('KV', 'Range', c.rangeRequestToPb(all))), all);
    // Every sort order and target.
    for (const sortOrder of ['ASCEND', 'DESCEND'] as const)
      for (const sortTarget of ['VERSION', 'CREATE', 'MOD', 'VALUE'] as const) {
        const r = { key: b('k'), sortOrder, sortTarget };
        assert.deepEqual(c.rangeRequestFromPb(wireReq('KV', 'Range', c.rangeRequestToPb(r))), r);
      }
  });
  it('leaves defaults out of the encoded message (an empty range_end on the wire means "from key" to etcd)', () => {
    const m = method('KV', 'Range');
    const bytes = m.requestSerialize(c.rangeRequestToPb({ key: b('a'), rangeEnd: Buffer.alloc(0), limit: 0 })) as Buffer;
    assert.deepEqual([...bytes], [0x0a, 0x01, 0x61], 'only field 1 (key)');
    const del = method('KV', 'DeleteRange').requestSerialize(c.deleteRangeRequestToPb({ key: b('a') })) as Buffer;
    assert.deepEqual([...del], [0x0a, 0x01, 0x61]);
    const cmp = c.compareToPb({ key: b('a'), target: 'VERSION', result: 'EQUAL', version: 0 });
    assert.equal('range_end' in cmp, false);
    assert.equal(cmp.version, 0, 'the compared member is always set');
  });
  it('decodes a range request as etcdctl sends it (numbers, proto field names)', () => {
    const back = c.rangeRequestFromPb({ key: b('/registry/'), range_end: b('/registry0'), limit: 500, sort_order: 1, sort_target: 0 });
    assert.deepEqual(back, { key: b('/registry/'), rangeEnd: b('/registry0'), limit: 500, sortOrder: 'ASCEND' });
  });
  it('PutRequest', () => {
    const full = { key: b('k'), value: b('v'), lease: MAX_I64, prevKv: true, ignoreValue: true, ignoreLease: true };
    assert.deepEqual(c.putRequestFromPb(wireReq('KV', 'Put', c.putRequestToPb(full))), full);
    const min = { key: b('k'), value: Buffer.alloc(0) };
    assert.deepEqual(c.putRequestFromPb(wireReq('KV', 'Put', c.putRequestToPb(min))), min);
    assert.equal(c.putRequestToPb(full).lease, '9223372036854775807');
  });
  it('DeleteRangeRequest', () => {
    const full = { key: b('a'), rangeEnd: b('b'), prevKv: true };
    assert.deepEqual(c.deleteRangeRequestFromPb(wireReq('KV', 'DeleteRange', c.deleteRangeRequestToPb(full))), full);
    assert.deepEqual(c.deleteRangeRequestFromPb(wireReq('KV', 'DeleteRange', c.deleteRangeRequestToPb({ key: b('a') }))), {
      key: b('a'),
    });
  });
  it('TxnRequest with every compare target and result, nested txn and all op kinds', () => {
    const t: TxnRequest = {
      compare: [
        { result: 'EQUAL', target: 'VERSION', key: b('a'), version: 0 },
        { result: 'GREATER', target: 'CREATE', key: b('b'), createRevision: 3 },
        { result: 'LESS', target: 'MOD', key: b('c'), rangeEnd: b('d'), modRevision: 2 ** 53 - 1 },
        { result: 'NOT_EQUAL', target: 'VALUE', key: b('e'), value: b('x') },
        { result: 'EQUAL', target: 'LEASE', key: b('f'), lease: MAX_I64 },
        { result: 'EQUAL', target: 'VALUE', key: b('g'), value: Buffer.alloc(0) },
      ],
      success: [
        { requestPut: { key: b('a'), value: b('1'), prevKv: true } },
        { requestRange: { key: b('a'), limit: 1 } },
        { requestDeleteRange: { key: b('b'), rangeEnd: b('c') } },
        {
          requestTxn: {
            compare: [{ result: 'EQUAL', target: 'MOD', key: b('x'), modRevision: 0 }],
            success: [{ requestPut: { key: b('y'), value: b('2'), lease: 5n } }],
            failure: [{ requestRange: { key: b('y') } }],
          },
        },
      ],
      failure: [{ requestRange: { key: b('a'), rangeEnd: b('\0'), countOnly: true } }],
    };
    const pb = c.txnRequestToPb(t);
    const decoded = wireReq('KV', 'Txn', pb);
    assert.equal(decoded.compare?.[0].target_union, 'version', 'a zero version is still sent (oneof presence)');
    assert.deepEqual(c.txnRequestFromPb(decoded), t);
    assert.deepEqual(c.txnRequestFromPb(wireReq('KV', 'Txn', c.txnRequestToPb({ compare: [], success: [], failure: [] }))), {
      compare: [],
      success: [],
      failure: [],
    });
  });
  it('a compare reads the oneof member named by its target; any other member reads as zero (as etcd)', () => {
    const mismatched = wireReq('KV', 'Txn', {
      compare: [{ result: 'Equal', target: 'Mod', key: b('k'), version: '7' }],
      success: [],
      failure: [],
    });
    assert.deepEqual(c.txnRequestFromPb(mismatched).compare[0], { result: 'EQUAL', target: 'MOD', key: b('k'), modRevision: 0 });
    // A compare with no member at all (hand-made object) reads zero too.
    assert.deepEqual(c.compareFromPb({ result: 'Equal', target: 'Value', key: b('k') }), {
      result: 'EQUAL',
      target: 'VALUE',
      key: b('k'),
      value: Buffer.alloc(0),
    });
  });
  it('a request op without a request is rejected', () => {
    assert.throws(
      () => c.txnRequestFromPb(wireReq('KV', 'Txn', { compare: [], success: [{}], failure: [] })),
      (e: unknown) => e instanceof StoreError && e.code === 'INVALID_ARGUMENT',
    );
  });
  it('CompactionRequest', () => {
    assert.deepEqual(c.compactionRequestFromPb(wireReq('KV', 'Compact', c.compactionRequestToPb({ revision: 77, physical: true }))), {
      revision: 77,
      physical: true,
    });
    assert.deepEqual(c.compactionRequestFromPb(wireReq('KV', 'Compact', c.compactionRequestToPb({ revision: 3 }))), { revision: 3 });
  });
  it('Watch stream requests: create (all fields), cancel, progress', () => {
    const create: WatchRequest = {
      key: b('/a'),
      rangeEnd: b('/b'),
      startRevision: 12,
      progressNotify: true,
      filters: ['NOPUT', 'NODELETE'],
      prevKv: true,
    };
    const msgs: c.WatchStreamRequest[] = [
      { create, watchId: 4, fragment: true },
      { create: { key: b('k') }, watchId: 0, fragment: false },
      { cancel: { watchId: 4 } },
      { progress: true },
    ];
    for (const m of msgs) assert.deepEqual(c.watchRequestFromPb(wireReq('Watch', 'Watch', c.watchRequestToPb(m))), m);
    const pb = c.watchRequestToPb(msgs[0]);
    assert.deepEqual(pb.create_request?.filters, ['Noput', 'Nodelete']);
    assert.equal(c.watchRequestFromPb({}), undefined);
  });
});

describe('etcd-proto: response converters round-trip through the wire', () => {
  it('ResponseHeader keeps uint64 ids exact', () => {
    const pb = c.headerToPb(header);
    assert.equal(pb.cluster_id, '14841639068965178418');
    const back = c.rangeResponseFromPb(wireRes('KV', 'Range', { header: pb }));
    assert.deepEqual(back.header, header);
  });
  it('RangeResponse with kvs, more and count', () => {
    const r: RangeResponse = { header, kvs: [kv('a'), kv('b', { lease: 0n, value: Buffer.alloc(0) })], more: true, count: 7 };
    assert.deepEqual(c.rangeResponseFromPb(wireRes('KV', 'Range', c.rangeResponseToPb(r))), r);
    const empty: RangeResponse = { header, kvs: [], more: false, count: 0 };
    assert.deepEqual(c.rangeResponseFromPb(wireRes('KV', 'Range', c.rangeResponseToPb(empty))), empty);
  });
  it('PutResponse with and without prevKv', () => {
    const withPrev: PutResponse = { header, prevKv: kv('a') };
    assert.deepEqual(c.putResponseFromPb(wireRes('KV', 'Put', c.putResponseToPb(withPrev))), withPrev);
    const without: PutResponse = { header };
    const back = c.putResponseFromPb(wireRes('KV', 'Put', c.putResponseToPb(without)));
    assert.deepEqual(back, without);
    assert.equal('prevKv' in back, false);
  });
  it('DeleteRangeResponse', () => {
    const r: DeleteRangeResponse = { header, deleted: 2, prevKvs: [kv('a'), kv('b')] };
    assert.deepEqual(c.deleteRangeResponseFromPb(wireRes('KV', 'DeleteRange', c.deleteRangeResponseToPb(r))), r);
  });
  it('TxnResponse with every response kind, nested', () => {
    const r: TxnResponse = {
      header,
      succeeded: true,
      responses: [
        { responsePut: { header, prevKv: kv('a') } },
        { responsePut: { header } },
        { responseRange: { header, kvs: [kv('a')], more: false, count: 1 } },
        { responseDeleteRange: { header, deleted: 0, prevKvs: [] } },
        { responseTxn: { header, succeeded: false, responses: [{ responseRange: { header, kvs: [], more: false, count: 0 } }] } },
      ],
    };
    assert.deepEqual(c.txnResponseFromPb(wireRes('KV', 'Txn', c.txnResponseToPb(r))), r);
  });
  it('Compaction/LeaseRevoke/Defragment headers', () => {
    assert.deepEqual(c.headerOnlyResponseFromPb(wireRes('KV', 'Compact', c.headerOnlyResponseToPb({ header }))), { header });
    assert.deepEqual(c.headerOnlyResponseFromPb(wireRes('Lease', 'LeaseRevoke', c.headerOnlyResponseToPb({ header }))), { header });
  });
  it('WatchResponse: created, events (put with prevKv, delete with key + modRevision only), progress, canceled', () => {
    const del = { key: b('d'), createRevision: 0, modRevision: 12, version: 0, value: Buffer.alloc(0), lease: 0n };
    const events: WatchResponse = {
      header,
      events: [
        { type: 'PUT', kv: kv('a'), prevKv: kv('a', { version: 2, modRevision: 8 }) },
        { type: 'PUT', kv: kv('b') },
        { type: 'DELETE', kv: del },
        { type: 'DELETE', kv: del, prevKv: kv('d') },
      ],
    };
    const cases: Array<[WatchResponse, c.WatchResponseExtras]> = [
      [{ header, events: [] }, { watchId: 0, created: true }],
      [events, { watchId: 3 }],
      [events, { watchId: 3, fragment: true }],
      [{ header, events: [] }, { watchId: -1 }],
      [{ header, events: [], canceled: true, compactRevision: 9 }, { watchId: 5 }],
      [{ header, events: [], canceled: true, cancelReason: 'etcdserver: mvcc: required revision has been compacted' }, { watchId: 5 }],
    ];
    for (const [resp, extras] of cases) {
      const back = c.watchResponseFromPb(wireRes('Watch', 'Watch', c.watchResponseToPb(resp, extras)));
      assert.deepEqual(back, { response: resp, watchId: extras.watchId, created: extras.created ?? false, fragment: extras.fragment ?? false });
    }
    const pb = c.watchResponseToPb(events, { watchId: 3 });
    assert.equal(pb.events?.[2].type, 1, 'the event type is its enum number (DELETE), encodable without fromObject');
    assert.equal(pb.events?.[2].kv?.mod_revision, 12);
    assert.deepEqual(Object.keys(pb.events?.[2].kv ?? {}).sort(), ['key', 'mod_revision'], 'a delete kv is key + mod_revision');
  });
  it('Lease responses', () => {
    const grant = { header, id: MAX_I64, ttl: 60 };
    assert.deepEqual(c.leaseGrantResponseFromPb(wireRes('Lease', 'LeaseGrant', c.leaseGrantResponseToPb(grant))), grant);
    const ka = { header, id: 7587862072178426389n, ttl: 0 };
    assert.deepEqual(c.leaseKeepAliveResponseFromPb(wireRes('Lease', 'LeaseKeepAlive', c.leaseKeepAliveResponseToPb(ka))), ka);
    const ttl = { header, id: 5n, ttl: -1, grantedTtl: 0, keys: [] };
    assert.deepEqual(c.leaseTimeToLiveResponseFromPb(wireRes('Lease', 'LeaseTimeToLive', c.leaseTimeToLiveResponseToPb(ttl))), ttl);
    const ttlKeys = { header, id: 5n, ttl: 59, grantedTtl: 60, keys: [b('a'), b('b')] };
    assert.deepEqual(
      c.leaseTimeToLiveResponseFromPb(wireRes('Lease', 'LeaseTimeToLive', c.leaseTimeToLiveResponseToPb(ttlKeys))),
      ttlKeys,
    );
    const leases = { header, leases: [1n, MAX_I64] };
    assert.deepEqual(c.leaseLeasesResponseFromPb(wireRes('Lease', 'LeaseLeases', c.leaseLeasesResponseToPb(leases))), leases);
  });
  it('Maintenance responses: status, hashKV, alarms', () => {
    const status = {
      header,
      version: '3.4.23',
      dbSize: 2 ** 40,
      dbSizeInUse: 16384,
      leader: 10276657743932975437n,
      raftIndex: 12,
      raftTerm: 2,
      raftAppliedIndex: 12,
      errors: ['memberID:1 alarm:NOSPACE '],
      isLearner: false,
    };
    assert.deepEqual(c.statusResponseFromPb(wireRes('Maintenance', 'Status', c.statusResponseToPb(status))), status);
    const hash = { header, hash: 0xfedcba98, compactRevision: 4 };
    assert.deepEqual(c.hashKVResponseFromPb(wireRes('Maintenance', 'HashKV', c.hashKVResponseToPb(hash))), hash);
    const alarms = [
      { memberId: 10276657743932975437n, alarm: 'NOSPACE' as const },
      { memberId: 1n, alarm: 'CORRUPT' as const },
    ];
    assert.deepEqual(c.alarmResponseFromPb(wireRes('Maintenance', 'Alarm', c.alarmResponseToPb(header, alarms))), { header, alarms });
  });
});

describe('etcd-proto: errors', () => {
  it('maps etcd errors to gRPC statuses and back with the exact message', () => {
    const st = c.storeErrorToGrpc(storeError('Compacted'));
    assert.equal(st.code, 11);
    assert.equal(st.details, 'etcdserver: mvcc: required revision has been compacted');
    const back = c.grpcErrorToStoreError(Object.assign(new Error('11 OUT_OF_RANGE: ...'), st));
    assert.ok(isStoreError(back, 'Compacted'));
    assert.equal(back.code, 'OUT_OF_RANGE');
  });
  it('keeps unknown errors with their gRPC code', () => {
    const e = c.grpcErrorToStoreError(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' }));
    assert.equal(e.code, 'UNAVAILABLE');
    assert.equal(e.message, 'No connection established');
    assert.equal(c.storeErrorToGrpc(new Error('boom')).code, 2);
  });
});
