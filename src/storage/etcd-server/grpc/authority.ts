// Lets clients that send an :authority node:http2 refuses (a URL such as "http://127.0.0.1:2379",
// see authority-value.ts) use the gRPC server, without costing the other connections anything
// after their first request.
//
// Each HTTP/2 connection is peeked before node:http2 gets it: the client preface, then frames up
// to the end of the first header block (HEADERS + CONTINUATION until END_HEADERS), whose :authority
// and host are decoded (hpack.ts). Then:
// - fine (the common case): the connection goes to node:http2 itself, the peeked bytes unshifted
//   back into it, so its native handle is read directly from then on;
// - fixable: the connection is served through the rewriting relay (authority-relay.ts);
// - not HTTP/2 prior knowledge, undecodable, too large (peekBytes) or too slow (peekMs, e.g. a
//   client that connects and waits before its first request): handed over as it is.
//
// The server speaks first in one respect: grpc-go (etcdctl) sends its first HEADERS only after it
// has read the server's SETTINGS, and node:http2 sends those only once it has the connection. So
// when the first bytes that arrive hold the preface but no whole header block, the peek sends an
// empty SETTINGS frame itself (every setting at its initial value; node:http2's own SETTINGS
// follow later as an ordinary change), and removes the client's ACK of it from the bytes
// node:http2 gets: the connection is then handed over only once that ACK has been seen (a client
// that sent a request before reading SETTINGS ACKs one round trip later); should it not come
// before peekMs, the relay removes it whenever it comes. Clients that send their first request
// with the preface (nghttp2, grpc-js) get no SETTINGS from the peek and nothing to wait for.
import type { Duplex } from 'node:stream';
import { CLIENT_PREFACE, FRAME_HEADER, Flag, FrameType, emptySettings, readFrameHeader } from './h2-frames.js';
import { HeaderBlockAssembler } from './h2-header-block.js';
import { HpackDecoder } from './hpack.js';
import { needsAuthorityFix } from './authority-value.js';
import { relayFixingAuthority } from './authority-relay.js';

export interface AuthorityPeekOptions {
  /** Longest wait for the first header block (and the SETTINGS ACK), ms. */
  peekMs?: number;
  /** Most bytes read before giving up on the first header block. */
  peekBytes?: number;
}

/** Peek `conn` (a new HTTP/2 connection), then hand it to `serve` directly or through the relay. */
export function serveFixingAuthority(conn: Duplex, serve: (c: Duplex) => void, opts: AuthorityPeekOptions = {}): void {
  const peekBytes = opts.peekBytes ?? 64 * 1024;
  let buf: Buffer = Buffer.alloc(0);
  let off = 0;
  let settingsSent = false;
  let ack: [number, number] | undefined;
  let firstBlockSeen = false;
  let done = false;
  const blocks = new HeaderBlockAssembler(peekBytes);

  const stop = () => {
    done = true;
    clearTimeout(timer);
    conn.off('data', onData);
    conn.off('close', onEnd);
    conn.pause();
  };
  const native = () => {
    stop();
    const bytes = ack ? Buffer.concat([buf.subarray(0, ack[0]), buf.subarray(ack[1])]) : buf;
    buf = Buffer.alloc(0);
    if (bytes.length) conn.unshift(bytes);
    serve(conn);
  };
  const relay = () => {
    stop();
    const bytes = buf;
    buf = Buffer.alloc(0);
    relayFixingAuthority(conn, bytes, settingsSent, serve); // the rewriter reads `bytes` from the start: it drops the ACK itself
  };
  const giveUp = () => (!settingsSent || ack ? native() : relay());
  const onEnd = () => {
    if (done) return;
    stop();
    conn.destroy();
  };

  const onData = (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    if (off === 0) {
      const n = Math.min(buf.length, CLIENT_PREFACE.length);
      if (!buf.subarray(0, n).equals(CLIENT_PREFACE.subarray(0, n))) return native();
      if (n < CLIENT_PREFACE.length) return;
      off = CLIENT_PREFACE.length;
    }
    while (off + FRAME_HEADER <= buf.length) {
      const h = readFrameHeader(buf, off);
      const end = off + FRAME_HEADER + h.length;
      if (end > buf.length) break;
      if (settingsSent && h.type === FrameType.SETTINGS && h.flags & Flag.ACK && h.length === 0 && !ack) {
        ack = [off, end];
      } else if (!firstBlockSeen && (blocks.open || h.type === FrameType.HEADERS || h.type === FrameType.CONTINUATION)) {
        const r = blocks.push(h, buf.subarray(off, end));
        if (r === 'bad') return giveUp();
        if (r === 'done') {
          firstBlockSeen = true;
          let fields;
          try {
            fields = new HpackDecoder().decode(blocks.take().block);
          } catch {
            return giveUp(); // undecodable: node:http2 answers COMPRESSION_ERROR itself
          }
          if (needsAuthorityFix(fields)) return relay();
        }
      }
      off = end;
      if (firstBlockSeen && (ack || !settingsSent)) return native();
    }
    if (buf.length > peekBytes) return giveUp();
    if (!settingsSent) {
      // No whole request yet: the client may be waiting for the server's SETTINGS.
      conn.write(emptySettings());
      settingsSent = true;
    }
  };

  const timer = setTimeout(() => {
    if (!done) giveUp();
  }, opts.peekMs ?? 3000);
  timer.unref?.();
  conn.on('data', onData);
  conn.on('error', onEnd); // stays: a no-op once handed over (node:http2 has its own by then)
  conn.on('close', onEnd);
  conn.resume();
}
