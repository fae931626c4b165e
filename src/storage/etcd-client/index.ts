// Store backed by a real etcd cluster (etcd v3 gRPC API): kube-apiserver's --etcd-servers mode.
//
//   const store = await openEtcdStore({ endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'],
//                                       ca: 'ca.crt', cert: 'client.crt', key: 'client.key' });
//
// - endpoints: http(s)://host:port, or host:port; a comma-separated string is split.
// - TLS: ca/cert/key are file paths or PEM text; https endpoints or a ca turn TLS on.
// - Failover: calls that find their endpoint unreachable move to the next one; watch and lease
//   keep-alive streams re-open on the next endpoint (watches resume at their next revision).
//   A request whose endpoint is unreachable (transport UNAVAILABLE, not an "etcdserver:" error)
//   is retried on the next endpoint; a write whose connection broke after etcd applied it can
//   therefore apply twice, as with etcd's clientv3: guard writes with txn compares where it
//   matters (kube-apiserver's create/update patterns do).
// - Every unary request has a deadline (requestTimeoutMs, default 10 s); a deadline is not retried.
// - Watches share one Watch stream per store (see watch-stream.ts); lease keep-alives share one
//   LeaseKeepAlive stream; snapshot() streams etcd's own snapshot (bbolt file + sha256) through.

import type { Store } from '../store.js';
import { Connection } from './connection.js';
import { parseEndpoints } from './endpoints.js';
import { EtcdStore } from './etcd-store.js';

export interface EtcdStoreOptions {
  endpoints: string[];
  /** CA bundle to verify the servers (path or PEM). */
  ca?: string;
  /** Client certificate for mutual TLS (path or PEM). */
  cert?: string;
  /** Client key (path or PEM). */
  key?: string;
  /** How long to wait for the first endpoint to connect (default 5000). */
  dialTimeoutMs?: number;
  /** Deadline of each unary request (default 10000). */
  requestTimeoutMs?: number;
}

export async function openEtcdStore(opts: EtcdStoreOptions): Promise<Store> {
  const conn = new Connection(parseEndpoints(opts.endpoints), opts);
  await conn.dial();
  return new EtcdStore(conn);
}

export { EtcdStore } from './etcd-store.js';
export { parseEndpoints } from './endpoints.js';
