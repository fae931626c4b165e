// All watches of one store multiplexed on one Watch bidi stream, as etcd's clientv3 does.
//
// Creates are sent one at a time: etcd answers each with `created` and the id it picked, in
// order, so the head of the queue owns the next `created` reply (this works with any etcd 3.x
// server, including ones that ignore client-chosen ids). Progress requests are answered on the
// stream with watch id -1; the answer goes to the watcher that asked (oldest request first).
// When the stream breaks, every live watcher is re-created on the next endpoint from the
// revision after the last one it has seen, so no event is lost or repeated; a watcher whose
// resume revision was compacted meanwhile gets the usual canceled response with compactRevision.

import * as grpc from '@grpc/grpc-js';
import type { WatchRequest, WatchResponse, Watcher } from '../store.js';
import { watchRequestToPb, watchResponseFromPb, type PbWatchResponse } from '../etcd-proto/index.js';
import { logger } from '../../util/log.js';
import type { Connection } from './connection.js';
import { StoreError } from '../errors.js';

const log = logger('etcd-client');

interface ActiveWatch {
  req: WatchRequest;
  listener: (resp: WatchResponse) => void;
  /** Server id on the current stream, once created. */
  id?: number;
  /** Revision to resume from after a reconnect (0 = "now", before the first creation). */
  resumeRev: number;
  canceled: boolean;
  created: boolean;
  onCreated?: () => void;
  onFailed?: (err: Error) => void;
  /** Events of a fragmented revision collected so far. */
  fragments?: WatchResponse['events'];
}

export class WatchMux {
  private stream?: grpc.ClientDuplexStream<unknown, PbWatchResponse>;
  private readonly byId = new Map<number, ActiveWatch>();
  private readonly queue: ActiveWatch[] = [];
  private awaiting?: ActiveWatch;
  private readonly progressWaiters: ActiveWatch[] = [];
  private reconnectTimer?: NodeJS.Timeout;
  private backoffMs = 0;
  private closed = false;

  constructor(private readonly conn: Connection) {}

  watch(req: WatchRequest, listener: (resp: WatchResponse) => void): Promise<Watcher> {
    this.conn.checkOpen();
    const w: ActiveWatch = { req, listener, resumeRev: req.startRevision ?? 0, canceled: false, created: false };
    const created = new Promise<void>((resolve, reject) => {
      w.onCreated = resolve;
      w.onFailed = reject;
    });
    this.queue.push(w);
    this.pump();
    const watcher: Watcher = {
      cancel: () => this.cancel(w),
      requestProgress: () => this.requestProgress(w),
    };
    return created.then(() => watcher);
  }

  private ensureStream(): grpc.ClientDuplexStream<unknown, PbWatchResponse> {
    if (this.stream) return this.stream;
    const client = this.conn.clients().Watch as unknown as {
      Watch(md: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientDuplexStream<unknown, PbWatchResponse>;
    };
    const md = new grpc.Metadata();
    md.set('hasleader', 'true');
    const endpointIdx = this.conn.currentIndex();
    const stream = client.Watch(md);
    this.stream = stream;
    stream.on('data', (msg: PbWatchResponse) => {
      if (this.stream === stream) {
        this.backoffMs = 0;
        this.onMessage(msg);
      }
    });
    const broken = (err?: grpc.ServiceError) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      if (this.closed) return;
      log.warn({ endpoint: this.conn.endpoints[endpointIdx]?.url, err: err?.message }, 'watch stream broken; re-creating watchers');
      if (!err || err.code === grpc.status.UNAVAILABLE) this.conn.failover(endpointIdx);
      this.scheduleReconnect();
    };
    stream.on('error', broken);
    stream.on('end', () => broken());
    return stream;
  }

