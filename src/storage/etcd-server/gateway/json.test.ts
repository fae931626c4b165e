import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdRoot } from '../grpc/codec.js';
import { decodeBase64, etcdEnumName, fromJson, toJson } from './json.js';
import { JsonValueSplitter } from './json-stream.js';
import { quoteLongIntegers } from './handler.js';

const type = (name: string) => etcdRoot().lookupType(name);

test('requests: proto or JSON field names, quoted int64, base64 bytes, etcd enum names', () => {
  const t = type('etcdserverpb.RangeRequest');
  const m = fromJson(t, { key: 'Zm9v', range_end: 'Zm9w', keysOnly: true, limit: '7', sort_order: 'DESCEND', sort_target: 3, nope: 1, revision: null });
  const o = t.toObject(m, { longs: String, enums: String }) as Record<string, unknown>;
  assert.equal(Buffer.from(o.key as Uint8Array).toString(), 'foo');
  assert.equal(Buffer.from(o.range_end as Uint8Array).toString(), 'fop');
  assert.equal(o.keys_only, true);
  assert.equal(o.limit, '7');
  assert.equal(o.sort_order, 'Descend');
  assert.equal(o.sort_target, 'Mod');
  const lease = fromJson(type('etcdserverpb.LeaseGrantRequest'), { ID: '7000000000000000001', TTL: 5 });
  assert.equal(String((lease as unknown as { ID: unknown }).ID), '7000000000000000001');
});

test('requests of the wrong JSON type get encoding/json words', () => {
  const t = type('etcdserverpb.RangeRequest');
  const msg = (v: Record<string, unknown>) => {
    try {
      fromJson(t, v);
      return 'accepted';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(msg({ limit: 1.5 }), 'json: cannot unmarshal number 1.5 into Go value of type int64');
  assert.equal(msg({ keys_only: 'true' }), 'json: cannot unmarshal string into Go value of type bool');
  assert.equal(msg({ key: 5 }), 'json: cannot unmarshal number into Go value of type []uint8');
  assert.equal(msg({ limit: 'abc' }), "invalid character 'a' looking for beginning of value");
  assert.equal(msg({ sort_order: 'BAD' }), 'unknown value "BAD" for enum etcdserverpb.RangeRequest_SortOrder');
  assert.equal(msg({ key: '!!!' }), 'illegal base64 data at input byte 0');
  assert.equal(msg({ key: 'Zm9v_-' }), 'illegal base64 data at input byte 4');
});

test('base64 as Go StdEncoding reads it', () => {
  assert.equal(decodeBase64('YmFy').toString(), 'bar');
  assert.equal(decodeBase64('YQ==').toString(), 'a');
  assert.equal(decodeBase64('').length, 0);
  assert.throws(() => decodeBase64('YQ'), /illegal base64 data at input byte 0/);
});

test('responses: proto names, defaults left out, int64 as strings, enums by etcd name', () => {
  const t = type('etcdserverpb.WatchResponse');
  const m = t.decode(
    t
      .encode(
        t.fromObject({
          header: { revision: 3, cluster_id: '18446744073709551615' },
          watch_id: 0,
          events: [{ type: 1, kv: { key: Buffer.from('k'), mod_revision: 3 } }, { kv: { key: Buffer.from('k'), value: Buffer.from('v') } }],
        }),
      )
      .finish(),
  );
  assert.deepEqual(toJson(t, m), {
    header: { cluster_id: '18446744073709551615', revision: '3' },
    events: [{ type: 'DELETE', kv: { key: 'aw==', mod_revision: '3' } }, { kv: { key: 'aw==', value: 'dg==' } }],
  });
  assert.equal(etcdEnumName('NotEqual'), 'NOT_EQUAL');
  assert.equal(etcdEnumName('Noput'), 'NOPUT');
});

test('a streamed body splits into its JSON objects as they complete', () => {
  const got: string[] = [];
  const s = new JsonValueSplitter((t) => got.push(t));
  s.push('{"a":"}{"}{"b":');
  assert.deepEqual(got, ['{"a":"}{"}']);
  s.push('[1,{"c":"\\"}"}]}\n  {}');
  assert.deepEqual(got, ['{"a":"}{"}', '{"b":[1,{"c":"\\"}"}]}', '{}']);
  assert.equal(s.rest(), '');
  s.push(' {"x":');
  assert.equal(s.rest(), '{"x":');
});

test('long integers stay exact through JSON.parse', () => {
  assert.deepEqual(JSON.parse(quoteLongIntegers('{"ID":7000000000000000001,"s":"12345678901234567","f":0.125,"n":5}')), {
    ID: '7000000000000000001',
    s: '12345678901234567',
    f: 0.125,
    n: 5,
  });
});
