// Txn validation (etcd's checkTxnRequest + checkIntervals) and execution against a WriteTxn.
import type {
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../store.js';
import { storeError } from '../errors.js';
import { keyString } from './codec.js';
import { rangesIntersect, toKeyRange, type KeyRange } from './key-range.js';
import type { WriteTxn } from './write-txn.js';
import { validateRange } from './range.js';

/** etcd's default --max-request-bytes (1.5 MiB): larger requests fail with ErrRequestTooLarge. */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/**
 * Longest key the LMDB tables can hold (LMDB's 1978-byte key limit, minus the history row's
 * escape bytes, terminator and revision). etcd itself takes longer keys; here they fail with
 * ErrRequestTooLarge rather than reaching the backend.
 */
export function keyFits(key: Buffer): boolean {
  if (key.length > 1960) return false;
  if (key.length <= 1960 / 2) return true;
  let zeros = 0;
  for (let i = key.indexOf(0); i !== -1; i = key.indexOf(0, i + 1)) zeros++;
  return key.length + zeros <= 1960;
}

export function validatePut(r: PutRequest): void {
  if (!r.key || r.key.length === 0) throw storeError('EmptyKey');
  if (!keyFits(r.key) || r.key.length + (r.value?.length ?? 0) > MAX_REQUEST_BYTES) throw storeError('RequestTooLarge');
  if (r.ignoreValue && r.value && r.value.length !== 0) throw storeError('ValueProvided');
  if (r.ignoreLease && r.lease !== undefined && r.lease !== 0n) throw storeError('LeaseProvided');
}

export function validateDelete(r: DeleteRangeRequest): void {
  if (!r.key || r.key.length === 0) throw storeError('EmptyKey');
}

function validateOp(op: RequestOp, maxTxnOps: number): void {
  if ('requestRange' in op) validateRange(op.requestRange);
  else if ('requestPut' in op) validatePut(op.requestPut);
  else if ('requestDeleteRange' in op) validateDelete(op.requestDeleteRange);
  else if ('requestTxn' in op) checkTxnRequest(op.requestTxn, maxTxnOps);
  else throw storeError('KeyNotFound'); // empty op, as etcd
}

/** etcd's checkTxnRequest: op counts per branch (nested budgets shrink) and empty keys. */
export function checkTxnRequest(r: TxnRequest, maxTxnOps: number): void {
  const opc = Math.max(r.compare.length, r.success.length, r.failure.length);
  if (opc > maxTxnOps) throw storeError('TooManyOps');
  for (const c of r.compare) if (!c.key || c.key.length === 0) throw storeError('EmptyKey');
  for (const op of r.success) validateOp(op, maxTxnOps - opc);
  for (const op of r.failure) validateOp(op, maxTxnOps - opc);
}

/** etcd's checkIntervals: a key may be put once, and not both put and deleted, per branch. */
export function checkIntervals(reqs: RequestOp[]): { puts: Set<string>; dels: KeyRange[] } {
  const dels: KeyRange[] = [];
  for (const op of reqs) {
    if ('requestDeleteRange' in op) dels.push(toKeyRange(op.requestDeleteRange.key, op.requestDeleteRange.rangeEnd));
  }
  const hitsDel = (ks: string) => {
    const k = Buffer.from(ks, 'latin1');
    return dels.some((d) => rangesIntersect(d, { key: k, end: undefined }));
  };
  const puts = new Set<string>();
  for (const op of reqs) {
    if (!('requestTxn' in op)) continue;
    const then = checkIntervals(op.requestTxn.success);
    const els = checkIntervals(op.requestTxn.failure);
    for (const k of then.puts) {
      if (puts.has(k) || hitsDel(k)) throw storeError('DuplicateKey');
      puts.add(k);
    }
    for (const k of els.puts) {
      if (puts.has(k) && !then.puts.has(k)) throw storeError('DuplicateKey');
      if (hitsDel(k)) throw storeError('DuplicateKey');
      puts.add(k);
    }
    dels.push(...then.dels, ...els.dels);
  }
  for (const op of reqs) {
    if (!('requestPut' in op)) continue;
    const k = keyString(op.requestPut.key);
    if (puts.has(k) || hitsDel(k)) throw storeError('DuplicateKey');
    puts.add(k);
  }
  return { puts, dels };
}

export function validateTxn(r: TxnRequest, maxTxnOps: number): void {
  checkTxnRequest(r, maxTxnOps);
  if (txnPutCost(r) > MAX_REQUEST_BYTES) throw storeError('RequestTooLarge');
  checkIntervals(r.success);
  checkIntervals(r.failure);
}

/** Whether any op of either branch (nested included) writes. */
export function txnHasWrites(r: TxnRequest): boolean {
  const w = (ops: RequestOp[]): boolean =>
    ops.some((op) => 'requestPut' in op || 'requestDeleteRange' in op || ('requestTxn' in op && txnHasWrites(op.requestTxn)));
  return w(r.success) || w(r.failure);
}

/** The highest `revision` any range of either branch asks for (nested included); 0 if none. */
export function maxRangeRevision(r: TxnRequest): number {
  let max = 0;
  for (const ops of [r.success, r.failure]) {
    for (const op of ops) {
      const rev = 'requestRange' in op ? (op.requestRange.revision ?? 0) : 'requestTxn' in op ? maxRangeRevision(op.requestTxn) : 0;
      if (rev > max) max = rev;
    }
  }
  return max;
}

/** Bytes etcd's quota charges for the txn's puts (the larger branch). */
export function txnPutCost(r: TxnRequest): number {
  const c = (ops: RequestOp[]): number => {
    let n = 0;
    for (const op of ops) {
      if ('requestPut' in op) n += putCost(op.requestPut);
      else if ('requestTxn' in op) n += txnPutCost(op.requestTxn);
    }
    return n;
  };
  return Math.max(c(r.success), c(r.failure));
}

/** etcd's costPut: a fixed overhead plus the request's size. */
export function putCost(r: PutRequest): number {
  return 256 + r.key.length + (r.value?.length ?? 0) + (r.lease ? 9 : 0) + 4;
}

export interface TxnEnv {
  t: WriteTxn;
  header: ResponseHeader;
  leaseExists(id: bigint): boolean;
  /** Range inside the txn (handles `revision`). */
  range(req: RangeRequest): RangeResponse;
}

export function execPut(env: TxnEnv, r: PutRequest): PutResponse {
  const { t } = env;
  let value = r.value ?? Buffer.alloc(0);
  let lease = r.lease ?? 0n;
  let cur: KeyValue | undefined;
  if (r.ignoreValue || r.ignoreLease) {
    cur = t.get(r.key);
    if (!cur) throw storeError('KeyNotFound');
    if (r.ignoreValue) value = cur.value;
    if (r.ignoreLease) lease = cur.lease;
  }
  if (lease !== 0n && !env.leaseExists(lease)) throw storeError('LeaseNotFound');
  const { prev } = t.put(r.key, value, lease);
  const resp: PutResponse = { header: env.header };
  if (r.prevKv && prev) resp.prevKv = prev;
  return resp;
}

export function execDelete(env: TxnEnv, r: DeleteRangeRequest): DeleteRangeResponse {
  const { t } = env;
  const kvs = t.range(toKeyRange(r.key, r.rangeEnd));
  for (const kv of kvs) t.delete(kv.key);
  return { header: env.header, deleted: kvs.length, prevKvs: r.prevKv ? kvs : [] };
}

function cmpNum(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKv(c: Compare, kv: KeyValue | undefined): boolean {
  let res: number;
  switch (c.target) {
    case 'VALUE':
      if (!kv) return false;
      res = Buffer.compare(kv.value, c.value ?? Buffer.alloc(0));
      break;
    case 'VERSION':
      res = cmpNum(kv?.version ?? 0, c.version ?? 0);
      break;
    case 'CREATE':
      res = cmpNum(kv?.createRevision ?? 0, c.createRevision ?? 0);
      break;
    case 'MOD':
      res = cmpNum(kv?.modRevision ?? 0, c.modRevision ?? 0);
      break;
    case 'LEASE':
      res = cmpNum(kv?.lease ?? 0n, c.lease ?? 0n);
      break;
    default:
      return false;
  }
  switch (c.result) {
    case 'EQUAL':
      return res === 0;
    case 'NOT_EQUAL':
      return res !== 0;
    case 'GREATER':
      return res > 0;
    case 'LESS':
      return res < 0;
    default:
      return false;
  }
}

export function evalCompare(t: WriteTxn, c: Compare): boolean {
  const r = toKeyRange(c.key, c.rangeEnd);
  const kvs = r.end === undefined ? [t.get(c.key)].filter((x): x is KeyValue => !!x) : t.range(r);
  if (kvs.length === 0) return compareKv(c, undefined);
  return kvs.every((kv) => compareKv(c, kv));
}

/**
 * The branch every txn (nested ones included) takes, decided up front against the state before
 * the txn, as etcd 3.4 does (compareToPath): a nested compare does not see the outer txn's writes.
 */
export interface TxnPath {
  succeeded: boolean;
  nested: TxnPath[];
}

export function choosePath(t: WriteTxn, r: TxnRequest): TxnPath {
  const succeeded = r.compare.every((c) => evalCompare(t, c));
  const nested: TxnPath[] = [];
  for (const op of succeeded ? r.success : r.failure) if ('requestTxn' in op) nested.push(choosePath(t, op.requestTxn));
  return { succeeded, nested };
}

export function execTxn(env: TxnEnv, r: TxnRequest, path: TxnPath = choosePath(env.t, r)): TxnResponse {
  const ops = path.succeeded ? r.success : r.failure;
  const responses: ResponseOp[] = [];
  let n = 0;
  for (const op of ops) {
    if ('requestRange' in op) responses.push({ responseRange: env.range(op.requestRange) });
    else if ('requestPut' in op) responses.push({ responsePut: execPut(env, op.requestPut) });
    else if ('requestDeleteRange' in op) responses.push({ responseDeleteRange: execDelete(env, op.requestDeleteRange) });
    else responses.push({ responseTxn: execTxn(env, op.requestTxn, path.nested[n++]) });
  }
  return { header: env.header, succeeded: path.succeeded, responses };
}
