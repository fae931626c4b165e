// etcd's JSON gateway (POST /v3/kv/range ... on the client port, as `curl` users and HTTP-only
// clients use it) against a real etcd 3.4 and `bin/keelson etcd`: the same requests, in order, to
// both, and the same HTTP status and JSON once ids, tokens and sizes are normalised. Covers unary
// calls of every service, errors (etcd's, the gateway's own for bad JSON, unknown paths and
// methods), auth with a token in the Authorization header, and the streams (/v3/watch with a
// half-closed request body, /v3/lease/keepalive).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { etcdAvailable, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { startKeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';

const skip = etcdAvailable() ? false : 'etcd 3.4 not installed';

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Step {
  path: string;
  body?: string;
  method?: string;
  /** Send the token of the last /v3/auth/authenticate. */
  auth?: boolean;
}

const steps: Step[] = [
  { path: '/v3/kv/put', body: JSON.stringify({ key: b64('foo'), value: b64('bar') }) },
  { path: '/v3/kv/put', body: JSON.stringify({ key: b64('foo'), value: b64('baz'), prev_kv: true }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo') }) },
  { path: '/v3beta/kv/range', body: JSON.stringify({ key: b64('foo'), keysOnly: true }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('f'), range_end: b64('g'), sort_order: 'DESCEND', sort_target: 'MOD', limit: '1' }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('nope') }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), count_only: true, revision: 2 }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), revision: 100 }) },
  { path: '/v3/kv/range', body: '{bad' },
  { path: '/v3/kv/range', body: '[1]' },
  { path: '/v3/kv/range', body: '' },
  { path: '/v3/kv/range', body: JSON.stringify({ key: '!!!' }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), limit: 1.5 }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), keys_only: 'true' }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), sort_order: 'BAD' }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: 5 }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), unknown_field: 1 }) },
  { path: '/v3/kv/range', method: 'GET' },
  { path: '/v3/kv/nothing', body: '{}' },
  {
    path: '/v3/kv/txn',
    body: JSON.stringify({
      compare: [{ key: b64('foo'), result: 'EQUAL', target: 'VALUE', value: b64('baz') }],
      success: [{ request_range: { key: b64('foo') } }, { request_put: { key: b64('t'), value: b64('1') } }],
      failure: [{ request_delete_range: { key: b64('foo') } }],
    }),
  },
  { path: '/v3/kv/txn', body: JSON.stringify({ compare: [{ key: b64('foo'), result: 'NOT_EQUAL', target: 'VERSION', version: '2' }], failure: [{ request_range: { key: b64('t') } }] }) },
  { path: '/v3/kv/txn', body: JSON.stringify({ success: [{ request_put: { key: b64('a') } }, { request_put: { key: b64('a') } }] }) },
  { path: '/v3/kv/deleterange', body: JSON.stringify({ key: b64('t'), prev_kv: true }) },
  { path: '/v3/kv/compaction', body: JSON.stringify({ revision: '2' }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), revision: 1 }) },
  { path: '/v3/lease/grant', body: JSON.stringify({ TTL: 60 }) },
  { path: '/v3/lease/leases', body: '{}' },
  { path: '/v3/kv/lease/leases', body: '{}' },
  { path: '/v3/lease/timetolive', body: JSON.stringify({ ID: '12345' }) },
  { path: '/v3/kv/lease/revoke', body: JSON.stringify({ ID: '12345' }) },
  { path: '/v3/maintenance/status', body: '{}' },
  { path: '/v3/maintenance/hash', body: '{}' },
  { path: '/v3/maintenance/alarm', body: JSON.stringify({ action: 'GET' }) },
  { path: '/v3/maintenance/transfer-leadership', body: JSON.stringify({ targetID: '5' }) },
  { path: '/v3/maintenance/downgrade', body: '{}' },
  { path: '/v3/cluster/member/list', body: '{}' },
  { path: '/v3/auth/role/get', body: JSON.stringify({ role: 'nope' }) },
  { path: '/v3/auth/user/add', body: JSON.stringify({ name: 'root', password: 'pw' }) },
  { path: '/v3/auth/user/grant', body: JSON.stringify({ user: 'root', role: 'root' }) },
  { path: '/v3/auth/enable', body: '{}' },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo') }) },
  { path: '/v3/auth/authenticate', body: JSON.stringify({ name: 'root', password: 'nope' }) },
  { path: '/v3/auth/authenticate', body: JSON.stringify({ name: 'root', password: 'pw' }) },
  { path: '/v3/kv/range', body: JSON.stringify({ key: b64('foo'), count_only: true }), auth: true },
  { path: '/v3/auth/user/get', body: JSON.stringify({ name: 'root' }), auth: true },
  { path: '/v3/auth/disable', body: '{}', auth: true },
];

