// etcdserverpb.KV: Range, Put, DeleteRange, Txn, Compact over any Store, with etcd's request
// checks (empty key, txn op count, request size) and auth permission checks.
import type { ServiceImplementation } from './grpc/server.js';
import { compactionRequestFromPb, deleteRangeRequestFromPb, headerOnlyResponseToPb, putRequestFromPb, rangeRequestFromPb, txnRequestFromPb } from '../etcd-proto/index.js';
import type { PbCompactionRequest, PbDeleteRangeRequest, PbPutRequest, PbRangeRequest, PbTxnRequest } from '../etcd-proto/index.js';
import { storeError } from '../errors.js';
import type { RequestOp, TxnRequest } from '../store.js';
import type { AuthInfo } from './auth-store.js';
import type { ServerContext } from './context.js';
import { unary } from './grpc-util.js';
import { encodeDeleteRangeResponse, encodePutResponse, encodeRangeResponse, encodeTxnResponse } from './response-encoders.js';

function checkSize(ctx: ServerContext, size: number): void {
  if (size > ctx.maxRequestBytes) throw storeError('RequestTooLarge');
}

/** etcd's checkRequestOp / checkTxnRequest (v3rpc/key.go), before anything reaches the store. */
function checkTxn(ctx: ServerContext, t: TxnRequest): void {
  if (t.compare.length > ctx.maxTxnOps || t.success.length > ctx.maxTxnOps || t.failure.length > ctx.maxTxnOps) throw storeError('TooManyOps');
  for (const c of t.compare) if (c.key.length === 0) throw storeError('EmptyKey');
  for (const op of [...t.success, ...t.failure]) checkOp(ctx, op);
}

function checkOp(ctx: ServerContext, op: RequestOp): void {
  if ('requestRange' in op) {
    if (op.requestRange.key.length === 0) throw storeError('EmptyKey');
  } else if ('requestPut' in op) {
    if (op.requestPut.key.length === 0) throw storeError('EmptyKey');
  } else if ('requestDeleteRange' in op) {
    if (op.requestDeleteRange.key.length === 0) throw storeError('EmptyKey');
  } else checkTxn(ctx, op.requestTxn);
}

/** Keys attached to a lease must all be writable by the user (etcd's checkLeasePuts). */
export async function checkLeasePuts(ctx: ServerContext, auth: AuthInfo | undefined, lease: bigint): Promise<void> {
  if (!ctx.auth.enabled || lease === 0n) return;
  const ttl = await ctx.store.leaseTimeToLive(lease, true);
  for (const k of ttl.keys) ctx.auth.checkRange(auth, k, undefined, 'WRITE');
}

/** etcd's checkTxnReqsPermission: both branches, compares and nested txns. */
async function checkTxnAuth(ctx: ServerContext, auth: AuthInfo | undefined, t: TxnRequest): Promise<void> {
  for (const c of t.compare) ctx.auth.checkRange(auth, c.key, c.rangeEnd, 'READ');
  for (const op of [...t.success, ...t.failure]) {
    if ('requestRange' in op) ctx.auth.checkRange(auth, op.requestRange.key, op.requestRange.rangeEnd, 'READ');
    else if ('requestPut' in op) {
      ctx.auth.checkRange(auth, op.requestPut.key, undefined, 'WRITE');
      if (op.requestPut.prevKv) ctx.auth.checkRange(auth, op.requestPut.key, undefined, 'READ');
      await checkLeasePuts(ctx, auth, op.requestPut.lease ?? 0n);
    } else if ('requestDeleteRange' in op) {
      const d = op.requestDeleteRange;
      ctx.auth.checkRange(auth, d.key, d.rangeEnd, 'WRITE');
      if (d.prevKv) ctx.auth.checkRange(auth, d.key, d.rangeEnd, 'READ');
    } else await checkTxnAuth(ctx, auth, op.requestTxn);
  }
}

export function kvService(ctx: ServerContext): ServiceImplementation {
  const { store } = ctx;
  return {
    Range: unary<PbRangeRequest, unknown>(ctx, 'KV/Range', async (pb, { auth }) => {
      const req = rangeRequestFromPb(pb);
      if (req.key.length === 0) throw storeError('EmptyKey');
      ctx.auth.checkRange(auth, req.key, req.rangeEnd, 'READ');
      return encodeRangeResponse(await store.range(req));
    }),
    Put: unary<PbPutRequest, unknown>(ctx, 'KV/Put', async (pb, { auth, size }) => {
      const req = putRequestFromPb(pb);
      if (req.key.length === 0) throw storeError('EmptyKey');
      checkSize(ctx, size);
      if (ctx.auth.enabled) {
        ctx.auth.checkRange(auth, req.key, undefined, 'WRITE');
        if (req.prevKv) ctx.auth.checkRange(auth, req.key, undefined, 'READ');
        await checkLeasePuts(ctx, auth, req.lease ?? 0n);
      }
      return encodePutResponse(await store.put(req));
    }),
    DeleteRange: unary<PbDeleteRangeRequest, unknown>(ctx, 'KV/DeleteRange', async (pb, { auth, size }) => {
      const req = deleteRangeRequestFromPb(pb);
      if (req.key.length === 0) throw storeError('EmptyKey');
      checkSize(ctx, size);
      ctx.auth.checkRange(auth, req.key, req.rangeEnd, 'WRITE');
      if (req.prevKv) ctx.auth.checkRange(auth, req.key, req.rangeEnd, 'READ');
      return encodeDeleteRangeResponse(await store.deleteRange(req));
    }),
    Txn: unary<PbTxnRequest, unknown>(ctx, 'KV/Txn', async (pb, { auth, size }) => {
      const req = txnRequestFromPb(pb);
      checkTxn(ctx, req);
      checkSize(ctx, size);
      if (ctx.auth.enabled) await checkTxnAuth(ctx, auth, req);
      // (etcd fills only the revision in the headers of the responses nested in a txn.)
      return encodeTxnResponse(await store.txn(req));
    }),
    Compact: unary<PbCompactionRequest, unknown>(ctx, 'KV/Compact', async (pb) => {
      // etcd 3.4 checks no permission for compaction.
      return headerOnlyResponseToPb(await store.compact(compactionRequestFromPb(pb)));
    }),
  };
}
