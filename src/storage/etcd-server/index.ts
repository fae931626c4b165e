// The etcd v3 front end: serves any Store over etcd's gRPC API (KV, Watch, Lease, Maintenance,
// Cluster, Auth) plus /health, /version, /metrics and (optionally) the v2 API on the same ports,
// so the real etcdctl and etcd client libraries work against keelson.
//
//   const srv = await startEtcdServer({ store, listenClientUrls: ['http://127.0.0.1:2379'] });
//   ... srv.urls ...
//   await srv.close();   // the store stays open: its owner closes it
//
// State of the front end itself (auth users/roles, added members, the v2 keyspace) lives in
// files under `dataDir` when given, in memory otherwise.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { logger, type Logger } from '../../util/log.js';
import type { Store } from '../store.js';
import { AuthStore } from './auth-store.js';
import { AUTH_STATE_FILE } from './snapshot-state.js';
import { authService } from './auth-service.js';
import { clusterService } from './cluster-service.js';
import { serverMetrics, type ServerContext } from './context.js';
import { toStatus } from './grpc-util.js';
import { serviceCodecs } from './grpc/codec.js';
import { GrpcServer } from './grpc/server.js';
import { httpHandler, type V2Handler } from './http-handler.js';
import { Gateway } from './gateway/handler.js';
import { kvService } from './kv-service.js';
import { leaseService } from './lease-service.js';
import { listenClientUrl, type BoundListener, type TlsFiles } from './listener.js';
import { maintenanceService } from './maintenance-service.js';
import { Members } from './members.js';
import { v2Handler, V2Store } from './v2/index.js';
import { watchService } from './watch-service.js';

export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
export const DEFAULT_MAX_TXN_OPS = 128;
/** grpc-go's allowance for message framing on top of --max-request-bytes (etcd's grpcOverheadBytes). */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface EtcdServerOptions {
  store: Store;
  /** http:// or https:// URLs; port 0 picks a free port (see the returned `urls`). */
  listenClientUrls: string[];
  /** URLs reported by MemberList (default: the listening URLs). */
  advertiseClientUrls?: string[];
  /** Peer URLs reported by MemberList (keelson has no peer port; etcd's default is shown). */
  advertisePeerUrls?: string[];
  /** Member name (default "default", as etcd). */
  name?: string;
  /** Where the front end keeps auth, membership and v2 state (memory only when absent). */
  dataDir?: string;
  maxRequestBytes?: number;
  maxTxnOps?: number;
  /** TLS for https:// URLs: PEM file paths; clientCertAuth requires a client cert signed by trustedCaFile. */
  tls?: { certFile: string; keyFile: string; trustedCaFile?: string; clientCertAuth?: boolean };
  /** Serve the v2 API under /v2 (etcd's --enable-v2). */
  enableV2?: boolean;
  /** Extra plain-HTTP URLs serving /metrics and /health (etcd's --listen-metrics-urls). */
  listenMetricsUrls?: string[];
  log?: Logger;
}

export interface EtcdServer {
  /** The listening client URLs (ports resolved). */
  urls: string[];
  metricsUrls: string[];
  close(): Promise<void>;
}

function idFrom(...parts: string[]): bigint {
  return createHash('sha1').update(parts.join('\0')).digest().readBigUInt64BE(0);
}

