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
import http2 from 'node:http2';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { logger, type Logger } from '../../util/log.js';
import { loadEtcdProto } from '../etcd-proto/index.js';
import type { Store } from '../store.js';
import { AuthStore } from './auth-store.js';
import { authService } from './auth-service.js';
import { clusterService } from './cluster-service.js';
import { serverMetrics, type ServerContext } from './context.js';
import { instrumentService } from './grpc-util.js';
import { httpHandler, type V2Handler } from './http-handler.js';
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

/**
 * HTTP/2 requests that are not gRPC (e.g. curl over TLS, which picks h2 by ALPN) reach grpc-js'
 * HTTP/2 server, which would refuse them; hand them to the HTTP handler instead, as etcd's mux does.
 * Relies on grpc-js keeping its HTTP/2 servers in `http2Servers` (true for 1.10-1.14); without it,
 * such requests get grpc-js' own answer and nothing else changes.
 */
function serveNonGrpcHttp2(server: grpc.Server, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, log: Logger): void {
  const servers = (server as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
  const h2 = servers ? [...servers.keys()].pop() : undefined;
  if (!h2) {
    log.debug('grpc-js internals not found: HTTP/2 non-gRPC requests are not served');
    return;
  }
  const grpcListeners = h2.listeners('stream') as Array<(...args: unknown[]) => void>;
  h2.removeAllListeners('stream');
  h2.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
    const ct = headers['content-type'];
    if (typeof ct === 'string' && ct.startsWith('application/grpc')) {
      for (const l of grpcListeners) l.call(h2, stream, headers, flags, rawHeaders);
      return;
    }
    const req = new http2.Http2ServerRequest(stream, headers, {}, rawHeaders);
    const res = new http2.Http2ServerResponse(stream);
    handler(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse);
  });
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
    auth: new AuthStore(file('keelson-etcd-auth.json')),
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

  const proto = loadEtcdProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': ctx.maxRequestBytes + GRPC_OVERHEAD_BYTES,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_permit_without_calls': 1,
  });
  server.addService(instrumentService(proto.services.KV), kvService(ctx));
  server.addService(instrumentService(proto.services.Watch), watchService(ctx));
  server.addService(instrumentService(proto.services.Lease), leaseService(ctx));
  server.addService(instrumentService(proto.services.Maintenance), maintenanceService(ctx));
  server.addService(instrumentService(proto.services.Cluster), clusterService(ctx));
  server.addService(instrumentService(proto.services.Auth), authService(ctx));
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());

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
  const handler = httpHandler(store, v2h);
  const http1 = http.createServer(handler);
  http1.keepAliveTimeout = 30_000;
  serveNonGrpcHttp2(server, handler, log);

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
      listeners.push(await listenClientUrl(u, { grpc: (c) => injector.injectConnection(c), http1 }, tlsFiles));
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
        injector.drain(1000);
        await Promise.all([...listeners, ...metricsListeners].map((l) => l.close()));
        http1.closeAllConnections();
        v2?.close();
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 1000);
          t.unref();
          server.tryShutdown(() => {
            clearTimeout(t);
            resolve();
          });
        });
        injector.destroy();
      })();
      return closed;
    },
  };
}
