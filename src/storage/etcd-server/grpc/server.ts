// A gRPC server on node:http2: routes each HTTP/2 stream by its :path to a method, reads
// length-prefixed request messages, and runs unary, server-streaming and bidi-streaming calls.
// Requests that are not gRPC (content-type other than application/grpc*) go to an HTTP handler,
// as etcd's mux does on its client port. Connections arrive already accepted (plain or TLS) from
// the client-port listener (listener.ts) through `connection()`.
//
// Answers to bad calls follow grpc-go 1.26 (etcd 3.4): unknown service or method and unsupported
// grpc-encoding are Unimplemented, oversize messages ResourceExhausted, undecodable ones Internal
// "grpc: error unmarshalling request: ...".
import http from 'node:http';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { MethodCodec } from './codec.js';
import { serveFixingAuthority } from './authority.js';
import { StreamCall, UnaryCall } from './call.js';
import { MessageReader } from './framing.js';
import { Code, GrpcStatusError, type GrpcStatus } from './status.js';
import { parseGrpcTimeout } from './timeout.js';

/** A unary method: the decoded request in, the response message out (or a thrown error). */
export type UnaryMethod = (req: any, call: UnaryCall) => Promise<object>;
/** A streaming method: gets the call (for server-streaming, once `call.request` is read). */
export type StreamMethod = (call: StreamCall) => void;
export type ServiceImplementation = Record<string, UnaryMethod | StreamMethod>;

export interface GrpcServerOptions {
  /** Largest request message accepted (grpc-go's MaxRecvMsgSize). */
  maxReceiveBytes: number;
  /** Maps a thrown error to the status the client gets. */
  toStatus(err: unknown): GrpcStatus;
  /** Serves non-gRPC HTTP/2 requests. */
  http(req: http.IncomingMessage, res: http.ServerResponse): void;
}

interface Route {
  codec: MethodCodec;
  fn: UnaryMethod | StreamMethod;
}

const COMPRESSED_WITHOUT_ENCODING = 'grpc: compressed flag set with identity or empty encoding';
const noop = () => {};

function malformed(e: unknown): GrpcStatus {
  return { code: Code.INTERNAL, details: `grpc: error unmarshalling request: ${e instanceof Error ? e.message : String(e)}` };
}

/** The request stream ended before a whole message: grpc-go answers with the io error as Unknown. */
function endedEarly(reader: MessageReader): GrpcStatus {
  return { code: Code.UNKNOWN, details: reader.partial ? 'unexpected EOF' : 'EOF' };
}

function asStatus(e: unknown): GrpcStatus {
  return e instanceof GrpcStatusError ? e : { code: Code.INTERNAL, details: String(e) };
}

export class GrpcServer {
  private readonly routes = new Map<string, Route>();
  private readonly serviceNames = new Set<string>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly h2: http2.Http2Server;

