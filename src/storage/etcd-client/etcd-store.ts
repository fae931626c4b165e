// Store over a real etcd cluster through the etcd v3 gRPC API.

import * as grpc from '@grpc/grpc-js';
import type {
  AlarmMember,
  AlarmType,
  Bytes,
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  LeaseGrantResponse,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  StatusResponse,
  Store,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
  Watcher,
} from '../store.js';
import {
  AlarmActionEnum,
  AlarmTypeEnum,
  alarmResponseFromPb,
  compactionRequestToPb,
  deleteRangeRequestToPb,
  deleteRangeResponseFromPb,
  grpcErrorToStoreError,
  hashKVResponseFromPb,
  headerOnlyResponseFromPb,
  i64,
  leaseGrantResponseFromPb,
  leaseLeasesResponseFromPb,
  leaseTimeToLiveResponseFromPb,
  putRequestToPb,
  putResponseFromPb,
  rangeRequestToPb,
  rangeResponseFromPb,
  statusResponseFromPb,
  txnRequestToPb,
  txnResponseFromPb,
  type PbAlarmResponse,
  type PbDeleteRangeResponse,
  type PbHashKVResponse,
  type PbLeaseGrantResponse,
  type PbLeaseLeasesResponse,
  type PbLeaseTimeToLiveResponse,
  type PbPutResponse,
  type PbRangeResponse,
  type PbResponseHeader,
  type PbSnapshotResponse,
  type PbStatusResponse,
  type PbTxnResponse,
} from '../etcd-proto/index.js';
import { Connection } from './connection.js';
import { LeaseKeepAliver } from './lease-keepalive.js';
import { WatchMux } from './watch-stream.js';

export class EtcdStore implements Store {
  private readonly watches: WatchMux;
  private readonly keepAlives: LeaseKeepAliver;

  constructor(private readonly conn: Connection) {
    this.watches = new WatchMux(conn);
    this.keepAlives = new LeaseKeepAliver(conn);
  }

  async range(req: RangeRequest): Promise<RangeResponse> {
    return rangeResponseFromPb(await this.conn.unary<PbRangeResponse>('KV', 'Range', rangeRequestToPb(req)));
  }

  async put(req: PutRequest): Promise<PutResponse> {
    return putResponseFromPb(await this.conn.unary<PbPutResponse>('KV', 'Put', putRequestToPb(req)));
  }

  async deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return deleteRangeResponseFromPb(await this.conn.unary<PbDeleteRangeResponse>('KV', 'DeleteRange', deleteRangeRequestToPb(req)));
  }

  async txn(req: TxnRequest): Promise<TxnResponse> {
    return txnResponseFromPb(await this.conn.unary<PbTxnResponse>('KV', 'Txn', txnRequestToPb(req)));
  }

  async compact(req: CompactionRequest): Promise<{ header: ResponseHeader }> {
    // A physical compaction waits for the disk: allow it more than a plain request.
    const timeout = req.physical ? Math.max(this.conn.requestTimeoutMs, 60_000) : undefined;
    const res = await this.conn.unary<{ header?: PbResponseHeader }>('KV', 'Compact', compactionRequestToPb(req), timeout);
    return headerOnlyResponseFromPb(res);
  }

  async watch(req: WatchRequest, listener: (resp: WatchResponse) => void): Promise<Watcher> {
    return this.watches.watch(req, listener);
  }

  async leaseGrant(ttl: number, id: bigint = 0n): Promise<LeaseGrantResponse> {
    return leaseGrantResponseFromPb(await this.conn.unary<PbLeaseGrantResponse>('Lease', 'LeaseGrant', { TTL: i64(ttl), ID: i64(id) }));
  }

  async leaseRevoke(id: bigint): Promise<{ header: ResponseHeader }> {
    return headerOnlyResponseFromPb(await this.conn.unary<{ header?: PbResponseHeader }>('Lease', 'LeaseRevoke', { ID: i64(id) }));
  }

  async leaseKeepAlive(id: bigint): Promise<{ header: ResponseHeader; id: bigint; ttl: number }> {
    return this.keepAlives.keepAlive(id);
  }

  async leaseTimeToLive(id: bigint, keys = false): Promise<LeaseTimeToLiveResponse> {
    return leaseTimeToLiveResponseFromPb(
      await this.conn.unary<PbLeaseTimeToLiveResponse>('Lease', 'LeaseTimeToLive', { ID: i64(id), keys }),
    );
  }

  async leaseLeases(): Promise<{ header: ResponseHeader; leases: bigint[] }> {
    return leaseLeasesResponseFromPb(await this.conn.unary<PbLeaseLeasesResponse>('Lease', 'LeaseLeases', {}));
  }

  async status(): Promise<StatusResponse> {
    return statusResponseFromPb(await this.conn.unary<PbStatusResponse>('Maintenance', 'Status', {}));
  }

  /** etcd's own snapshot (a bbolt file followed by its sha256), streamed through as etcd sends it. */
  async *snapshot(): AsyncIterable<Bytes> {
    this.conn.checkOpen();
    const client = this.conn.clients().Maintenance as unknown as {
      Snapshot(req: unknown, md: grpc.Metadata): grpc.ClientReadableStream<PbSnapshotResponse>;
    };
    const stream = client.Snapshot({}, new grpc.Metadata());
    try {
      for await (const msg of stream as AsyncIterable<PbSnapshotResponse>) {
        if (msg.blob && msg.blob.length) yield msg.blob;
      }
    } catch (err) {
      throw grpcErrorToStoreError(err);
    } finally {
      stream.cancel();
    }
  }

  async hashKV(revision = 0): Promise<HashKVResponse> {
    return hashKVResponseFromPb(await this.conn.unary<PbHashKVResponse>('Maintenance', 'HashKV', { revision: i64(revision) }));
  }

  async defragment(): Promise<void> {
    await this.conn.unary('Maintenance', 'Defragment', {}, Math.max(this.conn.requestTimeoutMs, 60_000));
  }

  async alarms(): Promise<AlarmMember[]> {
    const res = await this.conn.unary<PbAlarmResponse>('Maintenance', 'Alarm', {
      action: AlarmActionEnum.toPb('GET'),
      memberID: '0',
      alarm: AlarmTypeEnum.toPb('NONE'),
    });
    return alarmResponseFromPb(res).alarms;
  }

  /** As etcdctl alarm disarm: deactivate each raised alarm of the type (NONE = every type); answers the ones disarmed. */
  async alarmDisarm(alarm: AlarmType): Promise<AlarmMember[]> {
    const disarmed: AlarmMember[] = [];
    for (const a of await this.alarms()) {
      if (alarm !== 'NONE' && a.alarm !== alarm) continue;
      const res = await this.conn.unary<PbAlarmResponse>('Maintenance', 'Alarm', {
        action: AlarmActionEnum.toPb('DEACTIVATE'),
        memberID: i64(a.memberId),
        alarm: AlarmTypeEnum.toPb(a.alarm),
      });
      disarmed.push(...alarmResponseFromPb(res).alarms);
    }
    return disarmed;
  }

  async close(): Promise<void> {
    if (this.conn.isClosed()) return;
    this.watches.close();
    this.keepAlives.close();
    this.conn.close();
  }
}
