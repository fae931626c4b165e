// The gRPC transport on its own, with grpc-js as the client: unary replies and error statuses
// (messages percent-encoded and decoded back), bidi streams ending either way, deadlines,
// server-streaming under HTTP/2 flow control, pings, and non-gRPC requests handed to HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { MethodCodec } from './codec.js';
import type { StreamCall } from './call.js';
import { GrpcServer } from './server.js';
import { Code, GrpcStatusError } from './status.js';

/** Messages are raw bytes: decode wraps them, encode unwraps. */
const codec = (method: string, requestStream: boolean, responseStream: boolean): MethodCodec => ({
  path: `/etcdserverpb.KV/${method}`,
  service: 'KV',
  method,
  requestStream,
  responseStream,
  decode: (buf) => ({ buf: Buffer.from(buf) }),
  encode: (m) => (m as { buf: Buffer }).buf,
});

const events: string[] = [];
let streamCalls: StreamCall[] = [];
let server: GrpcServer;
let listener: net.Server;
let address = '';

before(async () => {
  server = new GrpcServer({
    maxReceiveBytes: 1024,
    toStatus: (e) => (e instanceof GrpcStatusError ? e : { code: Code.UNKNOWN, details: String(e) }),
    http: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('plain http');
    },
  });
  server.addService([codec('Echo', false, false), codec('Fail', false, false), codec('Slow', false, false), codec('Chat', true, true), codec('Many', false, true)], {
    Echo: async (req: { buf: Buffer }) => ({ buf: Buffer.concat([Buffer.from('echo:'), req.buf]) }),
    Fail: async (req: { buf: Buffer }) => {
      throw new GrpcStatusError(Code.FAILED_PRECONDITION, `refusé: ${req.buf.toString()} 100%`);
    },
    Slow: async (req: { buf: Buffer }) => {
      await new Promise((r) => setTimeout(r, 150));
      events.push('slow done');
      return req;
    },
    Chat: (call: StreamCall) => {
      streamCalls.push(call);
      call.on('data', (m: { buf: Buffer }) => call.write({ buf: m.buf }));
      call.on('end', () => {
        events.push('end');
        call.end();
      });
      call.on('cancelled', () => events.push('cancelled'));
    },
    Many: (call: StreamCall) => {
      const n = Number((call.request as { buf: Buffer }).buf.toString());
      let i = 0;
      const pump = () => {
        while (i < n) {
          const ok = call.write({ buf: Buffer.alloc(64 * 1024, i % 256) });
          i++;
          if (!ok) return void call.once('drain', pump);
        }
        call.end();
      };
      pump();
    },
  });
  listener = net.createServer((s) => server.connection(s));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
});

after(async () => {
  await server.close(100);
  await new Promise<void>((r) => listener.close(() => r()));
});

const id = (b: Buffer) => b;
const client = () => new grpc.Client(address, grpc.credentials.createInsecure());

function unary(c: grpc.Client, method: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    c.makeUnaryRequest(`/etcdserverpb.KV/${method}`, id, id, Buffer.from(body), (err, res) => (err ? reject(err) : resolve(res!))),
  );
}

test('unary: reply, error status with a percent-encoded message, unknown method, oversize request', async () => {
  const c = client();
  try {
    assert.equal((await unary(c, 'Echo', 'hi')).toString(), 'echo:hi');
    await assert.rejects(unary(c, 'Fail', 'clé'), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.FAILED_PRECONDITION);
      assert.equal(e.details, 'refusé: clé 100%');
      return true;
    });
    await assert.rejects(unary(c, 'Nope', ''), (e: grpc.ServiceError) => e.code === grpc.status.UNIMPLEMENTED && e.details === 'unknown method Nope for service etcdserverpb.KV');
    await assert.rejects(unary(c, 'Echo', 'x'.repeat(2000)), (e: grpc.ServiceError) => e.code === grpc.status.RESOURCE_EXHAUSTED && e.details === 'grpc: received message larger than max (2000 vs. 1024)');
  } finally {
    c.close();
  }
});

