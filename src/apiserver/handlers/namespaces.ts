// Namespace deletion and /finalize (kube's namespace registry): DELETE sets
// deletionTimestamp and phase Terminating and keeps the namespace while spec.finalizers
// (`kubernetes`) remain; the namespace controller empties the namespace, then PUT /finalize
// clears spec.finalizers and the namespace goes.
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { runAdmission } from '../filters/pipeline.js';
import { deleteObject } from '../registry/generic/delete.js';
import { rfc3339 } from '../registry/generic/meta.js';
import { deleteOptions, deleteResponse } from './delete.js';
import { conflict, notFound } from '../status.js';

export async function handleNamespaceDelete(h: Handler): Promise<void> {
  const opts = await deleteOptions(h);
  const s = h.served.store;
  const name = h.info.name;
  await runAdmission(h.state.pipeline, { operation: 'DELETE', info: h.info, ctx: h.ctx });
  const ns = await s.get('', name);
  const p = opts.preconditions;
  if (p?.uid && p.uid !== ns.metadata?.uid) throw conflict(s.gr, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${ns.metadata?.uid}`);
  if (p?.resourceVersion && p.resourceVersion !== ns.metadata?.resourceVersion)
    throw conflict(s.gr, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${ns.metadata?.resourceVersion}`);
  const specFinalizers: string[] = ns.spec?.finalizers ?? [];
  if (ns.metadata?.deletionTimestamp && specFinalizers.length === 0) {
    const r = await deleteObject(s, h.ctx, name, { ...opts, gracePeriodSeconds: 0 });
    deleteResponse(h, r.obj, r.deleted);
    return;
  }
  const r = await s.guaranteedUpdate(
    h.ctx,
    name,
    (cur) => {
      if (!cur) throw notFound(s.gr, name);
      if (!cur.metadata!.deletionTimestamp) cur.metadata!.deletionTimestamp = rfc3339(h.ctx.now());
      cur.metadata!.deletionGracePeriodSeconds = cur.metadata!.deletionGracePeriodSeconds ?? 0;
      if (opts.propagationPolicy === 'Orphan' || opts.orphanDependents) {
        const f: string[] = cur.metadata!.finalizers ?? [];
        if (!f.includes('orphan')) cur.metadata!.finalizers = [...f, 'orphan'];
      }
      cur.status = { ...(cur.status ?? {}), phase: 'Terminating' };
      return cur;
    },
    { dryRun: h.ctx.dryRun, subresource: 'status-and-meta' },
  );
  respondObject(h, 200, r.obj);
}

export async function handleNamespaceFinalize(h: Handler): Promise<void> {
  const body = await h.object();
  const s = h.served.store;
  const name = h.info.name;
  const r = await s.guaranteedUpdate(
    h.ctx,
    name,
    (cur) => {
      if (!cur) throw notFound(s.gr, name);
      const rv = body.metadata?.resourceVersion;
      if (rv) cur.metadata!.resourceVersion = rv;
      cur.spec = { ...(cur.spec ?? {}), finalizers: body.spec?.finalizers ?? [] };
      if (cur.spec.finalizers.length === 0) delete cur.spec.finalizers;
      return cur;
    },
    { dryRun: h.ctx.dryRun, subresource: 'finalize', pinnedResourceVersion: !!body.metadata?.resourceVersion },
  );
  // Once both spec and metadata finalizers are gone, a terminating namespace is removed.
  const m = r.obj.metadata!;
  if (!r.deleted && m.deletionTimestamp && !(r.obj.spec?.finalizers?.length > 0) && !(m.finalizers?.length > 0) && !h.ctx.dryRun) {
    await deleteObject(s, h.ctx, name, { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  respondObject(h, 200, r.obj);
}
