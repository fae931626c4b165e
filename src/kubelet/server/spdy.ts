// A minimal SPDY/3.1 server connection (the framing Kubernetes' httpstream/spdy speaks, through
// moby/spdystream): the peer opens streams with SYN_STREAM (headers: streamtype, port,
// requestid, ...), we answer each with an empty SYN_REPLY, data flows in DATA frames until FIN
// on each side, RST_STREAM aborts a stream, PINGs are echoed, GOAWAY ends the connection.
// Header blocks are zlib-compressed with one shared context per direction and SPDY/3's preset
// dictionary. openStream() serves the client side too (the kubelet talking to a runtime's
// streaming server). Transport-neutral: bytes come in through receive() and go out through `send`, so
// the same code serves a raw upgraded socket and SPDY tunnelled in WebSocket binary messages.
// Divergence: flow control is not enforced (no WINDOW_UPDATE is sent or honoured), as
// spdystream does not enforce it either.
import { EventEmitter } from 'node:events';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

const words =
  'options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow authorization cache-control connection content-base content-encoding content-language content-length content-location content-md5 content-range content-type date etag expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get status';
const tail =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** SPDY/3's header compression dictionary (1423 bytes): length-prefixed header words, then a
 * run of common values. */
export const spdyDictionary: Buffer = (() => {
  const parts: Buffer[] = [];
  for (const w of [...words.split(' '), '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin']) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w));
  }
  parts.push(Buffer.from(tail));
  return Buffer.concat(parts);
})();

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const HEADERS = 8;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 1;
const CANCEL = 5;

/** Runs `input` through a zlib stream and returns what a sync flush produces (the context stays). */
function zflush(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (c: Buffer) => out.push(c);
    const onError = (e: Error) => reject(e);
    z.on('data', onData);
    z.once('error', onError);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      z.off('error', onError);
      resolve(Buffer.concat(out));
    });
  });
}

function decodeHeaders(block: Buffer): Record<string, string> {
  const h: Record<string, string> = {};
  let off = 0;
  const n = block.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < n; i++) {
    const nl = block.readUInt32BE(off);
    const name = block.subarray(off + 4, off + 4 + nl).toString();
    off += 4 + nl;
    const vl = block.readUInt32BE(off);
    h[name.toLowerCase()] = block.subarray(off + 4, off + 4 + vl).toString().split('\0')[0];
    off += 4 + vl;
  }
  return h;
}

function encodeHeaders(h: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(h);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) parts.push(u32(Buffer.byteLength(k)), Buffer.from(k.toLowerCase()), u32(Buffer.byteLength(v)), Buffer.from(v));
  return Buffer.concat(parts);
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(body.length, 4);
  h[4] = flags;
  return Buffer.concat([h, body]);
}

/** One stream: 'data' (Buffer), 'end' (the peer sent FIN), 'reset', and 'reply' (SYN_REPLY to a
 * stream we opened). */
export class SpdyStream extends EventEmitter {
  localClosed = false;
  remoteClosed = false;
  constructor(
    readonly id: number,
    readonly headers: Record<string, string>,
    private readonly conn: SpdyServerConnection,
  ) {
    super();
  }

  write(data: Buffer): void {
    if (this.localClosed) return;
    for (let off = 0; off < data.length; off += 0xffffff) this.conn.sendData(this.id, data.subarray(off, off + 0xffffff), false);
  }

  /** Half-closes our side (DATA with FIN). */
  end(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.conn.sendData(this.id, Buffer.alloc(0), true);
    this.conn.maybeForget(this);
  }

  /** Aborts the stream both ways (RST_STREAM CANCEL). */
  reset(): void {
    if (this.localClosed && this.remoteClosed) return;
    this.localClosed = this.remoteClosed = true;
    this.conn.sendReset(this.id);
    this.conn.maybeForget(this);
  }
}

