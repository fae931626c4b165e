// The SPDY/3.1 server connection against a hand-rolled client: the dictionary is SPDY/3's
// (pinned by its sha256), streams get SYN_REPLY, data and FIN flow both ways, PINGs are echoed,
// RST_STREAM resets a stream, and header blocks share one compression context per direction.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SpdyServerConnection, spdyDictionary, type SpdyStream } from './spdy.js';

function zflush(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const on = (c: Buffer) => out.push(c);
    z.on('data', on);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', on);
      resolve(Buffer.concat(out));
    });
  });
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function control(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(body.length, 4);
  h[4] = flags;
  return Buffer.concat([h, body]);
}

function dataFrame(id: number, data: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(id, 0);
  h.writeUInt32BE(data.length, 4);
  h[4] = fin ? 1 : 0;
  return Buffer.concat([h, data]);
}

/** A client: frames it receives, a SYN_STREAM maker with its own compression context. */
function client() {
  const deflate = createDeflate({ dictionary: spdyDictionary });
  const inflate = createInflate({ dictionary: spdyDictionary });
  const received: Buffer[] = [];
  let buf = Buffer.alloc(0);
  const conn = new SpdyServerConnection({
    send: (b) => {
      buf = Buffer.concat([buf, b]);
      while (buf.length >= 8 && buf.length >= 8 + (buf.readUInt32BE(4) & 0xffffff)) {
        const n = 8 + (buf.readUInt32BE(4) & 0xffffff);
        received.push(buf.subarray(0, n));
        buf = buf.subarray(n);
      }
    },
    close: () => undefined,
  });
  const synStream = async (id: number, headers: Record<string, string>, fin = false) => {
    const parts = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
    const block = await zflush(deflate, Buffer.concat(parts));
    conn.receive(control(1, fin ? 1 : 0, Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), block])));
  };
  return { conn, received, synStream, inflate };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('SPDY/3.1 server connection', () => {
  it('uses SPDY/3\'s header dictionary', () => {
    assert.equal(spdyDictionary.length, 1423);
    assert.equal(createHash('sha256').update(spdyDictionary).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('opens streams with their headers, replies, carries data and FIN both ways', async () => {
    const c = client();
    const streams: SpdyStream[] = [];
    c.conn.on('stream', (s: SpdyStream) => streams.push(s));
    await c.synStream(1, { streamtype: 'error', port: '80', requestid: '0' });
    await c.synStream(3, { streamtype: 'data', port: '80', requestid: '0' });
    await settle();
    assert.deepEqual(streams.map((s) => s.headers), [{ streamtype: 'error', port: '80', requestid: '0' }, { streamtype: 'data', port: '80', requestid: '0' }]);
    // Two SYN_REPLYs whose header blocks decompress in one context.
    const replies = c.received.filter((f) => f.readUInt16BE(2) === 2);
    assert.equal(replies.length, 2);
    for (const [i, r] of replies.entries()) {
      assert.equal(r.readUInt32BE(8), i === 0 ? 1 : 3);
      assert.deepEqual(await zflush(c.inflate, r.subarray(12)), u32(0));
    }
    let got = '';
    let ended = false;
    streams[1].on('data', (d: Buffer) => (got += d));
    streams[1].on('end', () => (ended = true));
    c.conn.receive(Buffer.concat([dataFrame(3, Buffer.from('ping')), dataFrame(3, Buffer.from('!'), true)]));
    await settle();
    assert.equal(got, 'ping!');
    assert.ok(ended);
    streams[1].write(Buffer.from('pong'));
    streams[1].end();
    await settle();
    const data = c.received.filter((f) => !(f[0] & 0x80));
    assert.deepEqual(data.map((f) => [f.readUInt32BE(0), f[4], f.subarray(8).toString()]), [[3, 0, 'pong'], [3, 1, '']]);
  });

  it('echoes PING, resets on RST_STREAM, sends RST_STREAM on reset()', async () => {
    const c = client();
    const streams: SpdyStream[] = [];
    c.conn.on('stream', (s: SpdyStream) => streams.push(s));
    c.conn.receive(control(6, 0, u32(7)));
    await c.synStream(1, { streamtype: 'data' });
    await c.synStream(3, { streamtype: 'data' });
    await settle();
    const ping = c.received.find((f) => f.readUInt16BE(2) === 6)!;
    assert.equal(ping.readUInt32BE(8), 7);
    let reset = false;
    streams[0].on('reset', () => (reset = true));
    c.conn.receive(control(3, 0, Buffer.concat([u32(1), u32(5)])));
    await settle();
    assert.ok(reset);
    streams[1].reset();
    await settle();
    const rst = c.received.find((f) => f[0] & 0x80 && f.readUInt16BE(2) === 3)!;
    assert.deepEqual([rst.readUInt32BE(8), rst.readUInt32BE(12)], [3, 5]);
  });

  it('a transport that closes right after the last frames loses none of them', async () => {
    const c = client();
    const streams: SpdyStream[] = [];
    c.conn.on('stream', (s: SpdyStream) => streams.push(s));
    let got = '';
    let ended = false;
    let closedAfterData = false;
    c.conn.on('stream', (s: SpdyStream) => {
      s.on('data', (d: Buffer) => (got += d));
      s.on('end', () => (ended = true));
    });
    c.conn.on('close', () => (closedAfterData = got === 'out\n' && ended));
    // The SYN_STREAM's header block inflates asynchronously; the data, FIN and the transport's
    // close all arrive in the same tick behind it, as from a runtime whose exec ends at once.
    const parts = [u32(1), u32(10), Buffer.from('streamtype'), u32(6), Buffer.from('stdout')];
    const block = await zflush(createDeflate({ dictionary: spdyDictionary }), Buffer.concat(parts));
    c.conn.receive(Buffer.concat([control(1, 0, Buffer.concat([u32(1), u32(0), Buffer.from([0, 0]), block])), dataFrame(1, Buffer.from('out\n'), true)]));
    c.conn.transportClosed();
    await settle();
    assert.equal(streams.length, 1);
    assert.equal(got, 'out\n');
    assert.ok(ended);
    assert.ok(closedAfterData, "'close' comes after the stream's data and end");
  });
});
