// etcd's gRPC gateway on the client port: `curl -X POST http://127.0.0.1:2379/v3/kv/range -d
// '{"key":"Zm9v"}'`. Each POST under /v3/ (or /v3beta/) becomes a gRPC call to this server (through
// LoopbackClient, so it runs through the same services, auth and limits as any gRPC client) and
// its answer is written back as JSON (json.ts), as etcd 3.4's grpc-gateway writes it:
// - unary methods: the response object, or {"error","message","code"} with the HTTP status
//   grpc-gateway maps the gRPC code to;
// - streams (/v3/watch, /v3/lease/keepalive, /v3/maintenance/snapshot): the request body is a
//   stream of JSON objects; every response is written as a line {"result": {...}}, a failed call
//   ends with {"error": {"grpc_code","http_code","message","http_status"}}.
// The HTTP Authorization header travels as the call's `authorization` metadata (etcd takes a
// token from it). Unknown paths: 404 "Not Found"; other methods than POST: 405.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { Code, type GrpcStatus, GrpcStatusError } from '../grpc/status.js';
import { fromJson, toJson } from './json.js';
import { JsonValueSplitter } from './json-stream.js';
import { LoopbackClient } from './loopback.js';
import { gatewayRoutes, type GatewayRoute } from './routes.js';

export interface GatewayServer {
  serves(grpcPath: string): boolean;
  connection(conn: Duplex): void;
}

const HEADERS = {
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Origin': '*',
  'Content-Type': 'application/json',
  'Grpc-Metadata-Content-Type': 'application/grpc',
};

/** grpc-gateway v1's HTTPStatusFromCode. */
const HTTP_STATUS: Record<number, number> = {
  [Code.OK]: 200,
  [Code.CANCELLED]: 408,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 412,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

const httpStatus = (code: number): number => HTTP_STATUS[code] ?? 500;

/** A JSON body that does not parse, in Go's encoding/json words. */
function syntaxError(text: string, e: unknown): GrpcStatusError {
  const at = /position (\d+)/.exec(String(e));
  const pos = at ? Number(at[1]) : text.length;
  if (pos >= text.length) return new GrpcStatusError(Code.INVALID_ARGUMENT, 'unexpected EOF');
  const before = text.slice(0, pos).trimEnd();
  const last = before[before.length - 1];
  const inObject = last === '{' || (last === ',' && before.lastIndexOf('{') > before.lastIndexOf('['));
  const c = text[pos];
  return new GrpcStatusError(
    Code.INVALID_ARGUMENT,
    `invalid character '${c}' ${inObject ? 'looking for beginning of object key string' : 'looking for beginning of value'}`,
  );
}

/**
 * The text with every integer literal of more than 15 digits quoted, so that JSON.parse keeps it
 * exact (lease and member ids are 63/64-bit; Go reads them exactly); json.ts takes quoted integers.
 */
export function quoteLongIntegers(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![.eE\d])/g, (m) => (m[0] === '"' ? m : `"${m}"`));
}

