// The authority fix: a node:http2 server behind serveFixingAuthority, driven by node's http2
// client (nghttp2's encoder: Huffman, dynamic table, padding, priority, CONTINUATION) and by raw
// sockets for the peek's own steps (its SETTINGS, the ACK it removes, giving up).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { serveFixingAuthority, type AuthorityPeekOptions } from './authority.js';
import { ClientFrameRewriter } from './authority-rewriter.js';
import { connectionSocket } from './authority-relay.js';
import { fixedAuthority, stripToAuthority, validAuthority } from './authority-value.js';
import { CLIENT_PREFACE, Flag, FrameType, emptySettings, frameHeader, readFrameHeader } from './h2-frames.js';
import { HpackDecoder, encodeHeaderBlock } from './hpack.js';
import { makeCerts, tempDir } from '../test-support.js';

interface Fixture {
  port: number;
  /** What serve() got for each connection: the socket itself, or the relay. */
  handed: Array<'native' | 'relay'>;
  close(): Promise<void>;
}

/** A net server whose connections go through serveFixingAuthority to `onConn` (default: an echo h2 server). */
async function fixture(opts: AuthorityPeekOptions = {}, onConn?: (c: Duplex) => void): Promise<Fixture> {
  const h2 = http2.createServer();
  h2.on('stream', (st, headers) => {
    const hash = createHash('sha256');
    let n = 0;
    st.on('data', (d: Buffer) => {
      hash.update(d);
      n += d.length;
    });
    st.on('end', () => {
      st.respond({ ':status': 200, 'content-type': 'application/json' });
      const h = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith(':') || k.startsWith('x-') || k === 'host'));
      st.end(JSON.stringify({ headers: h, bytes: n, sha: hash.digest('hex') }));
    });
  });
  const handed: Fixture['handed'] = [];
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    serveFixingAuthority(
      s,
      (c) => {
        handed.push(c === s ? 'native' : 'relay');
        if (onConn) onConn(c);
        else h2.emit('connection', c);
      },
      opts,
    );
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    handed,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

interface Reply {
  status: number;
  body: { headers: Record<string, string>; bytes: number; sha: string };
}

function request(c: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer, opts: http2.ClientSessionRequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = c.request(headers, opts);
    let status = 0;
    let text = '';
    r.on('response', (h) => (status = Number(h[':status'])));
    r.setEncoding('utf8');
    r.on('data', (d: string) => (text += d));
    r.on('end', () => resolve({ status, body: JSON.parse(text) }));
    r.on('error', reject);
    r.end(body);
  });
}

test('authority values: what nghttp2 refuses and what it becomes', () => {
  assert.equal(validAuthority('127.0.0.1:2379'), true);
  assert.equal(validAuthority('[::1]:2379'), true);
  assert.equal(validAuthority('user@host:1'), true);
  assert.equal(validAuthority('http://127.0.0.1:2379'), false);
  assert.equal(stripToAuthority('https://etcd-0.keelson:2379/some/path?q#f'), 'etcd-0.keelson:2379');
  assert.equal(fixedAuthority('http://127.0.0.1:2379'), '127.0.0.1:2379');
  assert.equal(fixedAuthority('unix:///var/run/etcd.sock'), undefined, 'nothing left to use');
  assert.equal(fixedAuthority('127.0.0.1:2379'), undefined, 'already fine');
  assert.equal(fixedAuthority('has space'), undefined, 'not fixable: left to nghttp2');
});

test('a URL :authority is served through the relay: dynamic table, CONTINUATION, padding, priority, bodies', async () => {
  const f = await fixture();
  const c = http2.connect(`http://127.0.0.1:${f.port}`, { paddingStrategy: http2.constants.PADDING_STRATEGY_MAX });
  try {
    const authority = `http://127.0.0.1:${f.port}`;
    // Same headers again and again: nghttp2 refers to its dynamic table entries from the second on.
    for (let i = 0; i < 3; i++) {
      const r = await request(c, { ':authority': authority, ':path': `/keelson/${i}`, 'x-keelson': 'same-value' });
      assert.equal(r.status, 200);
      assert.equal(r.body.headers[':authority'], `127.0.0.1:${f.port}`);
      assert.equal(r.body.headers[':path'], `/keelson/${i}`);
      assert.equal(r.body.headers['x-keelson'], 'same-value');
    }
    // A block larger than one frame (HEADERS + CONTINUATION from the client, and again to node).
    const big = 'k'.repeat(40_000);
    const r1 = await request(c, { ':authority': authority, ':path': '/big', 'x-big': big });
    assert.equal(r1.body.headers['x-big'], big);
    // Priority fields on HEADERS, and a body larger than the initial flow-control window.
    const body = Buffer.alloc(300_000, 7);
    const r2 = await request(c, { ':authority': authority, ':method': 'POST', ':path': '/body' }, body, { weight: 42, exclusive: false, parent: 0 });
    assert.equal(r2.body.bytes, body.length);
    assert.equal(r2.body.sha, createHash('sha256').update(body).digest('hex'));
    // Several streams at once.
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => request(c, { ':authority': authority, ':path': `/p/${i}`, 'x-n': String(i) })));
    all.forEach((r, i) => assert.equal(r.body.headers['x-n'], String(i)));
    assert.deepEqual(f.handed, ['relay']);
  } finally {
    c.destroy();
    await f.close();
  }
});

