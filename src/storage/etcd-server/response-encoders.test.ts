// The hand-written response encoders against the client side's decoder (proto-loader, as grpc-js
// clients decode): every Store response read back through the etcd-proto converters is unchanged,
// including 64-bit ids, negative watch ids, multi-byte lengths and nested txn headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import * as c from '../etcd-proto/index.js';
import type { DeleteRangeResponse, KeyValue, PutResponse, RangeResponse, ResponseHeader, TxnResponse, WatchResponse } from '../store.js';
import type { FramedMessage } from './grpc/framing.js';
import { encodeDeleteRangeResponse, encodePutResponse, encodeRangeResponse, encodeTxnResponse, encodeWatchResponse } from './response-encoders.js';

const { services } = c.loadEtcdProto();
const b = (s: string) => Buffer.from(s);

/** The message of a framed response, decoded as a grpc-js client decodes it. */
function decode<T>(svc: c.EtcdServiceName, name: string, m: FramedMessage): T {
  const bytes = m.bytes;
  assert.equal(bytes[0], 0, 'uncompressed');
  assert.equal(bytes.readUInt32BE(1), bytes.length - 5, 'length prefix');
  return (services[svc][name] as grpc.MethodDefinition<unknown, T>).responseDeserialize(bytes.subarray(5));
}

const header: ResponseHeader = { clusterId: 14841639068965178418n, memberId: 10276657743932975437n, revision: 2 ** 53 - 1, raftTerm: 7 };
const small: ResponseHeader = { clusterId: 1n, memberId: 2n, revision: 300, raftTerm: 0 };
const kv = (k: string, value: Buffer, lease = 0n): KeyValue => ({ key: b(k), createRevision: 5, modRevision: 129, version: 3, value, lease });

describe('response encoders: what a grpc client decodes', () => {
  it('RangeResponse: many kvs, long values, 63-bit lease, more and count', () => {
    const kvs = Array.from({ length: 300 }, (_, i) => kv(`/k/${i}`, Buffer.alloc(i * 7, i), i % 2 ? 9223372036854775807n : 0n));
    for (const r of [
      { header, kvs, more: true, count: 1_000_000 },
      { header: small, kvs: [], more: false, count: 0 },
    ] satisfies RangeResponse[]) {
      assert.deepEqual(c.rangeResponseFromPb(decode('KV', 'Range', encodeRangeResponse(r))), r);
    }
  });

  it('a kv with zero fields (a delete event) reads back unchanged', () => {
    const del: KeyValue = { key: b('a'), createRevision: 0, modRevision: 12, version: 0, value: Buffer.alloc(0), lease: 0n };
    const r: RangeResponse = { header: small, kvs: [del], more: false, count: 1 };
    assert.deepEqual(c.rangeResponseFromPb(decode('KV', 'Range', encodeRangeResponse(r))), r);
  });

  it('PutResponse and DeleteRangeResponse, with and without previous kvs', () => {
    const puts: PutResponse[] = [{ header }, { header, prevKv: kv('p', b('old'), 77n) }];
    for (const r of puts) assert.deepEqual(c.putResponseFromPb(decode('KV', 'Put', encodePutResponse(r))), r);
    const dels: DeleteRangeResponse[] = [
      { header, deleted: 0, prevKvs: [] },
      { header, deleted: 2, prevKvs: [kv('a', b('1')), kv('b', b('2'))] },
    ];
    for (const r of dels) assert.deepEqual(c.deleteRangeResponseFromPb(decode('KV', 'DeleteRange', encodeDeleteRangeResponse(r))), r);
  });

  it('TxnResponse: every op kind, nested txn; nested headers carry only the revision (as etcd)', () => {
    const rev = { ...header, revision: 42 };
    const r: TxnResponse = {
      header: rev,
      succeeded: true,
      responses: [
        { responseRange: { header: rev, kvs: [kv('a', b('x'))], more: false, count: 1 } },
        { responsePut: { header: rev, prevKv: kv('b', b('y')) } },
        { responseDeleteRange: { header: rev, deleted: 1, prevKvs: [] } },
        { responseTxn: { header: rev, succeeded: false, responses: [{ responsePut: { header: rev } }] } },
      ],
    };
    const nestedHeader: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 42, raftTerm: 0 };
    const want: TxnResponse = {
      header: rev,
      succeeded: true,
      responses: [
        { responseRange: { header: nestedHeader, kvs: [kv('a', b('x'))], more: false, count: 1 } },
        { responsePut: { header: nestedHeader, prevKv: kv('b', b('y')) } },
        { responseDeleteRange: { header: nestedHeader, deleted: 1, prevKvs: [] } },
        { responseTxn: { header: nestedHeader, succeeded: false, responses: [{ responsePut: { header: nestedHeader } }] } },
      ],
    };
    assert.deepEqual(c.txnResponseFromPb(decode('KV', 'Txn', encodeTxnResponse(r))), want);
  });

  it('WatchResponse: events with prev kv and deletes, negative watch id, compaction, cancel reason', () => {
    const events: WatchResponse = {
      header,
      events: [
        { type: 'PUT', kv: kv('a', b('1')), prevKv: kv('a', b('0')) },
        { type: 'DELETE', kv: { key: b('a'), createRevision: 0, modRevision: 130, version: 0, value: Buffer.alloc(0), lease: 0n } },
      ],
    };
    const cases: Array<[WatchResponse, { watchId: number; created?: boolean; fragment?: boolean }]> = [
      [events, { watchId: 3 }],
      [events, { watchId: 0, fragment: true }],
      [{ header, events: [] }, { watchId: -1 }],
      [{ header, events: [], canceled: true, compactRevision: 9 }, { watchId: 5, created: true }],
      [{ header, events: [], canceled: true, cancelReason: 'déjà: 100% refusé' }, { watchId: 2 ** 40 }],
    ];
    for (const [resp, f] of cases) {
      const got = c.watchResponseFromPb(decode('Watch', 'Watch', encodeWatchResponse(resp, f)));
      assert.deepEqual(got, { response: resp, watchId: f.watchId, created: f.created ?? false, fragment: f.fragment ?? false });
    }
  });

  it('WatchResponse: one event fanned out to many watchers (small ones encoded once, large ones each time) reads back unchanged', () => {
    const smallEv: WatchResponse = { header, events: [{ type: 'PUT', kv: kv('/fan/a', Buffer.alloc(300, 1)) }] };
    const largeEv: WatchResponse = { header, events: [{ type: 'PUT', kv: kv('/fan/b', Buffer.alloc(100_000, 2)), prevKv: kv('/fan/b', Buffer.alloc(20_000, 3)) }] };
    for (let id = 0; id < 40; id++) {
      for (const resp of [smallEv, largeEv]) {
        const got = c.watchResponseFromPb(decode('Watch', 'Watch', encodeWatchResponse(resp, { watchId: id })));
        assert.deepEqual(got, { response: resp, watchId: id, created: false, fragment: false });
      }
    }
  });
});
