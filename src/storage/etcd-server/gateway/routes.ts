// The gateway's routes: the HTTP bindings etcd declares on its gRPC methods in rpc.proto
// (`option (google.api.http) = { post: "/v3/kv/range" body: "*" }`, plus additional_bindings such
// as /v3/kv/lease/revoke), served under /v3/ and, as etcd 3.4 still does, /v3beta/.
import type protobufTypes from 'protobufjs';
import { etcdRoot } from '../grpc/codec.js';

export interface GatewayRoute {
  /** The gRPC path, e.g. /etcdserverpb.KV/Range. */
  grpcPath: string;
  request: protobufTypes.Type;
  response: protobufTypes.Type;
  requestStream: boolean;
  responseStream: boolean;
}

const SERVICES = ['KV', 'Watch', 'Lease', 'Cluster', 'Maintenance', 'Auth'];

/** HTTP path (under /v3) -> route, for the methods `served` says the server implements. */
export function gatewayRoutes(served: (grpcPath: string) => boolean): Map<string, GatewayRoute> {
  const routes = new Map<string, GatewayRoute>();
  const root = etcdRoot();
  for (const name of SERVICES) {
    const svc = root.lookupService(`etcdserverpb.${name}`);
    for (const m of svc.methodsArray) {
      const grpcPath = `/etcdserverpb.${name}/${m.name}`;
      if (!served(grpcPath)) continue;
      m.resolve();
      const route: GatewayRoute = {
        grpcPath,
        request: m.resolvedRequestType as protobufTypes.Type,
        response: m.resolvedResponseType as protobufTypes.Type,
        requestStream: !!m.requestStream,
        responseStream: !!m.responseStream,
      };
      const o = m.options ?? {};
      for (const key of ['(google.api.http).post', '(google.api.http).additional_bindings.post']) {
        const p = o[key] as string | undefined;
        // Two methods share /v3/maintenance/hash (Hash and HashKV): the first declared (Hash) is
        // the one etcd's gateway serves.
        if (typeof p === 'string' && !routes.has(p)) routes.set(p, route);
      }
    }
  }
  return routes;
}