test('a fine :authority: the connection itself is handed to node:http2 (no relay)', async () => {
  const f = await fixture();
  const c = http2.connect(`http://127.0.0.1:${f.port}`);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await request(c, { ':path': '/fine' });
      assert.equal(r.body.headers[':authority'], `127.0.0.1:${f.port}`);
    }
    assert.deepEqual(f.handed, ['native']);
  } finally {
    c.destroy();
    await f.close();
  }
});

/** A raw connection; `read(n)` waits for n more bytes. */
async function rawClient(port: number) {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => s.once('connect', () => r()));
  let buf = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void } | undefined;
  const check = () => {
    if (want && buf.length >= want.n) {
      const out = buf.subarray(0, want.n);
      buf = buf.subarray(want.n);
      const w = want;
      want = undefined;
      w.resolve(out);
    }
  };
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    check();
  });
  return {
    s,
    read: (n: number) =>
      new Promise<Buffer>((resolve) => {
        want = { n, resolve };
        check();
      }),
  };
}

/** serve() that collects what the handed-over connection yields. */
function collecting() {
  const got: Buffer[] = [];
  let handedResolve: (c: Duplex) => void;
  const handed = new Promise<Duplex>((r) => (handedResolve = r));
  return {
    got,
    handed,
    onConn: (c: Duplex) => {
      c.on('data', (d: Buffer) => got.push(d));
      c.resume();
      handedResolve(c);
    },
  };
}

test('peek: answers the preface with SETTINGS, removes the client ACK, hands an idle connection over after peekMs', async () => {
  const col = collecting();
  const f = await fixture({ peekMs: 300 }, col.onConn);
  const { s, read } = await rawClient(f.port);
  try {
    const clientSettings = frameHeader(6, FrameType.SETTINGS, 0, 0);
    const param = Buffer.from([0, 4, 0, 1, 0, 0]); // INITIAL_WINDOW_SIZE 65536
    s.write(Buffer.concat([CLIENT_PREFACE, clientSettings, param]));
    const settings = await read(9);
    assert.deepEqual(readFrameHeader(settings, 0), { length: 0, type: FrameType.SETTINGS, flags: 0, stream: 0 });
    s.write(emptySettings(true));
    const c = await col.handed;
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(Buffer.concat(col.got), Buffer.concat([CLIENT_PREFACE, clientSettings, param]), 'everything but the ACK');
    assert.deepEqual(f.handed, ['native']);
    c.destroy();
  } finally {
    s.destroy();
    await f.close();
  }
});

test('peek: a request sent with the preface is handed over at once, unchanged, without SETTINGS from the peek', async () => {
  const col = collecting();
  const f = await fixture({ peekMs: 10_000 }, col.onConn);
  const { s } = await rawClient(f.port);
  let fromServer = 0;
  s.on('data', (d: Buffer) => (fromServer += d.length));
  try {
    const block = encodeHeaderBlock([
      { name: ':method', value: 'GET' },
      { name: ':scheme', value: 'http' },
      { name: ':path', value: '/' },
      { name: ':authority', value: '127.0.0.1' },
    ]);
    const bytes = Buffer.concat([CLIENT_PREFACE, emptySettings(), frameHeader(block.length, FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1), block]);
    s.write(bytes);
    const c = await col.handed;
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(Buffer.concat(col.got), bytes);
    assert.equal(fromServer, 0, 'the peek wrote nothing');
    assert.deepEqual(f.handed, ['native']);
    c.destroy();
  } finally {
    s.destroy();
    await f.close();
  }
});

