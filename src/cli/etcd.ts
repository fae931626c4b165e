// `keelson etcd`: the embedded store served as a single-member etcd 3.4 (flags named as etcd's), and
// `keelson etcd snapshot restore FILE --data-dir D`.
import { InvalidArgumentError, type Command } from 'commander';
import { logger } from '../util/log.js';
import { parseDuration } from '../util/duration.js';
import { openMvccStore, restoreSnapshot } from '../storage/mvcc/index.js';
import { installRestoredAuth } from '../storage/etcd-server/snapshot-state.js';
import { startEtcdServer, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_TXN_OPS } from '../storage/etcd-server/index.js';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`invalid number ${JSON.stringify(v)}`);
  return n;
};
/** etcd's duration flags take Go durations ("100ms", "1s"); empty = the default. */
const goDuration = (v: string) => {
  if (v === '') return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
/** etcd's boolean flags take `--flag`, `--flag=true` or `--flag=false`. */
const bool = (v: string | boolean | undefined) => v === true || v === 'true' || v === '1';

interface EtcdFlags {
  name: string;
  dataDir?: string;
  listenClientUrls: string;
  advertiseClientUrls?: string;
  initialAdvertisePeerUrls?: string;
  listenPeerUrls?: string;
  quotaBackendBytes?: number;
  maxRequestBytes: number;
  maxTxnOps: number;
  backendBatchInterval?: number;
  backendBatchLimit?: number;
  certFile?: string;
  keyFile?: string;
  trustedCaFile?: string;
  clientCertAuth?: string | boolean;
  enableV2?: string | boolean;
  listenMetricsUrls?: string;
  restore?: string;
}

export function register(program: Command): void {
  const etcd = program
    .command('etcd')
    .description('serve the embedded store as a single-member etcd 3.4 (etcdctl and etcd clients work against it)')
    .option('--name <name>', 'human-readable name for this member', 'default')
    .option('--data-dir <dir>', 'path to the data directory (default "<name>.etcd")')
    .option('--listen-client-urls <urls>', 'comma-separated URLs to listen on for client traffic (http:// or https://)', 'http://localhost:2379')
    .option('--advertise-client-urls <urls>', 'comma-separated client URLs to advertise (default: the listen URLs)')
    .option('--initial-advertise-peer-urls <urls>', 'peer URLs shown by member list (no peer traffic is served)', 'http://localhost:2380')
    .option('--listen-peer-urls <urls>', 'accepted for compatibility; keelson serves no peer traffic')
    .option('--quota-backend-bytes <n>', 'raise an alarm when the backend size exceeds this (0 = default 2 GiB)', int)
    .option('--max-request-bytes <n>', 'maximum client request size in bytes', int, DEFAULT_MAX_REQUEST_BYTES)
    .option('--max-txn-ops <n>', 'maximum number of operations per txn', int, DEFAULT_MAX_TXN_OPS)
    .option('--backend-batch-interval <duration>', 'the maximum time before LMDB commits the writes the WAL holds (e.g. 100ms; default 100ms)', goDuration)
    .option('--backend-batch-limit <n>', 'the maximum writes before LMDB commits them (0 = default 10000)', int)
    .option('--cert-file <file>', 'path to the client server TLS cert file')
    .option('--key-file <file>', 'path to the client server TLS key file')
    .option('--trusted-ca-file <file>', 'path to the client server TLS trusted CA cert file')
    .option('--client-cert-auth [bool]', 'enable client cert authentication')
    .option('--enable-v2 [bool]', 'accept etcd v2 API requests')
    .option('--listen-metrics-urls <urls>', 'comma-separated URLs serving /metrics and /health')
    .option('--restore <file>', 'restore this snapshot into --data-dir before starting (when the data dir is empty)')
    .action(async (o: EtcdFlags) => {
      const log = logger('etcd');
      const dataDir = o.dataDir ?? `${o.name}.etcd`;
      if (o.restore) {
        try {
          await restore(o.restore, dataDir);
          log.info({ snapshot: o.restore, dataDir }, 'restored snapshot');
        } catch (e) {
          if (!/already holds a store/.test(String(e))) throw e;
          log.warn({ dataDir }, 'data dir already holds a store; --restore ignored');
        }
      }
      const store = await openMvccStore({
        dataDir,
        quotaBackendBytes: o.quotaBackendBytes,
        maxTxnOps: o.maxTxnOps,
        backendBatchIntervalMs: o.backendBatchInterval,
        backendBatchLimit: o.backendBatchLimit,
      });
      const tls = o.certFile && o.keyFile ? { certFile: o.certFile, keyFile: o.keyFile, trustedCaFile: o.trustedCaFile, clientCertAuth: bool(o.clientCertAuth) } : undefined;
      let srv;
      try {
        srv = await startEtcdServer({
          store,
          name: o.name,
          dataDir,
          listenClientUrls: list(o.listenClientUrls),
          advertiseClientUrls: o.advertiseClientUrls ? list(o.advertiseClientUrls) : undefined,
          advertisePeerUrls: o.initialAdvertisePeerUrls ? list(o.initialAdvertisePeerUrls) : undefined,
          maxRequestBytes: o.maxRequestBytes,
          maxTxnOps: o.maxTxnOps,
          tls,
          enableV2: bool(o.enableV2),
          listenMetricsUrls: o.listenMetricsUrls ? list(o.listenMetricsUrls) : undefined,
          log,
        });
      } catch (e) {
        await store.close();
        throw e;
      }
      log.info({ urls: srv.urls, dataDir }, 'ready to serve client requests');
      let stopping = false;
      const stop = (sig: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal: sig }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        void srv
          .close()
          .then(() => store.close())
          .then(
            () => process.exit(0),
            (e: unknown) => {
              log.error({ err: e }, 'shutdown failed');
              process.exit(1);
            },
          );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });

  etcd
    .command('snapshot')
    .description('snapshot operations')
    .command('restore <file>')
    .description('restore a snapshot (etcdctl snapshot save from keelson or from a real etcd) into a new data dir')
    .requiredOption('--data-dir <dir>', 'the data directory to create')
    .action(async (file: string, o: { dataDir: string }) => {
      await restore(file, o.dataDir);
      console.log(`Restored snapshot ${file} into ${o.dataDir}`);
    });
}

/** Restore the store, then the server-layer state an etcd snapshot carries (auth). */
async function restore(file: string, dataDir: string): Promise<void> {
  const server = await restoreSnapshot(file, dataDir);
  if (server) installRestoredAuth(dataDir, server);
}
