// gRPC plumbing shared by the services: request decoding with size accounting and etcd's answer to
// malformed protobuf, unary handler wrapping (errors as etcd's code + message), auth info lookup.
import * as grpc from '@grpc/grpc-js';
import { StoreError, storeError } from '../errors.js';
import type { ServerContext } from './context.js';
import type { AuthInfo } from './auth-store.js';

/** Byte size of each decoded request message (for etcd's --max-request-bytes check). */
const sizes = new WeakMap<object, number>();
/** Requests whose bytes did not decode: the decoder's message. */
const malformed = new WeakMap<object, string>();

export function requestSize(req: object): number {
  return sizes.get(req) ?? 0;
}

export function malformedReason(req: object): string | undefined {
  return malformed.get(req);
}

/** A copy of a service definition whose request decoders record sizes and never throw. */
export function instrumentService(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const [name, m] of Object.entries(def) as Array<[string, grpc.MethodDefinition<object, object>]>) {
    const decode = m.requestDeserialize;
    out[name] = {
      ...m,
      requestDeserialize: (buf: Buffer) => {
        try {
          const obj = decode(buf);
          sizes.set(obj, buf.length);
          return obj;
        } catch (e) {
          const obj = {};
          malformed.set(obj, e instanceof Error ? e.message : String(e));
          return obj;
        }
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

/** The status etcd (grpc-go) gives a request whose protobuf does not decode. */
export function malformedError(reason: string): grpc.StatusObject {
  return status(grpc.status.INTERNAL, `grpc: error unmarshalling request: ${reason}`);
}

function status(code: grpc.status, details: string): grpc.StatusObject {
  return { code, details, metadata: new grpc.Metadata() };
}

/** Any thrown value as the gRPC status etcd would answer. */
export function toStatus(err: unknown): grpc.StatusObject {
  if (err instanceof StoreError) return status(err.grpcCode as grpc.status, err.message);
  if (err && typeof err === 'object' && 'code' in err && 'details' in err && typeof (err as grpc.StatusObject).code === 'number') {
    const st = err as grpc.StatusObject;
    return { code: st.code, details: st.details, metadata: st.metadata ?? new grpc.Metadata() };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return status(grpc.status.UNKNOWN, msg);
}

export interface CallInfo {
  metadata: grpc.Metadata;
  auth: AuthInfo | undefined;
}

/** A call's client certificate common name, when TLS verified one (etcd's AuthInfoFromTLS). */
function certCommonName(call: { getAuthContext?: () => { sslPeerCertificate?: { subject?: { CN?: unknown } } } } | undefined): string | undefined {
  try {
    const cert = call?.getAuthContext?.().sslPeerCertificate;
    const cn = cert?.subject?.CN;
    return typeof cn === 'string' && cn ? cn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The auth info of a call: from its `token`; else, with --client-cert-auth, the common name of its
 * verified client certificate (as etcd); else none. Invalid tokens fail as etcd.
 */
export function authInfoOf(ctx: ServerContext, metadata: grpc.Metadata, call?: { getAuthContext?: () => { sslPeerCertificate?: { subject?: { CN?: unknown } } } }): AuthInfo | undefined {
  const tok = metadata.get('token')[0] ?? metadata.get('authorization')[0];
  if (tok === undefined || tok === '') {
    if (!ctx.clientCertAuth || !ctx.auth.enabled) return undefined;
    const cn = certCommonName(call);
    return cn ? { username: cn } : undefined;
  }
  const info = ctx.auth.tokenInfo(String(tok));
  if (!info) {
    // etcd only validates tokens while auth is enabled.
    if (!ctx.auth.enabled) return undefined;
    throw storeError('InvalidAuthToken');
  }
  return info;
}

type UnaryFn<Req, Res> = (req: Req, info: CallInfo) => Promise<Res>;

/** A grpc-js unary handler around an async function; errors become etcd's statuses. */
export function unary<Req extends object, Res>(ctx: ServerContext, method: string, fn: UnaryFn<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const bad = malformedReason(call.request);
    if (bad !== undefined) {
      callback(malformedError(bad));
      return;
    }
    const started = performance.now();
    let info: CallInfo;
    try {
      info = { metadata: call.metadata, auth: authInfoOf(ctx, call.metadata, call) };
    } catch (e) {
      ctx.metrics.observe(method, started, e);
      callback(toStatus(e));
      return;
    }
    fn(call.request, info).then(
      (res) => {
        ctx.metrics.observe(method, started);
        callback(null, res);
      },
      (e: unknown) => {
        ctx.metrics.observe(method, started, e);
        if (!(e instanceof StoreError)) ctx.log.warn({ err: e, method }, 'request failed');
        callback(toStatus(e));
      },
    );
  };
}