function request(base: string, path: string, method: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function normalise(text: string): string {
  return text
    .replace(/"(cluster_id|member_id|raft_term|ID|leader|raftTerm|raftIndex|raftAppliedIndex|dbSize|dbSizeInUse|hash)":("\d+"|\d+)/g, '"$1":N')
    .replace(/"token":"[^"]+"/g, '"token":"T"')
    .replace(/"(clientURLs|peerURLs)":\["[^"]+"\]/g, '"$1":["URL"]');
}

async function run(base: string): Promise<string[]> {
  const out: string[] = [];
  let token = '';
  for (const s of steps) {
    const headers: Record<string, string> = {};
    if (s.auth) headers.Authorization = token;
    const r = await request(base, s.path, s.method ?? 'POST', s.body, headers);
    const t = /"token":"([^"]+)"/.exec(r.text);
    if (t) token = t[1];
    out.push(`${r.status} ${normalise(r.text)}`);
  }
  return out;
}

/** A stream: POST `body` and collect the lines written within `ms` while `during` runs. */
async function stream(base: string, path: string, body: string, during: () => Promise<void>, ms = 600): Promise<string[]> {
  const lines: string[] = [];
  const req = http.request(`${base}${path}`, { method: 'POST' });
  const got = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (d: string) => {
        buf += d;
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        lines.push(...parts.filter(Boolean).map(normalise));
      });
      resolve();
    });
    req.on('error', reject);
  });
  req.end(body);
  await got;
  await new Promise((r) => setTimeout(r, 200));
  await during();
  await new Promise((r) => setTimeout(r, ms));
  req.destroy();
  return lines;
}

async function streams(base: string): Promise<string[]> {
  const put = (v: string) => request(base, '/v3/kv/put', 'POST', JSON.stringify({ key: b64('w/1'), value: b64(v) }), {});
  const watch = await stream(base, '/v3/watch', `${JSON.stringify({ create_request: { key: b64('w/'), range_end: b64('w0'), prev_kv: true } })}\n{"progress_request":{}}`, async () => {
    await put('one');
    await put('two');
    await request(base, '/v3/kv/deleterange', 'POST', JSON.stringify({ key: b64('w/1') }), {});
  });
  const grant = await request(base, '/v3/lease/grant', 'POST', JSON.stringify({ ID: '7000000000000000001', TTL: 60 }), {});
  const keep = await stream(base, '/v3/lease/keepalive', '{"ID":7000000000000000001}', async () => undefined, 200);
  const ttl = await request(base, '/v3/lease/timetolive', 'POST', '{"ID":7000000000000000001}', {});
  return [...watch, normalise(grant.text), ...keep.map((l) => l.replace(/"TTL":"\d+"/, '"TTL":"TTL"')), normalise(ttl.text).replace(/"TTL":"\d+"/, '"TTL":"TTL"')];
}

test('the /v3 JSON gateway answers as etcd 3.4: unary calls, errors, auth, watch and keepalive streams', { skip, timeout: 120_000 }, async () => {
  const k = await startKeelsonEtcd();
  let e: StartedEtcd | undefined;
  try {
    e = await startEtcd();
    const kOut = await run(k.endpoint);
    const eOut = await run(e.endpoint);
    const diffs = steps.flatMap((s, i) => (kOut[i] === eOut[i] ? [] : [`${s.method ?? 'POST'} ${s.path} ${s.body ?? ''}\n  keelson: ${kOut[i]}\n  etcd:    ${eOut[i]}`]));
    assert.equal(diffs.length, 0, `answers differ on ${diffs.length} of ${steps.length} requests:\n${diffs.join('\n')}`);
    // the answers are real ones, not two equal failures
    assert.match(kOut[2], /^200 \{"header":\{.*"revision":"3".*\},"kvs":\[\{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"\}\],"count":"1"\}$/);

    const kStreams = await streams(k.endpoint);
    const eStreams = await streams(e.endpoint);
    assert.deepEqual(kStreams, eStreams);
    assert.ok(kStreams.some((l) => l.includes('"type":"DELETE"')), kStreams.join('\n'));
    // the 63-bit lease id given as a JSON number reached the lease exactly
    assert.match(kStreams[kStreams.length - 1], /"TTL":"TTL","grantedTTL":"60"/);
  } finally {
    await k.stop();
    await e?.stop();
  }
});
