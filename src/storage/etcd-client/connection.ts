// Connections to the etcd endpoints: one gRPC channel per endpoint (shared by the KV, Watch,
// Lease and Maintenance clients), unary calls with a deadline, and failover: a call that fails
// because the endpoint is unreachable moves on to the next endpoint.

import * as grpc from '@grpc/grpc-js';
import { StoreError } from '../errors.js';
import { grpcErrorToStoreError, loadEtcdProto, type EtcdServiceName } from '../etcd-proto/index.js';
import { credentialsFor, type Endpoint, type TlsOptions } from './endpoints.js';

type Callback = (err: grpc.ServiceError | null, res: unknown) => void;
type UnaryFn = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => grpc.ClientUnaryCall;

/** The services a Store needs. */
type Svc = Extract<EtcdServiceName, 'KV' | 'Watch' | 'Lease' | 'Maintenance' | 'Cluster'>;
const SERVICES: Svc[] = ['KV', 'Watch', 'Lease', 'Maintenance', 'Cluster'];

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Ranges over a whole cluster can be large; etcd itself limits requests to 1.5 MiB.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // etcd's default --grpc-keepalive-min-time is 5 s; stay above it.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

class EndpointConn {
  readonly clients: Record<Svc, grpc.Client>;
  constructor(
    readonly endpoint: Endpoint,
    tls: TlsOptions,
  ) {
    const { clients } = loadEtcdProto();
    const creds = credentialsFor(endpoint, tls);
    const kv = new clients.KV(endpoint.address, creds, CHANNEL_OPTIONS);
    const channel = kv.getChannel();
    this.clients = { KV: kv } as unknown as Record<Svc, grpc.Client>;
    for (const s of SERVICES) {
      if (s !== 'KV') this.clients[s] = new clients[s](endpoint.address, creds, { ...CHANNEL_OPTIONS, channelOverride: channel });
    }
  }
  close() {
    for (const c of Object.values(this.clients)) c.close();
  }
}

export interface ConnectionOptions extends TlsOptions {
  /** How long `open` waits for the first endpoint to connect (default 5 s). */
  dialTimeoutMs?: number;
  /** Deadline of every unary request (default 10 s). */
  requestTimeoutMs?: number;
}

/** An error that says the endpoint could not serve the call (try another), not that etcd refused it. */
export function isTransportError(err: { code?: number; details?: string }): boolean {
  return err.code === grpc.status.UNAVAILABLE && !(err.details ?? '').startsWith('etcdserver:');
}

export class Connection {
  private readonly conns: EndpointConn[];
  private current = 0;
  private closed = false;
  readonly requestTimeoutMs: number;

  constructor(
    readonly endpoints: Endpoint[],
    private readonly opts: ConnectionOptions,
  ) {
    this.conns = endpoints.map((e) => new EndpointConn(e, opts));
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  /** Wait until one endpoint is connected (in order, starting with the first); it becomes current. */
  async dial(): Promise<void> {
    const deadline = Date.now() + (this.opts.dialTimeoutMs ?? 5_000);
    const errors: string[] = [];
    const attempts = this.conns.map(
      (c, i) =>
        new Promise<number>((resolve, reject) => {
          c.clients.KV.waitForReady(deadline, (err) => {
            if (err) {
              errors.push(`${c.endpoint.url}: ${err.message}`);
              reject(err);
            } else resolve(i);
          });
        }),
    );
    try {
      this.current = await Promise.any(attempts);
    } catch {
      this.close();
      throw new StoreError('UNAVAILABLE', `etcd client: no endpoint reachable within the dial timeout (${errors.join('; ')})`);
    }
  }

  /** The clients of the current endpoint. */
  clients(): Record<Svc, grpc.Client> {
    this.checkOpen();
    return this.conns[this.current].clients;
  }

  currentEndpoint(): Endpoint {
    return this.conns[this.current].endpoint;
  }

  /** Move to the next endpoint (after a transport failure on `from`). */
  failover(from: number = this.current): void {
    if (from === this.current && this.conns.length > 1) this.current = (this.current + 1) % this.conns.length;
  }

  currentIndex(): number {
    return this.current;
  }

  checkOpen(): void {
    if (this.closed) throw new StoreError('CANCELLED', 'etcd client: the store is closed');
  }

  /** A unary call with the request deadline; transport failures fail over to the next endpoint. */
  async unary<Res>(svc: Svc, method: string, req: unknown, timeoutMs = this.requestTimeoutMs): Promise<Res> {
    this.checkOpen();
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.conns.length; attempt++) {
      const idx = this.current;
      const client = this.conns[idx].clients[svc] as unknown as Record<string, UnaryFn>;
      try {
        return await new Promise<Res>((resolve, reject) => {
          client[method].call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) =>
            err ? reject(err) : resolve(res as Res),
          );
        });
      } catch (err) {
        lastErr = err;
        if (this.closed) throw new StoreError('CANCELLED', 'etcd client: the store is closed');
        if (!isTransportError(err as grpc.ServiceError)) throw grpcErrorToStoreError(err);
        this.failover(idx);
      }
    }
    throw grpcErrorToStoreError(lastErr);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.conns) c.close();
  }

  isClosed(): boolean {
    return this.closed;
  }
}
