// What every service of the etcd front end shares: the store, identity, limits, auth, logs, metrics.
import type { Logger } from '../../util/log.js';
import { registry, prom } from '../../util/metrics.js';
import { StoreError } from '../errors.js';
import type { ResponseHeader, Store } from '../store.js';
import type { AuthStore } from './auth-store.js';
import type { Members } from './members.js';

export interface ServerMetrics {
  observe(method: string, startedMs: number, err?: unknown): void;
  /** observe() for one method, with its metric children looked up once (the unary hot path). */
  observer(method: string): (startedMs: number, err?: unknown) => void;
  watchers: { inc(n?: number): void; dec(n?: number): void };
}

export interface ServerContext {
  store: Store;
  auth: AuthStore;
  members: Members;
  log: Logger;
  metrics: ServerMetrics;
  clusterId: bigint;
  memberId: bigint;
  /** etcd's --max-request-bytes (writes larger than this fail with "request is too large"). */
  maxRequestBytes: number;
  /** etcd's --client-cert-auth: a verified client certificate's CN is the user when no token is sent. */
  clientCertAuth: boolean;
  /** etcd's --max-txn-ops. */
  maxTxnOps: number;
  /** A header with the store's current revision (for replies that carry no store header). */
  header(): Promise<ResponseHeader>;
}

function metricOnce<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function serverMetrics(): ServerMetrics {
  const handled = metricOnce(
    'grpc_server_handled_total',
    () =>
      new prom.Counter({
        name: 'grpc_server_handled_total',
        help: 'Total number of RPCs completed on the server, regardless of success or failure.',
        labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'],
        registers: [registry],
      }),
  );
  const latency = metricOnce(
    'keelson_etcd_request_duration_seconds',
    () =>
      new prom.Histogram({
        name: 'keelson_etcd_request_duration_seconds',
        help: 'Latency of unary etcd gRPC requests.',
        labelNames: ['grpc_method'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      }),
  );
  const watchers = metricOnce(
    'etcd_debugging_mvcc_watcher_total',
    () => new prom.Gauge({ name: 'etcd_debugging_mvcc_watcher_total', help: 'Total number of watchers.', registers: [registry] }),
  );
  const codeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
  const observer = (method: string) => {
    const [service, name] = method.split('/');
    const byCode = new Map<number, { inc(): void }>();
    const counter = (code: number) => {
      let c = byCode.get(code);
      if (!c) {
        c = handled.labels({ grpc_type: 'unary', grpc_service: `etcdserverpb.${service}`, grpc_method: name, grpc_code: codeNames[code] ?? 'Unknown' });
        byCode.set(code, c);
      }
      return c;
    };
    const hist = latency.labels({ grpc_method: name });
    return (startedMs: number, err?: unknown) => {
      const code = err === undefined ? 0 : err instanceof StoreError ? err.grpcCode : 2;
      counter(code).inc();
      hist.observe((performance.now() - startedMs) / 1000);
    };
  };
  return {
    observe(method, startedMs, err) {
      observer(method)(startedMs, err);
    },
    observer,
    watchers: { inc: (n = 1) => watchers.inc(n), dec: (n = 1) => watchers.dec(n) },
  };
}