test('peek: a connection that is not HTTP/2 is handed over at once with its bytes', async () => {
  const col = collecting();
  const f = await fixture({ peekMs: 10_000 }, col.onConn);
  const { s } = await rawClient(f.port);
  try {
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const c = await col.handed;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(Buffer.concat(col.got).toString(), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    c.destroy();
  } finally {
    s.destroy();
    await f.close();
  }
});

test('rewriter: byte-at-a-time input gives the same output; the first ACK only is dropped; padding and priority', () => {
  const block = encodeHeaderBlock([
    { name: ':authority', value: 'https://127.0.0.1:2379/x' },
    { name: ':path', value: '/etcdserverpb.Maintenance/Status' },
  ]);
  // HEADERS with PADDED + PRIORITY: pad length 3, priority (stream 0, weight 16), block, padding.
  const payload = Buffer.concat([Buffer.from([3]), Buffer.from([0, 0, 0, 0, 15]), block, Buffer.alloc(3)]);
  const input = Buffer.concat([
    CLIENT_PREFACE,
    emptySettings(),
    emptySettings(true),
    frameHeader(payload.length, FrameType.HEADERS, Flag.END_HEADERS | Flag.PADDED | Flag.PRIORITY | Flag.END_STREAM, 1),
    payload,
    emptySettings(true),
    frameHeader(4, FrameType.DATA, 0, 1),
    Buffer.from('data'),
  ]);
  const run = (chunked: boolean) => {
    const out: Buffer[] = [];
    const rw = new ClientFrameRewriter((b) => out.push(b), { dropFirstSettingsAck: true });
    if (chunked) for (const b of input) rw.write(Buffer.from([b]));
    else rw.write(input);
    return Buffer.concat(out);
  };
  const out = run(false);
  assert.deepEqual(run(true), out);
  let off = CLIENT_PREFACE.length;
  const frames: Array<ReturnType<typeof readFrameHeader> & { payload: Buffer }> = [];
  while (off < out.length) {
    const h = readFrameHeader(out, off);
    frames.push({ ...h, payload: out.subarray(off + 9, off + 9 + h.length) });
    off += 9 + h.length;
  }
  assert.deepEqual(
    frames.map((f) => [f.type, f.flags]),
    [
      [FrameType.SETTINGS, 0],
      [FrameType.HEADERS, Flag.END_HEADERS | Flag.PRIORITY | Flag.END_STREAM],
      [FrameType.SETTINGS, Flag.ACK],
      [FrameType.DATA, 0],
    ],
  );
  const h = frames[1].payload;
  assert.deepEqual(h.subarray(0, 5), Buffer.from([0, 0, 0, 0, 15]), 'priority kept');
  assert.deepEqual(
    new HpackDecoder().decode(h.subarray(5)).map((x) => [x.name, x.value]),
    [
      [':authority', '127.0.0.1:2379'],
      [':path', '/etcdserverpb.Maintenance/Status'],
    ],
  );
});

test('rewriter: an undecodable block becomes one node:http2 cannot decode; a frame inside a block passes as is', () => {
  const out: Buffer[] = [];
  const rw = new ClientFrameRewriter((b) => out.push(b), { dropFirstSettingsAck: false });
  rw.write(Buffer.concat([CLIENT_PREFACE, frameHeader(1, FrameType.HEADERS, Flag.END_HEADERS, 1), Buffer.from([0xbe])]));
  const o = Buffer.concat(out).subarray(CLIENT_PREFACE.length);
  assert.deepEqual(o, Buffer.concat([frameHeader(1, FrameType.HEADERS, Flag.END_HEADERS, 1), Buffer.from([0x80])]));

  const out2: Buffer[] = [];
  const rw2 = new ClientFrameRewriter((b) => out2.push(b), { dropFirstSettingsAck: false });
  const open = Buffer.concat([frameHeader(1, FrameType.HEADERS, 0, 1), Buffer.from([0x82])]);
  const ping = Buffer.concat([frameHeader(8, FrameType.PING, 0, 0), Buffer.alloc(8)]);
  rw2.write(Buffer.concat([CLIENT_PREFACE, open, ping]));
  assert.deepEqual(Buffer.concat(out2), Buffer.concat([CLIENT_PREFACE, open, ping]));
});

test('TLS: the relay socket answers for the connection (verified client certificate, addresses)', async () => {
  const d = await tempDir('keelson-authority-tls-');
  const c = await makeCerts(d.dir);
  const [ca, cert, key, ccert, ckey] = await Promise.all([c.ca, c.serverCert, c.serverKey, c.clientCert, c.clientKey].map((f) => readFile(f)));
  const h2 = http2.createServer();
  h2.on('stream', (st, headers) => {
    const sock = connectionSocket(st.session!.socket) as tls.TLSSocket;
    st.respond({ ':status': 200 });
    st.end(JSON.stringify({ authority: headers[':authority'], authorized: sock.authorized, cn: sock.getPeerCertificate().subject?.CN, remote: sock.remoteAddress }));
  });
  const handed: string[] = [];
  const srv = tls.createServer({ cert, key, ca, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] }, (s) =>
    serveFixingAuthority(s, (x) => {
      handed.push(x === s ? 'native' : 'relay');
      h2.emit('connection', x);
    }),
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  const client = http2.connect(`https://127.0.0.1:${port}`, { ca, cert: ccert, key: ckey, servername: 'localhost' });
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const r = client.request({ ':authority': `https://127.0.0.1:${port}`, ':path': '/' });
      let t = '';
      r.setEncoding('utf8');
      r.on('data', (x: string) => (t += x));
      r.on('end', () => resolve(t));
      r.on('error', reject);
      r.end();
    });
    assert.deepEqual(JSON.parse(body), { authority: `127.0.0.1:${port}`, authorized: true, cn: 'root', remote: '127.0.0.1' });
    assert.deepEqual(handed, ['relay']);
  } finally {
    client.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
    await d.remove();
  }
});
