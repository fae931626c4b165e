// List (kube-apiserver's Store.List + etcd3 GetList): label/field selection, limit/continue
// paging at one revision, resourceVersion / resourceVersionMatch semantics, served from the
// watch cache when the request allows it (resourceVersion=0, NotOlderThan, or a consistent read).
import type { KObject } from '../strategy.js';
import { prefixEnd } from '../../../storage/store.js';
import { isStoreError } from '../../../storage/errors.js';
import { ApiError, badRequest, expired } from '../../status.js';
import { decodeObject } from './keys.js';
import { makePredicate, type Predicate } from './filter.js';
import { continueTooOld, decodeContinue, encodeContinue } from './continue-token.js';
import type { GenericStore } from './store.js';
import type { RequestContext } from './context.js';
import { NotFreshError } from '../../watchcache/cache.js';

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function parseRv(rv: string, what = 'resourceVersion'): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid ${what}: ${rv}`);
  return Number(rv);
}

export function tooLargeResourceVersion(rv: number, current: number): ApiError {
  return new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
}

export function listOptionsFromQuery(q: URLSearchParams): ListOptions {
  const limit = q.get('limit');
  let n: number | undefined;
  if (limit !== null && limit !== '') {
    n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${limit}`);
  }
  return {
    labelSelector: q.get('labelSelector'),
    fieldSelector: q.get('fieldSelector'),
    limit: n,
    continue: q.get('continue'),
    resourceVersion: q.get('resourceVersion'),
    resourceVersionMatch: q.get('resourceVersionMatch'),
  };
}

export async function listObjects(s: GenericStore, ctx: RequestContext, opts: ListOptions): Promise<ListResult> {
  const pred = makePredicate(s.strategy, opts.labelSelector, opts.fieldSelector);
  const rv = opts.resourceVersion ?? '';
  const match = opts.resourceVersionMatch ?? '';
  if (match && match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  if (match && rv === '') throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match === 'Exact' && rv === '0') throw badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (opts.continue && rv !== '' && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
  const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
  const wc = s.watchCache;
  if (wc && !opts.continue) {
    const consistent = rv === '' && !limit && s.consistentCacheReads;
    const fromCache = rv === '0' || (match === 'NotOlderThan' && rv !== '') || consistent || (rv !== '' && !match && !limit);
    if (fromCache) {
      let min = 0;
      if (rv === '') min = await s.currentRevision();
      else if (rv !== '0') min = parseRv(rv);
      try {
        return await wc.list(ctx.namespace, pred, min);
      } catch (e) {
        // The cache could not confirm it is that fresh: read the store.
        if (!(e instanceof NotFreshError)) throw e;
      }
    }
  }
  return listFromStore(s, ctx, pred, rv, match, limit, opts.continue ?? '');
}

async function listFromStore(s: GenericStore, ctx: RequestContext, pred: Predicate, rv: string, match: string, limit: number, cont: string): Promise<ListResult> {
  const prefix = s.prefix(ctx.namespace);
  const end = prefixEnd(prefix);
  let start = prefix;
  let revision = 0;
  if (cont) {
    const t = decodeContinue(cont);
    start = Buffer.concat([prefix, Buffer.from(t.start)]);
    revision = t.rv;
  } else if (rv !== '' && rv !== '0') {
    const n = parseRv(rv);
    if (match === 'Exact' || (limit && match !== 'NotOlderThan')) revision = n;
    else {
      const cur = await s.currentRevision();
      if (n > cur) throw tooLargeResourceVersion(n, cur);
    }
  }
  // A metadata.name=x field selector in one namespace reads one key.
  if (pred.name !== undefined && (ctx.namespace || !s.info.namespaced) && !cont) {
    const key = s.key(ctx.namespace, pred.name);
    const r = await range(s, { key, revision }, !!cont, rv);
    const items = r.kvs.map((kv) => s.typed(decodeObject(kv))).filter((o) => pred.matches(o));
    return { items, resourceVersion: String(revision || r.header.revision) };
  }
  const items: KObject[] = [];
  let key = start;
  let remaining: number | undefined;
  let nextContinue: string | undefined;
  for (;;) {
    const want = limit ? Math.max(limit - items.length, 0) : 0;
    const batch = limit ? (pred.empty ? want : Math.max(want * 2, 100)) : 0;
    const r = await range(s, { key, rangeEnd: end, limit: batch, revision }, !!cont, rv);
    if (!revision) revision = r.header.revision;
    let lastKey: Buffer | undefined;
    for (const kv of r.kvs) {
      lastKey = kv.key;
      const o = s.typed(decodeObject(kv));
      if (!pred.matches(o)) continue;
      items.push(o);
      if (limit && items.length >= limit) break;
    }
    const stoppedEarly = lastKey !== undefined && r.kvs.length > 0 && lastKey !== r.kvs[r.kvs.length - 1].key;
    if (limit && items.length >= limit && (r.more || stoppedEarly)) {
      const suffix = Buffer.concat([lastKey!.subarray(prefix.length), Buffer.from([0])]).toString('utf8');
      nextContinue = encodeContinue(revision, suffix);
      if (pred.empty && !stoppedEarly) remaining = r.count - r.kvs.length;
      break;
    }
    if (!r.more || !limit) break;
    key = Buffer.concat([lastKey!, Buffer.from([0])]);
  }
  const res: ListResult = { items, resourceVersion: String(revision) };
  if (nextContinue) res.continue = nextContinue;
  if (remaining !== undefined && remaining > 0) res.remainingItemCount = remaining;
  return res;
}

async function range(s: GenericStore, req: { key: Buffer; rangeEnd?: Buffer; limit?: number; revision: number }, isContinue: boolean, rv: string) {
  try {
    return await s.store.range(req);
  } catch (e) {
    if (isStoreError(e, 'Compacted')) throw isContinue ? expired(continueTooOld) : expired(`The resourceVersion for the provided list is too old.`);
    if (isStoreError(e, 'FutureRev')) throw tooLargeResourceVersion(Number(rv), await s.currentRevision());
    throw e;
  }
}
