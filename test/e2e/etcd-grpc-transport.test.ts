// The gRPC transport of `bin/keelson etcd` against a real etcd 3.4 (grpc-go) on raw HTTP/2: calls a
// gRPC client library would never make (unknown methods, compressed or oversized messages,
// malformed timeouts, streams ending early) get the same status, message or stream reset from both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { etcdAvailable, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { startKeelsonEtcd, type KeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';

const skip = etcdAvailable() ? false : 'etcd 3.4 not installed';
let etcd: StartedEtcd | undefined;
let keelson: KeelsonEtcd | undefined;

before(async () => {
  if (skip) return;
  [etcd, keelson] = await Promise.all([startEtcd(), startKeelsonEtcd()]);
});

after(async () => {
  await Promise.all([etcd?.stop(), keelson?.stop()]);
});

interface Answer {
  /** grpc-status and grpc-message (trailers, or headers of a trailers-only response). */
  status?: string;
  message?: string;
  /** The stream was reset instead (the RST_STREAM code). */
  reset?: number;
  /** Bytes of response messages. */
  dataBytes: number;
}

/** One raw gRPC call: POST `path` with extra headers and the given body bytes. */
function rawCall(endpoint: string, path: string, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(endpoint);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    const out: Answer = { dataBytes: 0 };
    const status = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) out.status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) out.message = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', status);
    req.on('trailers', status);
    req.on('data', (d: Buffer) => (out.dataBytes += d.length));
    req.on('error', () => {});
    req.on('close', () => {
      if (req.rstCode && out.status === undefined) out.reset = req.rstCode;
      session.close();
      resolve(out);
    });
    req.end(body);
  });
}

function frame(flag: number, length: number, body = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(length, 1);
  return Buffer.concat([head, body]);
}

// PutRequest{key: "a", value: "b"}
const put = Buffer.from([0x0a, 0x01, 0x61, 0x12, 0x01, 0x62]);

const cases: Array<{ name: string; path: string; headers?: http2.OutgoingHttpHeaders; body?: Buffer; want: Partial<Answer>; sameCode?: false; realMessages?: string[] }> = [
  { name: 'unknown method', path: '/etcdserverpb.KV/Nope', body: frame(0, 0), want: { status: '12', message: 'unknown method Nope for service etcdserverpb.KV' } },
  { name: 'unknown service', path: '/etcdserverpb.Nope/Range', body: frame(0, 0), want: { status: '12', message: 'unknown service etcdserverpb.Nope' } },
  { name: 'malformed method name', path: '/nope', body: frame(0, 0), want: { status: '8', message: 'malformed method name: "/nope"' } },
  { name: 'gzip', path: '/etcdserverpb.KV/Put', headers: { 'grpc-encoding': 'gzip' }, body: frame(1, put.length, put), want: { status: '12', message: 'grpc: Decompressor is not installed for grpc-encoding "gzip"' } },
  { name: 'compressed flag without encoding', path: '/etcdserverpb.KV/Put', body: frame(1, put.length, put), want: { status: '13', message: 'grpc: compressed flag set with identity or empty encoding' } },
  { name: 'unknown payload format', path: '/etcdserverpb.KV/Put', body: frame(2, put.length, put), want: { status: '13', message: 'grpc: received unexpected payload format 2' } },
  { name: 'message over the receive limit', path: '/etcdserverpb.KV/Put', body: frame(0, 3 * 1024 * 1024), want: { status: '8', message: 'grpc: received message larger than max (3145728 vs. 2097152)' } },
  { name: 'malformed grpc-timeout', path: '/etcdserverpb.KV/Put', headers: { 'grpc-timeout': '1x' }, body: frame(0, put.length, put), want: { reset: http2.constants.NGHTTP2_PROTOCOL_ERROR } },
  { name: 'grpc-timeout too long', path: '/etcdserverpb.KV/Put', headers: { 'grpc-timeout': '123456789S' }, body: frame(0, put.length, put), want: { reset: http2.constants.NGHTTP2_PROTOCOL_ERROR } },
  { name: 'deadline already passed', path: '/etcdserverpb.KV/Put', headers: { 'grpc-timeout': '1n' }, body: frame(0, put.length, put), want: { status: '4', message: 'context deadline exceeded' },
    // etcd answers DeadlineExceeded "context deadline exceeded" or, when its handler saw the
    // context first, Unknown "etcdserver: request timed out"; keelson always the former.
    sameCode: false, realMessages: ['context deadline exceeded', 'etcdserver: request timed out'] },
  { name: 'no request message', path: '/etcdserverpb.KV/Put', want: { status: '2', message: 'EOF' } },
  { name: 'request message cut short', path: '/etcdserverpb.KV/Put', body: frame(0, 10, Buffer.from([0x0a])), want: { status: '2', message: 'unexpected EOF' } },
  { name: 'two request messages: the first is served', path: '/etcdserverpb.KV/Put', body: Buffer.concat([frame(0, put.length, put), frame(0, put.length, put)]), want: { status: '0', message: '' } },
  { name: 'empty request message', path: '/etcdserverpb.Maintenance/Status', body: frame(0, 0), want: { status: '0', message: '' } },
  { name: 'unknown auth token, auth disabled', path: '/etcdserverpb.KV/Put', headers: { token: 'bogus' }, body: frame(0, put.length, put), want: { status: '16', message: 'etcdserver: invalid auth token' } },
];

test('raw HTTP/2 calls: keelson answers as etcd (grpc-go) does', { skip, timeout: 120_000 }, async () => {
  for (const c of cases) {
    const real = await rawCall(etcd!.endpoint, c.path, c.headers ?? {}, c.body);
    const ours = await rawCall(keelson!.endpoint, c.path, c.headers ?? {}, c.body);
    const pick = (a: Answer) => ({ status: c.sameCode === false ? undefined : a.status, message: c.realMessages ? undefined : a.message, reset: a.reset, answered: a.dataBytes > 0 });
    assert.deepEqual(pick(ours), pick(real), c.name);
    if (c.realMessages) assert.ok(c.realMessages.includes(String(real.message)), `${c.name}: etcd said ${real.message}`);
    for (const [k, v] of Object.entries(c.want)) assert.equal(ours[k as keyof Answer], v, `${c.name}: ${k}`);
  }
});

// (etcd serves these over HTTP/1 and TLS h2; keelson also over h2c, its one HTTP/2 server.)
test('non-gRPC HTTP/2 requests on the client port (h2c) reach the HTTP handler: /version, /health', { skip, timeout: 60_000 }, async () => {
  const get = (endpoint: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const s = http2.connect(endpoint);
      s.on('error', reject);
      const r = s.request({ ':path': path });
      let body = '';
      let status = 0;
      r.on('response', (h) => (status = Number(h[':status'])));
      r.setEncoding('utf8');
      r.on('data', (d: string) => (body += d));
      r.on('end', () => {
        s.close();
        resolve({ status, body });
      });
      r.end();
    });
  const version = await get(keelson!.endpoint, '/version');
  assert.equal(version.status, 200);
  assert.deepEqual(Object.keys(JSON.parse(version.body)).sort(), ['etcdcluster', 'etcdserver']);
  const health = await get(keelson!.endpoint, '/health');
  assert.deepEqual(health, { status: 200, body: '{"health":"true"}' });
  assert.equal((await get(keelson!.endpoint, '/nope')).status, 404);
});
