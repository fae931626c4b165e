// CREATE (POST) and UPDATE (PUT), through admission to the generic store.
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { runAdmission } from '../filters/pipeline.js';
import { badRequest } from '../status.js';
import type { KObject } from '../registry/strategy.js';
import { checkUnknownFields } from './field-validation.js';
import { trackManagedFields } from './apply.js';

export function checkTypeMeta(h: Handler, obj: KObject): void {
  const s = h.served.store;
  if (obj.apiVersion && obj.apiVersion !== s.apiVersion && obj.kind === s.info.kind) {
    // Another served version of the same kind is accepted and stored as this one.
    const [g] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [''];
    if (g !== s.info.group) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${s.apiVersion})`);
  }
  if (obj.kind && obj.kind !== s.info.kind) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${s.info.kind})`);
}

export async function handleCreate(h: Handler): Promise<void> {
  let obj = await h.object();
  checkTypeMeta(h, obj);
  obj = checkUnknownFields(h, obj, { decode: true });
  if (h.served.strategy.info.namespaced && !h.info.namespace) throw badRequest('the server could not find the requested resource');
  const attrs = { operation: 'CREATE' as const, info: h.info, object: obj, ctx: h.ctx };
  await runAdmission(h.state.pipeline, attrs);
  // The object was decoded from this request's body (admission may have replaced it, with an
  // object of its own): nothing else holds it, so the store need not copy it.
  const created = await h.served.store.create(h.ctx, trackManagedFields(h, undefined, attrs.object), { dryRun: h.ctx.dryRun, owned: true });
  respondObject(h, 201, created);
}

export async function handleUpdate(h: Handler): Promise<void> {
  let obj = await h.object();
  checkTypeMeta(h, obj);
  obj = checkUnknownFields(h, obj, { decode: true });
  const s = h.served.store;
  const sub = h.info.subresource;
  const attrs = { operation: 'UPDATE' as const, info: h.info, object: obj, ctx: h.ctx };
  await runAdmission(h.state.pipeline, attrs);
  const r = await s.update(h.ctx, h.info.name, attrs.object, { dryRun: h.ctx.dryRun, subresource: sub, mutate: (next, current) => trackManagedFields(h, current, next, sub) });
  respondObject(h, r.created ? 201 : 200, r.obj);
}