  private scheduleReconnect() {
    // Everything live goes back to the queue, in creation order, with its resume revision.
    const live = new Set<ActiveWatch>();
    for (const w of this.byId.values()) if (!w.canceled) live.add(w);
    if (this.awaiting && !this.awaiting.canceled) live.add(this.awaiting);
    this.byId.clear();
    this.awaiting = undefined;
    this.progressWaiters.length = 0;
    const requeue = [...live].map((w) => {
      w.id = undefined;
      w.fragments = undefined;
      return w;
    });
    this.queue.unshift(...requeue);
    if (this.queue.length === 0) return;
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 50), 2000);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.pump(), this.backoffMs);
  }

  private pump() {
    if (this.closed || this.awaiting) return;
    while (this.queue.length && this.queue[0].canceled) this.queue.shift();
    const w = this.queue.shift();
    if (!w) return;
    this.awaiting = w;
    const stream = this.ensureStream();
    const create = { ...w.req, startRevision: w.resumeRev || undefined };
    stream.write(watchRequestToPb({ create, watchId: 0, fragment: true }));
  }

  private onMessage(msg: PbWatchResponse) {
    const { response, watchId, created, fragment } = watchResponseFromPb(msg);
    if (created) {
      const w = this.awaiting;
      this.awaiting = undefined;
      if (w) {
        w.id = watchId;
        if (!w.created) {
          w.created = true;
          // A watch "from now" resumes after the revision current at creation.
          if (!w.resumeRev) w.resumeRev = response.header.revision + 1;
          w.onCreated?.();
        }
        if (response.canceled) {
          this.deliver(w, response);
          w.canceled = true;
        } else if (w.canceled) {
          this.stream?.write(watchRequestToPb({ cancel: { watchId } }));
        } else {
          this.byId.set(watchId, w);
        }
      }
      this.pump();
      return;
    }
    if (watchId === -1 && response.events.length === 0 && !response.canceled) {
      // Answer to a progress request: to the oldest watcher that asked.
      let w = this.progressWaiters.shift();
      while (w && w.canceled) w = this.progressWaiters.shift();
      if (w) this.deliver(w, response);
      return;
    }
    const w = this.byId.get(watchId);
    if (!w) return;
    if (fragment) {
      (w.fragments ??= []).push(...response.events);
      return;
    }
    if (w.fragments) {
      response.events = [...w.fragments, ...response.events];
      w.fragments = undefined;
    }
    if (response.events.length) w.resumeRev = response.events[response.events.length - 1].kv.modRevision + 1;
    if (response.canceled) {
      this.byId.delete(watchId);
      this.deliver(w, response);
      w.canceled = true;
      return;
    }
    this.deliver(w, response);
  }

  private deliver(w: ActiveWatch, resp: WatchResponse) {
    if (w.canceled) return;
    try {
      w.listener(resp);
    } catch (err) {
      log.error({ err }, 'watch listener threw');
    }
  }

  private cancel(w: ActiveWatch) {
    if (w.canceled) return;
    w.canceled = true;
    if (w.id !== undefined && this.byId.get(w.id) === w) {
      this.byId.delete(w.id);
      this.stream?.write(watchRequestToPb({ cancel: { watchId: w.id } }));
    }
    // Queued: dropped by pump. Awaiting `created`: canceled when it arrives.
  }

  private requestProgress(w: ActiveWatch) {
    if (w.canceled || this.closed) return;
    if (!this.stream || w.id === undefined) {
      // Not on a stream right now: answer after (re)creation would be wrong about ordering;
      // the watcher resumes anyway, so a progress answer is not owed here.
      return;
    }
    this.progressWaiters.push(w);
    this.stream.write(watchRequestToPb({ progress: true }));
  }

  close() {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const closedErr = new StoreError('CANCELLED', 'etcd client: the store is closed');
    for (const w of [...this.queue, ...(this.awaiting ? [this.awaiting] : [])]) if (!w.created) w.onFailed?.(closedErr);
    for (const w of this.byId.values()) w.canceled = true;
    for (const w of this.queue) w.canceled = true;
    if (this.awaiting) this.awaiting.canceled = true;
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      s.end();
      s.cancel();
    }
  }
}
