// The gateway's gRPC client: like etcd's gateway, which dials its own server, it makes real gRPC
// calls (framed messages, metadata, grpc-status trailers) to keelson's GrpcServer, over one
// in-memory HTTP/2 connection instead of a socket.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { duplexPair } from '../../../util/duplex-pair.js';
import { frameMessage, MessageReader } from '../grpc/framing.js';
import { Code, type GrpcStatus } from '../grpc/status.js';

export interface LoopbackCall {
  /** Send one request message (already encoded). */
  send(msg: Uint8Array): void;
  /** No more request messages. */
  end(): void;
  /** Abandon the call (the HTTP client went away). */
  cancel(): void;
}

export interface CallHandlers {
  message(msg: Buffer): void;
  /** The call's status (OK included), once. */
  done(st: GrpcStatus): void;
}

const MAX_RECEIVE = 2 ** 31 - 1;

export class LoopbackClient {
  private session: http2.ClientHttp2Session | null = null;

  constructor(private readonly serve: (conn: Duplex) => void) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const [client, server] = duplexPair();
    this.serve(server);
    const s = http2.connect('http://localhost', { createConnection: () => client });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.session === s) this.session = null;
    });
    s.unref();
    this.session = s;
    return s;
  }

  /** Start a call of `path` with the given metadata (e.g. the auth token). */
  call(path: string, metadata: Record<string, string>, h: CallHandlers): LoopbackCall {
    const req = this.connect().request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...metadata,
    });
    let finished = false;
    const finish = (st: GrpcStatus): void => {
      if (finished) return;
      finished = true;
      h.done(st);
    };
    const reader = new MessageReader(MAX_RECEIVE, (_c, msg) => h.message(msg));
    let headers: http2.IncomingHttpHeaders = {};
    req.on('response', (hd) => {
      headers = hd;
    });
    req.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        finish({ code: Code.INTERNAL, details: String(e) });
        req.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    req.on('trailers', (t) => {
      headers = { ...headers, ...t };
    });
    req.on('end', () => finish(statusOf(headers)));
    req.on('close', () => finish(statusOf(headers)));
    req.on('error', (e) => finish({ code: Code.UNAVAILABLE, details: String(e) }));
    return {
      send: (msg) => {
        if (!req.closed) req.write(frameMessage(msg));
      },
      end: () => {
        if (!req.closed) req.end();
      },
      cancel: () => {
        finished = true;
        if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  close(): void {
    this.session?.destroy();
    this.session = null;
  }
}

function statusOf(h: http2.IncomingHttpHeaders): GrpcStatus {
  const code = Number(h['grpc-status'] ?? Code.UNKNOWN);
  const raw = String(h['grpc-message'] ?? '');
  let details = raw;
  try {
    details = decodeURIComponent(raw);
  } catch {
    // not percent-encoded
  }
  return { code: Number.isFinite(code) ? code : Code.UNKNOWN, details };
}