  constructor(private readonly opts: GrpcServerOptions) {
    // No limit on a session's buffered memory (as grpc-js): a watch stream whose client stopped
    // reading is bounded by the watch service itself, and nghttp2 would otherwise refuse new
    // streams on that connection.
    this.h2 = http2.createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER });
    this.h2.on('session', (s: http2.ServerHttp2Session) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
      s.on('error', noop);
    });
    this.h2.on('sessionError', noop);
    this.h2.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]) => this.onStream(stream, headers, raw));
  }

  addService(codecs: MethodCodec[], impl: ServiceImplementation): void {
    for (const codec of codecs) {
      const fn = impl[codec.method];
      if (!fn) continue; // unknown method: answered as grpc-go answers an unregistered one
      this.routes.set(codec.path, { codec, fn });
      this.serviceNames.add(`etcdserverpb.${codec.service}`);
    }
  }

  /** Whether a method is served at this gRPC path. */
  serves(path: string): boolean {
    return this.routes.has(path);
  }

  /** Serve an HTTP/2 connection (its first bytes are the client preface). */
  connection(conn: Duplex): void {
    serveFixingAuthority(conn, (c) => this.h2.emit('connection', c));
  }

  /** GOAWAY to every connection; after graceMs, close whatever is still open. */
  async close(graceMs: number): Promise<void> {
    const open = [...this.sessions];
    if (!open.length) return;
    await new Promise<void>((resolve) => {
      let left = open.length;
      const t = setTimeout(() => {
        for (const s of open) s.destroy();
        resolve();
      }, graceMs);
      t.unref();
      for (const s of open) {
        s.close(() => {
          if (--left === 0) {
            clearTimeout(t);
            resolve();
          }
        });
      }
    });
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, raw: string[]): void {
    stream.on('error', noop);
    const ct = headers['content-type'];
    if (typeof ct !== 'string' || !ct.startsWith('application/grpc')) {
      const req = new http2.Http2ServerRequest(stream, headers, {}, raw);
      const res = new http2.Http2ServerResponse(stream);
      this.opts.http(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse);
      return;
    }
    const path = headers[':path'] ?? '';
    const route = this.routes.get(path);
    if (!route) return this.refuse(stream, this.unknownMethod(path));
    const enc = headers['grpc-encoding'];
    if (enc !== undefined && enc !== 'identity') {
      return this.refuse(stream, { code: Code.UNIMPLEMENTED, details: `grpc: Decompressor is not installed for grpc-encoding ${JSON.stringify(enc)}` });
    }
    const timeout = headers['grpc-timeout'];
    let ms: number | undefined;
    if (typeof timeout === 'string') {
      ms = parseGrpcTimeout(timeout);
      if (ms === undefined) {
        // grpc-go's transport resets the stream (PROTOCOL_ERROR) on a malformed grpc-timeout.
        stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
        return;
      }
    }
    const { codec } = route;
    if (codec.requestStream || codec.responseStream) this.streaming(stream, headers, route, ms);
    else this.unary(stream, headers, route, ms);
  }

  /** grpc-go's answer to a path no method serves (a malformed one is ResourceExhausted there). */
  private unknownMethod(path: string): GrpcStatus {
    const sm = path.startsWith('/') ? path.slice(1) : path;
    const pos = sm.lastIndexOf('/');
    if (pos < 0) return { code: Code.RESOURCE_EXHAUSTED, details: `malformed method name: ${JSON.stringify(path)}` };
    const service = sm.slice(0, pos);
    if (!this.serviceNames.has(service)) return { code: Code.UNIMPLEMENTED, details: `unknown service ${service}` };
    return { code: Code.UNIMPLEMENTED, details: `unknown method ${sm.slice(pos + 1)} for service ${service}` };
  }

  private refuse(stream: http2.ServerHttp2Stream, st: GrpcStatus): void {
    const call = new UnaryCall(stream, {}, undefined as unknown as MethodCodec);
    call.finish(st);
    stream.resume(); // drain whatever the client still sends
  }

  private unary(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, route: Route, ms: number | undefined): void {
    const call = new UnaryCall(stream, headers, route.codec);
    const fn = route.fn as UnaryMethod;
    let got = false;
    const reader = new MessageReader(this.opts.maxReceiveBytes, (compressed, buf) => {
      if (got) return;
      got = true;
      if (compressed) return call.finish({ code: Code.INTERNAL, details: COMPRESSED_WITHOUT_ENCODING });
      let req: object;
      try {
        req = route.codec.decode(buf);
      } catch (e) {
        return call.finish(malformed(e));
      }
      call.size = buf.length;
      fn(req, call).then(
        (res) => call.reply(res),
        (e: unknown) => call.finish(this.opts.toStatus(e)),
      );
    });
    if (ms !== undefined) call.deadline(ms);
    stream.on('data', (chunk: Buffer) => {
      if (got) return;
      try {
        reader.push(chunk);
      } catch (e) {
        got = true;
        call.finish(asStatus(e));
      }
    });
    stream.on('end', () => {
      // grpc-go reads the one request message; a stream that ends without one gets its io error.
      if (!got) call.finish(endedEarly(reader));
    });
    stream.on('close', () => call.closed());
  }

  private streaming(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, route: Route, ms: number | undefined): void {
    const call = new StreamCall(stream, headers, route.codec);
    const fn = route.fn as StreamMethod;
    const { codec } = route;
    let started = false;
    const reader = new MessageReader(this.opts.maxReceiveBytes, (compressed, buf) => {
      if (call.done) return;
      if (compressed) return call.abort({ code: Code.INTERNAL, details: COMPRESSED_WITHOUT_ENCODING });
      let msg: object;
      try {
        msg = codec.decode(buf);
      } catch (e) {
        return call.abort(malformed(e));
      }
      if (!codec.requestStream) {
        // Server-streaming: the one request starts the call; later messages are ignored.
        if (started) return;
        started = true;
        call.request = msg;
        fn(call);
        return;
      }
      call.events.emit('data', msg);
    });
    if (ms !== undefined) call.deadline(ms);
    stream.on('data', (chunk: Buffer) => {
      if (call.done) return;
      try {
        reader.push(chunk);
      } catch (e) {
        call.abort(asStatus(e));
      }
    });
    stream.on('end', () => {
      if (call.done) return;
      // A reset (client cancel) also ends the readable side: that is a cancellation, not a half-close.
      if (stream.rstCode || stream.aborted) return call.closed();
      if (!codec.requestStream && !started) {
        call.abort(endedEarly(reader));
        return;
      }
      call.events.emit('end');
    });
    stream.on('close', () => call.closed());
    if (codec.requestStream) {
      started = true;
      fn(call);
    }
  }
}