/** One JSON request object as the route's request message (bytes ready to send). */
function encodeRequest(route: GatewayRoute, text: string): Uint8Array {
  let v: unknown = {};
  if (text.trim() !== '') {
    try {
      v = JSON.parse(quoteLongIntegers(text));
    } catch (e) {
      throw syntaxError(text, e);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    const kind = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'boolean' ? 'bool' : typeof v;
    if (v !== null) throw new GrpcStatusError(Code.INVALID_ARGUMENT, `json: cannot unmarshal ${kind} into Go value of type map[string]json.RawMessage`);
    v = {};
  }
  return route.request.encode(fromJson(route.request, v as Record<string, unknown>)).finish();
}

function errorBody(st: GrpcStatus): string {
  return JSON.stringify({ error: st.details, message: st.details, code: st.code });
}

function streamError(st: GrpcStatus): string {
  const hc = httpStatus(st.code);
  return `${JSON.stringify({ error: { grpc_code: st.code, http_code: hc, message: st.details, http_status: http.STATUS_CODES[hc] ?? '' } })}\n`;
}

function asStatus(e: unknown): GrpcStatus {
  return e instanceof GrpcStatusError ? e : { code: Code.UNKNOWN, details: String(e) };
}

export class Gateway {
  private routes: Map<string, GatewayRoute> | null = null;
  private readonly client: LoopbackClient;

  constructor(
    private readonly server: () => GatewayServer,
    private readonly maxBodyBytes: number,
  ) {
    this.client = new LoopbackClient((conn) => this.server().connection(conn));
  }

  /** Handles the request if its path is the gateway's (/v3/..., /v3beta/...); answers whether it did. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean {
    const m = /^\/v3(?:beta)?(\/.*)$/.exec(path);
    if (!m) return false;
    this.routes ??= gatewayRoutes((p) => this.server().serves(p));
    const route = this.routes.get(`/v3${m[1]}`);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not Found\n');
      return true;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(200, HEADERS);
      res.end();
      return true;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed\n');
      return true;
    }
    const metadata: Record<string, string> = {};
    if (typeof req.headers.authorization === 'string') metadata.authorization = req.headers.authorization;
    if (route.requestStream) this.bidi(route, req, res, metadata);
    else this.unary(route, req, res, metadata);
    return true;
  }

  close(): void {
    this.client.close();
  }

  /** Unary and server-streaming methods: one request object from the whole body. */
  private unary(route: GatewayRoute, req: http.IncomingMessage, res: http.ServerResponse, metadata: Record<string, string>): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.maxBodyBytes) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return this.fail(res, { code: Code.RESOURCE_EXHAUSTED, details: `grpc: received message larger than max (${size} vs. ${this.maxBodyBytes})` });
      let msg: Uint8Array;
      try {
        msg = encodeRequest(route, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return this.fail(res, asStatus(e));
      }
      if (route.responseStream) return this.serverStream(route, msg, res, metadata);
      let reply: Buffer | undefined;
      const call = this.client.call(route.grpcPath, metadata, {
        message: (b) => {
          reply ??= b;
        },
        done: (st) => {
          if (st.code !== Code.OK) return this.fail(res, st);
          try {
            const body = JSON.stringify(toJson(route.response, route.response.decode(reply ?? Buffer.alloc(0))));
            res.writeHead(200, HEADERS);
            res.end(body);
          } catch (e) {
            this.fail(res, asStatus(e));
          }
        },
      });
      call.send(msg);
      call.end();
      res.on('close', () => call.cancel());
    });
  }

  private fail(res: http.ServerResponse, st: GrpcStatus): void {
    if (res.headersSent) return void res.end();
    res.writeHead(httpStatus(st.code), HEADERS);
    res.end(errorBody(st));
  }

  private serverStream(route: GatewayRoute, msg: Uint8Array, res: http.ServerResponse, metadata: Record<string, string>): void {
    const call = this.client.call(route.grpcPath, metadata, this.streamOut(route, res));
    res.on('close', () => call.cancel());
    call.send(msg);
    call.end();
  }

  /** Bidi streams: request objects as they arrive in the body, results as they come. */
  private bidi(route: GatewayRoute, req: http.IncomingMessage, res: http.ServerResponse, metadata: Record<string, string>): void {
    const call = this.client.call(route.grpcPath, metadata, this.streamOut(route, res));
    let failed = false;
    const split = new JsonValueSplitter((text) => {
      if (failed) return;
      try {
        call.send(encodeRequest(route, text));
      } catch (e) {
        // grpc-gateway answers a request it cannot read with the error, as code Unknown.
        failed = true;
        const st = asStatus(e);
        if (!res.headersSent) res.writeHead(200, HEADERS);
        res.end(errorBody({ code: Code.UNKNOWN, details: st.details }));
        call.cancel();
      }
    });
    req.setEncoding('utf8');
    req.on('data', (c: string) => split.push(c));
    req.on('end', () => {
      if (!failed) call.end();
    });
    res.on('close', () => call.cancel());
  }

  private streamOut(route: GatewayRoute, res: http.ServerResponse): { message(b: Buffer): void; done(st: GrpcStatus): void } {
    const head = () => {
      if (res.headersSent) return;
      res.writeHead(200, HEADERS);
      res.flushHeaders();
    };
    return {
      message: (b) => {
        head();
        res.write(`${JSON.stringify({ result: toJson(route.response, route.response.decode(b)) })}\n`);
      },
      done: (st) => {
        head();
        if (st.code !== Code.OK && st.code !== Code.CANCELLED) res.write(streamError(st));
        res.end();
      },
    };
  }
}
