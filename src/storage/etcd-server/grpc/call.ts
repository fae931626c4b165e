// One gRPC call on one HTTP/2 stream, server side: response headers, length-prefixed messages, the
// final status (as trailers, or as a trailers-only response when nothing was sent), the deadline
// from grpc-timeout, and what happens when the client goes away (RST_STREAM, connection lost).
//
// UnaryCall is deliberately not an EventEmitter and allocates nothing per call beyond the stream's
// own listeners: it is the hot path (KV Range/Put/...). StreamCall adds the events the streaming
// services use: 'data' (a request message), 'end' (the client half-closed), 'cancelled' (the call
// ended without the service ending it: client gone, deadline, bad input), 'drain'.
import { EventEmitter } from 'node:events';
import type http2 from 'node:http2';
import type { MethodCodec } from './codec.js';
import { FramedMessage, frameMessage } from './framing.js';
import { Code, statusHeaders, type GrpcStatus } from './status.js';

/** What a service may read about the call it serves. */
export interface CallContext {
  readonly headers: http2.IncomingHttpHeaders;
  readonly session: http2.ServerHttp2Session | undefined;
}

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };
const OK_TRAILERS = { 'grpc-status': '0', 'grpc-message': '' };
/** Node adds a Date header unless told not to (gRPC servers send none). */
const WITH_TRAILERS = { waitForTrailers: true, sendDate: false } as http2.ServerStreamResponseOptions;
const TRAILERS_ONLY = { endStream: true, sendDate: false } as http2.ServerStreamResponseOptions;

/** The stream can take no more frames (reset, closed, or destroyed). */
function gone(s: http2.ServerHttp2Stream): boolean {
  return s.destroyed || s.closed;
}

export class UnaryCall implements CallContext {
  readonly session: http2.ServerHttp2Session | undefined;
  /** Byte size of the request message (etcd's --max-request-bytes check). */
  size = 0;
  /** The call has its final status (sent, or the stream is gone). */
  done = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly stream: http2.ServerHttp2Stream,
    readonly headers: http2.IncomingHttpHeaders,
    readonly codec: MethodCodec,
  ) {
    this.session = stream.session as http2.ServerHttp2Session | undefined;
  }

  /** Fail with DEADLINE_EXCEEDED after ms (grpc-timeout). */
  deadline(ms: number): void {
    this.timer = setTimeout(() => {
      this.onDeadline();
      this.finish({ code: Code.DEADLINE_EXCEEDED, details: 'context deadline exceeded' });
    }, ms);
  }

  protected onDeadline(): void {}

  /** The stream closed (client reset it, or the connection is gone). */
  closed(): void {
    if (this.done) return;
    this.done = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  protected get responded(): boolean {
    return this.stream.headersSent;
  }

  protected respond(): void {
    this.stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
  }

  /** Encode and frame a response message; an encoder failure ends the call as grpc-go would. */
  protected frame(msg: object): Buffer | undefined {
    if (msg instanceof FramedMessage) return msg.bytes;
    try {
      return frameMessage(this.codec.encode(msg));
    } catch (e) {
      this.finish({ code: Code.INTERNAL, details: `grpc: error while marshaling: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    }
  }

  /** Send the single response message and the OK status. */
  reply(msg: object): void {
    if (this.done) return;
    const buf = this.frame(msg);
    if (!buf || this.done) return;
    this.done = true;
    this.clear();
    const s = this.stream;
    if (gone(s)) return;
    try {
      if (!this.responded) this.respond();
      s.once('wantTrailers', () => s.sendTrailers(OK_TRAILERS));
      s.end(buf);
    } catch {
      // The stream closed under us (a reset being processed): nobody is left to answer.
    }
  }

  /** End the call with a status (no further messages). */
  finish(st: GrpcStatus): void {
    if (this.done) return;
    this.done = true;
    this.clear();
    const s = this.stream;
    if (gone(s)) return;
    try {
      if (!this.responded) {
        s.respond({ ...RESPONSE_HEADERS, ...statusHeaders(st) }, TRAILERS_ONLY);
        return;
      }
      s.once('wantTrailers', () => s.sendTrailers(statusHeaders(st)));
      s.end();
    } catch {
      // As in reply(): the stream is already closed.
    }
  }
}

export class StreamCall extends UnaryCall {
  readonly events = new EventEmitter();
  /** The request of a server-streaming call (Maintenance.Snapshot). */
  request: object | undefined;

  constructor(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, codec: MethodCodec) {
    super(stream, headers, codec);
    stream.on('drain', () => this.events.emit('drain'));
  }

  on(event: 'data', fn: (msg: any) => void): this;
  on(event: 'end' | 'cancelled' | 'drain', fn: () => void): this;
  on(event: string, fn: (...args: any[]) => void): this {
    this.events.on(event, fn);
    return this;
  }

  once(event: 'end' | 'cancelled' | 'drain', fn: () => void): this {
    this.events.once(event, fn);
    return this;
  }

  off(event: 'data' | 'end' | 'cancelled' | 'drain', fn: (...args: any[]) => void): this {
    this.events.off(event, fn);
    return this;
  }

  get cancelled(): boolean {
    return this.done;
  }

  /**
   * Send one message; `cb` runs once HTTP/2 took it (flow control permitting). Returns false when
   * the stream's buffer is full ('drain' follows), as Writable.write.
   */
  write(msg: object, cb?: (err?: Error | null) => void): boolean {
    if (this.done || gone(this.stream)) {
      cb?.(new Error('call ended'));
      return false;
    }
    const buf = this.frame(msg);
    if (!buf) {
      cb?.(new Error('call ended'));
      return false;
    }
    try {
      if (!this.responded) this.respond();
      return this.stream.write(buf, cb);
    } catch (e) {
      cb?.(e as Error);
      return false;
    }
  }

  /**
   * A message framed for the wire, to be sent later with writeFramed (undefined: the encoder
   * failed and the call ended).
   */
  encode(msg: object): Buffer | undefined {
    return this.frame(msg);
  }

  /**
   * Send bytes holding whole framed messages (several may be joined, to go out as one write);
   * `cb` and the return value as write().
   */
  writeFramed(bytes: Buffer, cb?: (err?: Error | null) => void): boolean {
    return this.write(new FramedMessage(bytes), cb);
  }

  /** End the call with OK. */
  end(): void {
    this.finish({ code: Code.OK, details: '' });
  }

  /** End the call with an error status (the service gave up on it). */
  fail(st: GrpcStatus): void {
    this.finish(st);
  }

  /** The transport ends the call for the service: tell the service. */
  abort(st?: GrpcStatus): void {
    if (this.done) return;
    if (st) this.finish(st);
    else this.closed();
    this.events.emit('cancelled');
  }

  override closed(): void {
    if (this.done) return;
    super.closed();
    this.events.emit('cancelled');
  }

  protected override onDeadline(): void {
    queueMicrotask(() => this.events.emit('cancelled'));
  }
}
