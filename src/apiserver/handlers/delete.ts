// DELETE of one object and DELETECOLLECTION.
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { runAdmission } from '../filters/pipeline.js';
import { deleteObject, parseDeleteOptions, type DeleteOptions } from '../registry/generic/delete.js';
import { listObjects, listOptionsFromQuery } from '../registry/generic/list.js';
import { decodeBody } from '../negotiation.js';
import { setWarnings, writeJson } from '../http-util.js';
import { successStatus } from '../status.js';
import type { KObject } from '../registry/strategy.js';

/** Kinds whose DELETE answers the object (ReturnDeletedObject); others answer a Success Status. */
const returnsObject = new Set(['pods', 'services', 'namespaces']);

export async function deleteOptions(h: Handler): Promise<DeleteOptions> {
  const body = await h.body();
  let parsed: Record<string, any> | undefined;
  if (body.length) parsed = decodeBody(body, h.req.headers['content-type']);
  const o = parseDeleteOptions(parsed, h.query);
  if (o.dryRun?.includes('All')) h.ctx.dryRun = true;
  return o;
}

export function deleteResponse(h: Handler, obj: KObject, deleted: boolean): void {
  const custom = !!(h.served.strategy as { custom?: boolean }).custom;
  if (!deleted || returnsObject.has(h.served.strategy.info.resource) || custom) {
    respondObject(h, 200, obj);
    return;
  }
  setWarnings(h.res, h.ctx.warnings);
  const info = h.served.strategy.info;
  const details: Record<string, unknown> = { name: obj.metadata?.name, kind: info.resource, uid: obj.metadata?.uid };
  if (info.group) details.group = info.group;
  writeJson(h.res, 200, successStatus(details));
}

export async function handleDelete(h: Handler): Promise<void> {
  const opts = await deleteOptions(h);
  const s = h.served.store;
  await runAdmission(h.state.pipeline, { operation: 'DELETE', info: h.info, ctx: h.ctx });
  const r = await deleteObject(s, h.ctx, h.info.name, opts);
  deleteResponse(h, r.obj, r.deleted);
}

export async function handleDeleteCollection(h: Handler): Promise<void> {
  const opts = await deleteOptions(h);
  const s = h.served.store;
  const lo = listOptionsFromQuery(h.query);
  const list = await listObjects(s, h.ctx, { labelSelector: lo.labelSelector, fieldSelector: lo.fieldSelector });
  const out: KObject[] = [];
  for (const item of list.items) {
    const ctx = { ...h.ctx, namespace: item.metadata?.namespace ?? h.ctx.namespace };
    try {
      await runAdmission(h.state.pipeline, { operation: 'DELETE', info: { ...h.info, name: item.metadata!.name }, ctx });
      const r = await deleteObject(s, ctx, item.metadata!.name, opts);
      out.push(r.obj);
    } catch (e) {
      if ((e as { code?: number }).code === 404) continue;
      throw e;
    }
  }
  setWarnings(h.res, h.ctx.warnings);
  writeJson(h.res, 200, { kind: s.info.listKind, apiVersion: s.apiVersion, metadata: { resourceVersion: list.resourceVersion }, items: out });
}