export async function startEtcdServer(opts: EtcdServerOptions): Promise<EtcdServer> {
  const log = opts.log ?? logger('etcd-server');
  const { store } = opts;
  const name = opts.name ?? 'default';
  const st = await store.status();
  const memberId = st.header.memberId || idFrom('member', name);
  const clusterId = st.header.clusterId || idFrom('cluster', memberId.toString());
  const file = (f: string) => (opts.dataDir ? join(opts.dataDir, f) : undefined);

  const ctx: ServerContext = {
    store,
    auth: new AuthStore(file(AUTH_STATE_FILE)),
    members: undefined as unknown as Members, // set below, once the advertised URLs are known
    log,
    metrics: serverMetrics(),
    clusterId,
    memberId,
    maxRequestBytes: opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    maxTxnOps: opts.maxTxnOps ?? DEFAULT_MAX_TXN_OPS,
    clientCertAuth: !!opts.tls?.clientCertAuth,
    header: async () => (await store.range({ key: Buffer.from([0]), countOnly: true })).header,
  };


  let v2: V2Store | undefined;
  let v2h: V2Handler | undefined;
  if (opts.enableV2) {
    v2 = new V2Store(file('keelson-etcd-v2.json'));
    v2h = v2Handler(v2, {
      clusterId,
      members: () => ctx.members.list(),
      self: () => ({ name, id: memberId }),
    });
  }
  // etcd's JSON gateway (/v3/kv/range ...): gRPC calls to `server` below.
  const gateway = new Gateway(() => server, 2 * ctx.maxRequestBytes + GRPC_OVERHEAD_BYTES);
  const handler = httpHandler(store, v2h, (req, res, path) => gateway.handle(req, res, path));
  const http1 = http.createServer(handler);
  http1.keepAliveTimeout = 30_000;
  // gRPC and non-gRPC HTTP/2 requests share the HTTP/2 connections (as etcd's mux).
  const server = new GrpcServer({ maxReceiveBytes: ctx.maxRequestBytes + GRPC_OVERHEAD_BYTES, toStatus, http: handler });
  server.addService(serviceCodecs('KV'), kvService(ctx));
  server.addService(serviceCodecs('Watch'), watchService(ctx));
  server.addService(serviceCodecs('Lease'), leaseService(ctx));
  server.addService(serviceCodecs('Maintenance'), maintenanceService(ctx));
  server.addService(serviceCodecs('Cluster'), clusterService(ctx));
  server.addService(serviceCodecs('Auth'), authService(ctx));

  let tlsFiles: TlsFiles | undefined;
  if (opts.tls) {
    tlsFiles = {
      cert: readFileSync(opts.tls.certFile),
      key: readFileSync(opts.tls.keyFile),
      ca: opts.tls.trustedCaFile ? readFileSync(opts.tls.trustedCaFile) : undefined,
      clientCertAuth: opts.tls.clientCertAuth,
    };
  }

  const listeners: BoundListener[] = [];
  const metricsListeners: BoundListener[] = [];
  try {
    for (const u of opts.listenClientUrls) {
      listeners.push(await listenClientUrl(u, { grpc: (c) => server.connection(c), http1 }, tlsFiles));
    }
    if (opts.listenMetricsUrls?.length) {
      const metricsHttp = http.createServer(httpHandler(store));
      for (const u of opts.listenMetricsUrls) {
        metricsListeners.push(await listenClientUrl(u, { grpc: (c) => c.destroy(), http1: metricsHttp }));
      }
    }
  } catch (e) {
    for (const l of [...listeners, ...metricsListeners]) await l.close();
    throw e;
  }
  const urls = listeners.map((l) => l.url);
  ctx.members = new Members(
    { id: memberId, name, clientUrls: opts.advertiseClientUrls?.length ? opts.advertiseClientUrls : urls, peerUrls: opts.advertisePeerUrls ?? ['http://localhost:2380'] },
    file('keelson-etcd-members.json'),
  );
  log.info({ urls, name, memberId: memberId.toString(16), v2: !!opts.enableV2 }, 'serving etcd v3 API');

  let closed: Promise<void> | undefined;
  return {
    urls,
    metricsUrls: metricsListeners.map((l) => l.url),
    close() {
      closed ??= (async () => {
        gateway.close();
        const draining = server.close(1000);
        await Promise.all([...listeners, ...metricsListeners].map((l) => l.close()));
        http1.closeAllConnections();
        v2?.close();
        await draining;
      })();
      return closed;
    },
  };
}
