// Loads etcd's v3 gRPC API (rpc.proto, kv.proto, auth.proto as shipped by the `etcd3` npm package)
// with @grpc/proto-loader, once per process.
//
// Options are the ones every keelson gRPC peer uses, so message objects look the same everywhere:
// keepCase (snake_case field names, as the .proto), longs as decimal strings, enums as the
// .proto's names (e.g. 'Ascend', 'NotEqual'; numbers are accepted when encoding), defaults
// filled in on decode, and oneofs with a virtual field naming the member that is set
// (`request: 'request_put'`, `target_union: 'version'`, `request_union: 'create_request'`).
//
// Note: etcd3's copies of the protos spell enum values in CamelCase (Ascend, Nodelete, Put);
// etcd's own protos use upper case (ASCEND, NODELETE, PUT). Names never go on the wire, only
// numbers, so both interoperate; the converters accept either spelling.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Directory holding rpc.proto, kv.proto and auth.proto (inside the installed `etcd3` package). */
export function etcdProtoDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('etcd3/package.json')), 'proto');
}

export type EtcdServiceName = 'KV' | 'Watch' | 'Lease' | 'Maintenance' | 'Cluster' | 'Auth';
export const ETCD_SERVICE_NAMES: readonly EtcdServiceName[] = ['KV', 'Watch', 'Lease', 'Maintenance', 'Cluster', 'Auth'];

export interface EtcdProto {
  /** The raw package definition (every message and service, keyed by full name). */
  packageDefinition: protoLoader.PackageDefinition;
  /** Service definitions to pass to `grpc.Server.addService` (etcdserverpb.<Name>). */
  services: Record<EtcdServiceName, grpc.ServiceDefinition>;
  /** Client constructors: `new clients.KV(address, credentials, options)`. */
  clients: Record<EtcdServiceName, grpc.ServiceClientConstructor>;
}

let cached: EtcdProto | undefined;

/** Load (once) and return etcd's v3 services. */
export function loadEtcdProto(): EtcdProto {
  if (cached) return cached;
  const packageDefinition = protoLoader.loadSync(['rpc.proto'], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [etcdProtoDir()],
  });
  const pkg = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    etcdserverpb: Record<string, grpc.ServiceClientConstructor>;
  };
  const services = {} as Record<EtcdServiceName, grpc.ServiceDefinition>;
  const clients = {} as Record<EtcdServiceName, grpc.ServiceClientConstructor>;
  for (const name of ETCD_SERVICE_NAMES) {
    services[name] = packageDefinition[`etcdserverpb.${name}`] as grpc.ServiceDefinition;
    clients[name] = pkg.etcdserverpb[name];
    if (!services[name] || !clients[name]) throw new Error(`etcd proto: service "etcdserverpb.${name}" not found`);
  }
  cached = { packageDefinition, services, clients };
  return cached;
}
