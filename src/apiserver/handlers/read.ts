// GET of one object and LIST (JSON list, Table or PartialObjectMetadataList).
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { listObjects, listOptionsFromQuery } from '../registry/generic/list.js';
import { setWarnings, writeJson } from '../http-util.js';
import { parseIncludeObject, partialObjectMetadata, toTable } from '../table.js';

export async function handleGet(h: Handler): Promise<void> {
  const obj = await h.served.store.get(h.ctx.namespace, h.info.name);
  respondObject(h, 200, obj);
}

export async function handleList(h: Handler): Promise<void> {
  const s = h.served.store;
  const r = await listObjects(s, h.ctx, listOptionsFromQuery(h.query));
  setWarnings(h.res, h.ctx.warnings);
  if (h.form.kind === 'table') {
    writeJson(
      h.res,
      200,
      toTable(h.served.strategy, r.items, {
        includeObject: parseIncludeObject(h.query.get('includeObject')),
        version: h.form.version,
        now: h.state.now(),
        resourceVersion: r.resourceVersion,
        continue: r.continue,
        remainingItemCount: r.remainingItemCount,
      }),
    );
    return;
  }
  const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
  if (r.continue) metadata.continue = r.continue;
  if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
  if (h.form.kind === 'partial') {
    writeJson(h.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${h.form.version}`, metadata, items: r.items.map((o) => partialObjectMetadata(o, h.form.kind === 'partial' ? h.form.version : 'v1')) });
    return;
  }
  // Items in a list carry no apiVersion/kind (as kube-apiserver's JSON lists). Objects from the
  // watch cache are shared and immutable, so their serialized form is memoized across lists.
  const parts = r.items.map(itemJson);
  const head = JSON.stringify({ kind: s.info.listKind, apiVersion: s.apiVersion, metadata });
  writeJson(h.res, 200, `${head.slice(0, -1)},"items":[${parts.join(',')}]}`);
}

const memo = new WeakMap<object, string>();
function itemJson(o: Record<string, unknown>): string {
  let j = memo.get(o);
  if (j === undefined) {
    const { apiVersion: _a, kind: _k, ...rest } = o;
    j = JSON.stringify(rest);
    memo.set(o, j);
  }
  return j;
}
