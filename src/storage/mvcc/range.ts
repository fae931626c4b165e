// Range requests as etcd's v3 applier shapes them: fetch (limit+1 when nothing needs the whole
// range), filter by mod/create revision, sort, cut at the limit, count before the limit.
import type { KeyValue, RangeRequest, RangeResponse, ResponseHeader } from '../store.js';
import { storeError } from '../errors.js';

/** Whether the request needs every key of the range before the limit can be applied. */
export function needsWholeRange(req: RangeRequest): boolean {
  return (
    (req.sortOrder !== undefined && req.sortOrder !== 'NONE') ||
    !!req.minModRevision ||
    !!req.maxModRevision ||
    !!req.minCreateRevision ||
    !!req.maxCreateRevision
  );
}

/** How many kvs to fetch: 0 = all, else limit + 1 (to learn `more`). */
export function fetchLimit(req: RangeRequest): number {
  const limit = req.limit ?? 0;
  if (limit <= 0 || needsWholeRange(req)) return 0;
  return limit + 1;
}

export function validateRange(req: RangeRequest): void {
  if (!req.key || req.key.length === 0) throw storeError('EmptyKey');
}

const num = (a: number, b: number) => a - b;

/** Build the response from the fetched kvs and the range's total count. */
export function shapeRange(req: RangeRequest, fetched: KeyValue[], count: number, header: ResponseHeader): RangeResponse {
  if (req.countOnly) return { header, kvs: [], more: false, count };
  let kvs = fetched;
  const f = (pred: (kv: KeyValue) => boolean) => (kvs = kvs.filter(pred));
  if (req.maxModRevision) f((kv) => kv.modRevision <= req.maxModRevision!);
  if (req.minModRevision) f((kv) => kv.modRevision >= req.minModRevision!);
  if (req.maxCreateRevision) f((kv) => kv.createRevision <= req.maxCreateRevision!);
  if (req.minCreateRevision) f((kv) => kv.createRevision >= req.minCreateRevision!);
  const target = req.sortTarget ?? 'KEY';
  let order = req.sortOrder ?? 'NONE';
  if (target !== 'KEY' && order === 'NONE') order = 'ASCEND';
  if (order !== 'NONE' && !(target === 'KEY' && order === 'ASCEND')) {
    let cmp: (a: KeyValue, b: KeyValue) => number;
    switch (target) {
      case 'KEY':
        cmp = (a, b) => Buffer.compare(a.key, b.key);
        break;
      case 'VERSION':
        cmp = (a, b) => num(a.version, b.version);
        break;
      case 'CREATE':
        cmp = (a, b) => num(a.createRevision, b.createRevision);
        break;
      case 'MOD':
        cmp = (a, b) => num(a.modRevision, b.modRevision);
        break;
      case 'VALUE':
        cmp = (a, b) => Buffer.compare(a.value, b.value);
        break;
    }
    kvs = kvs === fetched ? [...kvs] : kvs;
    kvs.sort(order === 'DESCEND' ? (a, b) => cmp(b, a) : cmp);
  }
  let more = false;
  const limit = req.limit ?? 0;
  if (limit > 0 && kvs.length > limit) {
    kvs = kvs.slice(0, limit);
    more = true;
  }
  if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: Buffer.alloc(0) }));
  return { header, kvs, more, count };
}
