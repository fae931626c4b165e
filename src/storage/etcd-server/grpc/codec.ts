// Message codecs for etcd's gRPC methods, straight from protobufjs reflection of the same .proto
// files the client side loads (etcd-proto/load.ts).
//
// Hot methods (KV Range/Put/DeleteRange/Txn, Watch, LeaseKeepAlive) skip proto-loader's
// conversions: requests are protobufjs message instances (snake_case fields, int64 as Long, enums as
// numbers, defaults and oneof names on the prototype), which the etcd-proto converters read as they
// read proto-loader objects; responses are plain objects encoded as they are (int64 as number or
// decimal string, enums as numbers). Every other method converts exactly as proto-loader does
// (toObject with PROTO_LOADER_OPTIONS, fromObject before encoding), so its service code sees the
// same objects as before.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type protobufTypes from 'protobufjs';
import { etcdProtoDir, PROTO_LOADER_OPTIONS, type EtcdServiceName } from '../../etcd-proto/index.js';

export interface MethodCodec {
  /** Full gRPC path, e.g. /etcdserverpb.KV/Range. */
  path: string;
  service: EtcdServiceName;
  method: string;
  requestStream: boolean;
  responseStream: boolean;
  decode(buf: Buffer): object;
  encode(msg: object): Uint8Array;
}

const HOT = new Set(['KV/Range', 'KV/Put', 'KV/DeleteRange', 'KV/Txn', 'Watch/Watch', 'Lease/LeaseKeepAlive']);

const toObjectOptions: protobufTypes.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

type Protobuf = typeof protobufTypes;

/**
 * protobufjs as @grpc/proto-loader (the client side, left external by the build) loads it: with
 * Node's require it finds Buffer and Long, so bytes decode to Buffers and int64 exactly (lease ids
 * are 63-bit). The copy bundled into dist/keelson.cjs for Kubernetes' protobuf runs without them
 * (numbers and Uint8Arrays), and its global configuration is not ours to change.
 */
function loadProtobuf(): Protobuf {
  const require = createRequire(import.meta.url);
  const fromLoader = createRequire(require.resolve('@grpc/proto-loader'));
  return fromLoader('protobufjs') as Protobuf;
}

let root: protobufTypes.Root | undefined;

/** The etcd protos (rpc.proto and its imports) as protobufjs reflection, loaded once. */
export function etcdRoot(): protobufTypes.Root {
  if (root) return root;
  const dir = etcdProtoDir();
  const r = new (loadProtobuf().Root)();
  r.resolvePath = (_origin, target) => join(dir, target.replace(/^\.\//, ''));
  r.loadSync('rpc.proto', { keepCase: PROTO_LOADER_OPTIONS.keepCase });
  r.resolveAll();
  root = r;
  return r;
}

/** Codecs of every method of one etcd service. */
export function serviceCodecs(service: EtcdServiceName): MethodCodec[] {
  const svc = etcdRoot().lookupService(`etcdserverpb.${service}`);
  return svc.methodsArray.map((m) => {
    m.resolve();
    const req = m.resolvedRequestType as protobufTypes.Type;
    const res = m.resolvedResponseType as protobufTypes.Type;
    const hot = HOT.has(`${service}/${m.name}`);
    return {
      path: `/etcdserverpb.${service}/${m.name}`,
      service,
      method: m.name,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      decode: hot ? (buf: Buffer) => req.decode(buf) : (buf: Buffer) => req.toObject(req.decode(buf), toObjectOptions),
      encode: hot ? (msg: object) => res.encode(msg).finish() : (msg: object) => res.encode(res.fromObject(msg)).finish(),
    };
  });
}
