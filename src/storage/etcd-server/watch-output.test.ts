// WatchOutput: the responses of one turn go out as one write, in order, each a whole gRPC message
// that a grpc client decodes; the backlog accounting comes back once per write.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import * as c from '../etcd-proto/index.js';
import type { KeyValue, WatchResponse } from '../store.js';
import type { StreamCall } from './grpc/call.js';
import { frameMessage } from './grpc/framing.js';
import { WatchOutput } from './watch-output.js';

const { services } = c.loadEtcdProto();
const method = services.Watch.Watch as grpc.MethodDefinition<unknown, c.PbWatchResponse>;

/** The StreamCall surface WatchOutput uses, recording each write. */
function fakeCall() {
  const writes: Buffer[] = [];
  const call = {
    encode: (msg: object) => frameMessage(method.responseSerialize(msg as c.PbWatchResponse)),
    writeFramed: (bytes: Buffer, cb?: (err?: Error | null) => void) => {
      writes.push(bytes);
      cb?.();
      return true;
    },
    abort: () => assert.fail('the call was aborted'),
  };
  return { call: call as unknown as StreamCall, writes };
}

/** Split a write into its framed messages and decode each as a grpc-js client does. */
function messages(bytes: Buffer): c.PbWatchResponse[] {
  const out: c.PbWatchResponse[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    assert.equal(bytes[pos], 0, 'uncompressed');
    const len = bytes.readUInt32BE(pos + 1);
    out.push(method.responseDeserialize(bytes.subarray(pos + 5, pos + 5 + len)));
    pos += 5 + len;
  }
  return out;
}

const header = { clusterId: 7n, memberId: 9n, revision: 42, raftTerm: 2 };
const kv = (k: string, v: string): KeyValue => ({ key: Buffer.from(k), createRevision: 40, modRevision: 42, version: 3, value: Buffer.from(v), lease: 0n });

describe('watch output', () => {
  it('a burst for many watchers is one write of whole messages, in order, with the accounting once', async () => {
    const { call, writes } = fakeCall();
    const written: Array<[number, number]> = [];
    const out = new WatchOutput(call, (m, b) => written.push([m, b]));
    out.message({ header: { revision: '41' }, watch_id: '0', created: true }, 64);
    const ev: WatchResponse = { header, events: [{ type: 'PUT', kv: kv('/keelson/a', 'x'.repeat(300)) }] };
    for (let id = 0; id < 50; id++) out.event({ header, events: [{ type: 'PUT', kv: ev.events[0].kv }] }, { watchId: id }, 100);
    assert.equal(writes.length, 0, 'nothing written during the turn');
    await Promise.resolve();
    assert.equal(writes.length, 1);
    assert.deepEqual(written, [[51, 64 + 50 * 100]]);
    const got = messages(writes[0]);
    assert.equal(got.length, 51);
    assert.equal(got[0].created, true);
    for (let id = 0; id < 50; id++) {
      const r = c.watchResponseFromPb(got[id + 1]);
      assert.equal(r.watchId, id);
      assert.deepEqual(r.response, ev);
    }
  });

  it('flush() writes what is queued at once (before the call ends), and a later turn writes again', async () => {
    const { call, writes } = fakeCall();
    const out = new WatchOutput(call, () => undefined);
    out.event({ header, events: [{ type: 'DELETE', kv: kv('/keelson/b', '') }] }, { watchId: 3 }, 10);
    out.flush();
    assert.equal(writes.length, 1);
    await Promise.resolve();
    assert.equal(writes.length, 1, 'the scheduled flush finds nothing left');
    out.message({ header: { revision: '43' }, watch_id: '-1' }, 64);
    await Promise.resolve();
    assert.equal(writes.length, 2);
    assert.equal(messages(writes[1])[0].watch_id, '-1');
  });
});