/** A raw HTTP/2 gRPC request to Chat that stays open (no END_STREAM). */
function openChat(headers: http2.OutgoingHttpHeaders = {}) {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => {});
  const req = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Chat', 'content-type': 'application/grpc', te: 'trailers', ...headers });
  req.on('error', () => {});
  return { session, req };
}

const waitFor = async (what: string) => {
  for (let i = 0; i < 200 && !events.includes(what); i++) await new Promise((r) => setTimeout(r, 10));
};

test('unary: a reply after the client cancelled goes nowhere, and the server keeps serving', async () => {
  const c = client();
  try {
    events.length = 0;
    const call = c.makeUnaryRequest('/etcdserverpb.KV/Slow', id, id, Buffer.from('late'), () => {});
    await new Promise((r) => setTimeout(r, 30));
    call.cancel();
    await waitFor('slow done');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await unary(c, 'Echo', 'still')).toString(), 'echo:still');
  } finally {
    c.close();
  }
});

test('bidi: messages both ways, and a client half-close ends the call OK', async () => {
  const c = client();
  try {
    events.length = 0;
    const s = c.makeBidiStreamRequest('/etcdserverpb.KV/Chat', id, id);
    const got: string[] = [];
    s.on('data', (b: Buffer) => got.push(b.toString()));
    const status = new Promise<grpc.StatusObject>((r) => s.on('status', r));
    s.write(Buffer.from('a'));
    s.write(Buffer.from('b'));
    s.end();
    assert.equal((await status).code, grpc.status.OK);
    assert.deepEqual(got, ['a', 'b']);
    assert.deepEqual(events, ['end']);
  } finally {
    c.close();
  }
});

test('bidi: a client that goes away (connection lost) cancels the call for the service', async () => {
  events.length = 0;
  streamCalls = [];
  const { session, req } = openChat();
  req.write(Buffer.from([0, 0, 0, 0, 1, 0x78]));
  await new Promise((r) => req.once('data', r));
  session.destroy();
  await waitFor('cancelled');
  assert.deepEqual(events, ['cancelled']);
  assert.equal(streamCalls[0].cancelled, true);
});

test('grpc-timeout: the server ends a stream call with DEADLINE_EXCEEDED and tells the service', async () => {
  events.length = 0;
  const { session, req } = openChat({ 'grpc-timeout': '150m' });
  try {
    const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve) => {
      req.on('response', (h) => h['grpc-status'] !== undefined && resolve(h));
      req.on('trailers', resolve);
    });
    assert.equal(trailers['grpc-status'], String(Code.DEADLINE_EXCEEDED));
    assert.equal(trailers['grpc-message'], 'context deadline exceeded');
    await waitFor('cancelled');
    assert.deepEqual(events, ['cancelled']);
  } finally {
    session.destroy();
  }
});

test('server-streaming: 16 MiB through HTTP/2 flow control (write() false, then drain), all delivered in order', async () => {
  const c = client();
  try {
    const s = c.makeServerStreamRequest('/etcdserverpb.KV/Many', id, id, Buffer.from('256'));
    let n = 0;
    let inOrder = true;
    s.on('data', (b: Buffer) => {
      if (b.length !== 64 * 1024 || b[0] !== n % 256) inOrder = false;
      n++;
    });
    const st = await new Promise<grpc.StatusObject>((r) => s.on('status', r));
    assert.equal(st.code, grpc.status.OK);
    assert.equal(n, 256);
    assert.ok(inOrder);
  } finally {
    c.close();
  }
});

test('HTTP/2 pings are answered; non-gRPC requests go to the HTTP handler', async () => {
  const s = http2.connect(`http://${address}`);
  try {
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    await new Promise<void>((resolve, reject) => s.ping((err) => (err ? reject(err) : resolve())));
    const body = await new Promise<string>((resolve) => {
      const r = s.request({ ':path': '/version' });
      let b = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (b += d));
      r.on('end', () => resolve(b));
      r.end();
    });
    assert.equal(body, 'plain http');
  } finally {
    s.close();
  }
});
