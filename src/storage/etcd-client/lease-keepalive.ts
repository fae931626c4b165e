// Lease keep-alives over one LeaseKeepAlive bidi stream per store: each call sends the lease id and
// takes the next answer for that id (etcd answers in order). The stream is opened on first use
// and re-opened (on the current endpoint) after it breaks.

import * as grpc from '@grpc/grpc-js';
import { StoreError } from '../errors.js';
import {
  grpcErrorToStoreError,
  leaseKeepAliveResponseFromPb,
  type LeaseKeepAliveResult,
  type PbLeaseKeepAliveResponse,
} from '../etcd-proto/index.js';
import type { Connection } from './connection.js';

interface Pending {
  resolve: (r: LeaseKeepAliveResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class LeaseKeepAliver {
  private stream?: grpc.ClientDuplexStream<unknown, PbLeaseKeepAliveResponse>;
  private readonly pending = new Map<string, Pending[]>();

  constructor(private readonly conn: Connection) {}

  keepAlive(id: bigint): Promise<LeaseKeepAliveResult> {
    this.conn.checkOpen();
    const key = id.toString();
    return new Promise<LeaseKeepAliveResult>((resolve, reject) => {
      const p: Pending = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const q = this.pending.get(key);
          const i = q?.indexOf(p) ?? -1;
          if (q && i >= 0) q.splice(i, 1);
          reject(new StoreError('DEADLINE_EXCEEDED', 'etcd client: lease keep-alive timed out'));
        }, this.conn.requestTimeoutMs),
      };
      const q = this.pending.get(key) ?? [];
      q.push(p);
      this.pending.set(key, q);
      this.ensureStream().write({ ID: key });
    });
  }

  private ensureStream() {
    if (this.stream) return this.stream;
    const endpointIdx = this.conn.currentIndex();
    const client = this.conn.clients().Lease as unknown as {
      LeaseKeepAlive(md: grpc.Metadata): grpc.ClientDuplexStream<unknown, PbLeaseKeepAliveResponse>;
    };
    const stream = client.LeaseKeepAlive(new grpc.Metadata());
    this.stream = stream;
    stream.on('data', (msg: PbLeaseKeepAliveResponse) => {
      const r = leaseKeepAliveResponseFromPb(msg);
      const q = this.pending.get(r.id.toString());
      const p = q?.shift();
      if (q && q.length === 0) this.pending.delete(r.id.toString());
      if (p) {
        clearTimeout(p.timer);
        p.resolve(r);
      }
    });
    const broken = (err?: grpc.ServiceError) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      if (err?.code === grpc.status.UNAVAILABLE) this.conn.failover(endpointIdx);
      const e = err ? grpcErrorToStoreError(err) : new StoreError('UNAVAILABLE', 'etcd client: lease keep-alive stream ended');
      for (const q of this.pending.values())
        for (const p of q) {
          clearTimeout(p.timer);
          p.reject(e);
        }
      this.pending.clear();
    };
    stream.on('error', broken);
    stream.on('end', () => broken());
    return stream;
  }

  close() {
    const s = this.stream;
    this.stream = undefined;
    for (const q of this.pending.values())
      for (const p of q) {
        clearTimeout(p.timer);
        p.reject(new StoreError('CANCELLED', 'etcd client: the store is closed'));
      }
    this.pending.clear();
    if (s) {
      s.end();
      s.cancel();
    }
  }
}