/** The server side of a SPDY/3.1 connection: emits 'stream' (SpdyStream) and 'close'. */
export class SpdyServerConnection extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inflate = createInflate({ dictionary: spdyDictionary });
  private readonly deflate = createDeflate({ dictionary: spdyDictionary });
  private readonly streams = new Map<number, SpdyStream>();
  private inChain = Promise.resolve();
  private outChain = Promise.resolve();
  private lastStream = 0;
  private nextOwn = -1;
  closed = false;
  private gone = false;

  constructor(private readonly transport: { send(b: Buffer): void; close(): void }) {
    super();
  }

  /** Opens a stream of our own (the client side: odd ids), e.g. to a runtime's streaming server. */
  openStream(headers: Record<string, string>): SpdyStream {
    const id = (this.nextOwn += 2);
    const s = new SpdyStream(id, headers, this);
    this.streams.set(id, s);
    this.send(async () => controlFrame(SYN_STREAM, 0, Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), await zflush(this.deflate, encodeHeaders(headers))])));
    return s;
  }

  /** Bytes from the peer. */
  receive(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.inChain = this.inChain.then(() => this.frame(frame)).catch(() => this.close());
    }
  }

  private async frame(f: Buffer): Promise<void> {
    if (this.closed) return;
    const body = f.subarray(8);
    const flags = f[4];
    if (!(f[0] & 0x80)) {
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s || s.remoteClosed) return;
      if (body.length) s.emit('data', Buffer.from(body));
      if (flags & FLAG_FIN) this.remoteEnd(s);
      return;
    }
    const type = f.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = decodeHeaders(await zflush(this.inflate, body.subarray(10)));
      this.lastStream = id;
      const s = new SpdyStream(id, headers, this);
      this.streams.set(id, s);
      this.send(async () => controlFrame(SYN_REPLY, 0, Buffer.concat([u32(id), await zflush(this.deflate, encodeHeaders({}))])));
      this.emit('stream', s);
      if (flags & FLAG_FIN) this.remoteEnd(s);
    } else if (type === SYN_REPLY || type === HEADERS) {
      // Our own streams' replies: nothing to do but keep the header context in step.
      await zflush(this.inflate, body.subarray(4));
      const s = this.streams.get(body.readUInt32BE(0) & 0x7fffffff);
      if (s && type === SYN_REPLY) s.emit('reply');
      if (s && flags & FLAG_FIN) this.remoteEnd(s);
    } else if (type === RST_STREAM) {
      const s = this.streams.get(body.readUInt32BE(0) & 0x7fffffff);
      if (s) {
        s.localClosed = s.remoteClosed = true;
        this.streams.delete(s.id);
        s.emit('reset');
      }
    } else if (type === PING) {
      this.send(async () => controlFrame(PING, 0, Buffer.from(body.subarray(0, 4))));
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS, HEADERS, WINDOW_UPDATE: nothing to do.
  }

  private remoteEnd(s: SpdyStream): void {
    s.remoteClosed = true;
    s.emit('end');
    this.maybeForget(s);
  }

  /** @internal */
  maybeForget(s: SpdyStream): void {
    if (s.localClosed && s.remoteClosed) this.streams.delete(s.id);
  }

  private send(make: () => Promise<Buffer> | Buffer): void {
    this.outChain = this.outChain
      .then(async () => {
        const b = await make();
        if (!this.gone) this.transport.send(b);
      })
      .catch(() => this.close());
  }

  /** @internal */
  sendData(id: number, data: Buffer, fin: boolean): void {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id & 0x7fffffff, 0);
    h.writeUInt32BE(data.length, 4);
    h[4] = fin ? FLAG_FIN : 0;
    this.send(() => Buffer.concat([h, data]));
  }

  /** @internal */
  sendReset(id: number): void {
    this.send(() => controlFrame(RST_STREAM, 0, Buffer.concat([u32(id), u32(CANCEL)])));
  }

  /** GOAWAY, then the transport closes; every open stream gets 'reset'. */
  close(): void {
    if (this.closed) return;
    this.send(() => controlFrame(GOAWAY, 0, Buffer.concat([u32(this.lastStream), u32(0)])));
    void this.outChain.then(() => {
      this.gone = true;
      this.transport.close();
    });
    this.shutdown();
  }

  /**
   * The transport went away. Frames that arrived before it are still being decoded (header
   * blocks inflate asynchronously), so the shutdown waits for them: a peer that writes its last
   * data and status and then closes at once (a runtime's streaming server after a short exec)
   * must not lose them.
   */
  transportClosed(): void {
    this.gone = true;
    this.inChain = this.inChain.then(() => this.shutdown());
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    void this.outChain.then(() => {
      this.inflate.close();
      this.deflate.close();
    });
    for (const s of this.streams.values()) s.emit('reset');
    this.streams.clear();
    this.emit('close');
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
