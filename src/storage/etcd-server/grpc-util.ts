// What the services share on top of the gRPC transport (grpc/): errors as etcd's statuses, the
// auth info of a call (token header or client certificate), and the unary method wrapper (auth,
// metrics, error logging).
import type http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { StoreError, storeError } from '../errors.js';
import type { ServerContext } from './context.js';
import type { AuthInfo } from './auth-store.js';
import type { CallContext, UnaryCall } from './grpc/call.js';
import type { UnaryMethod } from './grpc/server.js';
import { connectionSocket } from './grpc/authority-relay.js';
import { Code, type GrpcStatus } from './grpc/status.js';

/** Any thrown value as the gRPC status etcd would answer. */
export function toStatus(err: unknown): GrpcStatus {
  if (err instanceof StoreError) return { code: err.grpcCode, details: err.message };
  if (err && typeof err === 'object' && 'code' in err && 'details' in err && typeof (err as GrpcStatus).code === 'number') {
    const st = err as GrpcStatus;
    return { code: st.code, details: String(st.details) };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: Code.UNKNOWN, details: msg };
}

export interface CallInfo {
  call: UnaryCall;
  auth: AuthInfo | undefined;
  /** Byte size of the request message. */
  size: number;
}

/** Common name of the verified client certificate of each TLS connection ('' = none). */
const peerNames = new WeakMap<http2.ServerHttp2Session, string>();

/** A connection's client certificate common name, when TLS verified one (etcd's AuthInfoFromTLS). */
function certCommonName(session: http2.ServerHttp2Session | undefined): string | undefined {
  if (!session) return undefined;
  let cn = peerNames.get(session);
  if (cn === undefined) {
    cn = '';
    try {
      const sock = connectionSocket(session.socket) as TLSSocket;
      if (typeof sock.getPeerCertificate === 'function' && sock.authorized) {
        const v = sock.getPeerCertificate()?.subject?.CN;
        if (typeof v === 'string') cn = v;
      }
    } catch {}
    peerNames.set(session, cn);
  }
  return cn || undefined;
}

function header(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/**
 * The auth info of a call: from its `token` metadata; else, with --client-cert-auth, the common
 * name of its verified client certificate (as etcd); else none. Invalid tokens fail as etcd.
 */
export function authInfoOf(ctx: ServerContext, call: CallContext): AuthInfo | undefined {
  const tok = header(call.headers.token) ?? header(call.headers.authorization);
  if (tok === undefined || tok === '') {
    if (!ctx.clientCertAuth || !ctx.auth.enabled) return undefined;
    const cn = certCommonName(call.session);
    return cn ? { username: cn } : undefined;
  }
  const info = ctx.auth.tokenInfo(tok);
  // etcd 3.4 refuses an unknown token even while auth is disabled (Unauthenticated
  // "etcdserver: invalid auth token"; seen with a raw call to a real etcd).
  if (!info) throw storeError('InvalidAuthToken');
  return info;
}

type UnaryFn<Req, Res> = (req: Req, info: CallInfo) => Promise<Res>;

/** A unary method around an async function: auth info, metrics, and unexpected errors logged. */
export function unary<Req extends object, Res>(ctx: ServerContext, method: string, fn: UnaryFn<Req, Res>): UnaryMethod {
  const observe = ctx.metrics.observer(method);
  return async (req: Req, call: UnaryCall) => {
    const started = performance.now();
    try {
      const res = await fn(req, { call, auth: authInfoOf(ctx, call), size: call.size });
      observe(started);
      return res as object;
    } catch (e) {
      observe(started, e);
      if (!(e instanceof StoreError)) ctx.log.warn({ err: e, method }, 'request failed');
      throw e;
    }
  };
}
