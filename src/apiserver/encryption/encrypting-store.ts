// A Store that encrypts values on the way in and decrypts them on the way out (kube's etcd3
// store with its per-resource transformer), so everything above it (get, list, watch, the
// watch cache, CRD and allocation readers) sees plaintext and the store below (embedded or a
// real etcd, and etcdctl against it) holds `k8s:enc:<provider>:v1:<key>:...` values. The
// storage key is the authenticated data. A value that cannot be decrypted is passed up marked
// failed (stored-value.ts) rather than thrown, so one bad object never breaks a whole watch.
// Divergence: txn compares on VALUE see ciphertext (the apiserver never compares values).
import type { DeleteRangeResponse, Event, KeyValue, PutRequest, RangeRequest, RangeResponse, RequestOp, ResponseOp, SnapshotServerTables, Store, TxnRequest, TxnResponse, WatchRequest, WatchResponse } from '../../storage/store.js';
import type { Transformer } from './transformer.js';
import { markFailed, markStale } from './stored-value.js';

/** The transformer for a storage key, or undefined to store it as is. */
export type TransformerForKey = (key: Buffer) => Transformer | undefined;

export class EncryptingStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly transformerFor: TransformerForKey,
  ) {}

  private seal(key: Buffer, value: Buffer): Buffer {
    const t = this.transformerFor(key);
    return t ? t.toStorage(value, key) : value;
  }

  private open(kv: KeyValue): KeyValue;
  private open(kv: KeyValue | undefined): KeyValue | undefined;
  private open(kv: KeyValue | undefined): KeyValue | undefined {
    if (!kv || kv.value.length === 0) return kv;
    const t = this.transformerFor(kv.key);
    if (!t) return kv;
    try {
      const r = t.fromStorage(kv.value, kv.key);
      const out = { ...kv, value: r.data };
      return r.stale ? markStale(out) : out;
    } catch (e) {
      return markFailed(kv, e);
    }
  }

  private openRange(r: RangeResponse, req: RangeRequest): RangeResponse {
    if (req.keysOnly || req.countOnly || r.kvs.length === 0) return r;
    return { ...r, kvs: r.kvs.map((kv) => this.open(kv)) };
  }

  private openDelete(r: DeleteRangeResponse): DeleteRangeResponse {
    return r.prevKvs.length ? { ...r, prevKvs: r.prevKvs.map((kv) => this.open(kv)) } : r;
  }

  private sealOp(op: RequestOp): RequestOp {
    if ('requestPut' in op) return { requestPut: this.sealPut(op.requestPut) };
    if ('requestTxn' in op) return { requestTxn: this.sealTxn(op.requestTxn) };
    return op;
  }

  private sealPut(p: PutRequest): PutRequest {
    return p.ignoreValue ? p : { ...p, value: this.seal(p.key, p.value) };
  }

  private sealTxn(t: TxnRequest): TxnRequest {
    return { compare: t.compare, success: t.success.map((o) => this.sealOp(o)), failure: t.failure.map((o) => this.sealOp(o)) };
  }

  private openOps(ops: RequestOp[], responses: ResponseOp[]): ResponseOp[] {
    return responses.map((r, i) => {
      const op = ops[i];
      if ('responseRange' in r) return { responseRange: this.openRange(r.responseRange, op && 'requestRange' in op ? op.requestRange : { key: Buffer.alloc(0) }) };
      if ('responsePut' in r) return r.responsePut.prevKv ? { responsePut: { ...r.responsePut, prevKv: this.open(r.responsePut.prevKv) } } : r;
      if ('responseDeleteRange' in r) return { responseDeleteRange: this.openDelete(r.responseDeleteRange) };
      const nested = op && 'requestTxn' in op ? op.requestTxn : undefined;
      return { responseTxn: this.openTxn(r.responseTxn, nested) };
    });
  }

  private openTxn(r: TxnResponse, req: TxnRequest | undefined): TxnResponse {
    const ops = req ? (r.succeeded ? req.success : req.failure) : [];
    return { ...r, responses: this.openOps(ops, r.responses) };
  }

  async range(req: RangeRequest): Promise<RangeResponse> {
    return this.openRange(await this.inner.range(req), req);
  }

  async put(req: PutRequest) {
    const r = await this.inner.put(this.sealPut(req));
    return r.prevKv ? { ...r, prevKv: this.open(r.prevKv) } : r;
  }

  async deleteRange(req: Parameters<Store['deleteRange']>[0]) {
    return this.openDelete(await this.inner.deleteRange(req));
  }

  async txn(req: TxnRequest): Promise<TxnResponse> {
    return this.openTxn(await this.inner.txn(this.sealTxn(req)), req);
  }

  watch(req: WatchRequest, listener: (resp: WatchResponse) => void) {
    return this.inner.watch(req, (resp) => {
      if (!resp.events.length) return listener(resp);
      const events: Event[] = resp.events.map((e) => ({ type: e.type, kv: this.open(e.kv), prevKv: this.open(e.prevKv) }));
      listener({ ...resp, events });
    });
  }

  compact(req: Parameters<Store['compact']>[0]) {
    return this.inner.compact(req);
  }
  leaseGrant(ttl: number, id?: bigint) {
    return this.inner.leaseGrant(ttl, id);
  }
  leaseRevoke(id: bigint) {
    return this.inner.leaseRevoke(id);
  }
  leaseKeepAlive(id: bigint) {
    return this.inner.leaseKeepAlive(id);
  }
  leaseTimeToLive(id: bigint, keys?: boolean) {
    return this.inner.leaseTimeToLive(id, keys);
  }
  leaseLeases() {
    return this.inner.leaseLeases();
  }
  status() {
    return this.inner.status();
  }
  snapshot(tables?: SnapshotServerTables) {
    return this.inner.snapshot(tables);
  }
  hashKV(revision?: number) {
    return this.inner.hashKV(revision);
  }
  defragment() {
    return this.inner.defragment();
  }
  alarms() {
    return this.inner.alarms();
  }
  alarmDisarm(alarm: Parameters<Store['alarmDisarm']>[0]) {
    return this.inner.alarmDisarm(alarm);
  }
  close() {
    return this.inner.close();
  }
}
