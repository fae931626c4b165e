// Deletion (kube-apiserver's Store.Delete and graceful deletion): preconditions, grace periods
// (deletionTimestamp + deletionGracePeriodSeconds, the object kept until grace 0), finalizers,
// propagationPolicy (Foreground adds `foregroundDeletion`, Orphan adds `orphan`; the garbage
// collector that acts on them is a controller), dryRun.
import type { KObject } from '../strategy.js';
import { badRequest, conflict, notFound } from '../../status.js';
import { decodeObject } from './keys.js';
import { rfc3339 } from './meta.js';
import type { GenericStore } from './store.js';
import type { RequestContext } from './context.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface DeleteResult {
  obj: KObject;
  /** True when the object is gone from the store; false when kept (grace period, finalizers). */
  deleted: boolean;
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

export function parseDeleteOptions(body: Record<string, any> | undefined, query: URLSearchParams): DeleteOptions {
  const o: DeleteOptions = {};
  const b = body ?? {};
  if (b.kind && b.kind !== 'DeleteOptions') throw badRequest(`the body of the request was not a DeleteOptions: kind ${b.kind}`);
  const gp = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (gp !== undefined && gp !== null && gp !== '') {
    const n = Number(gp);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${gp}`);
    o.gracePeriodSeconds = n;
  }
  const pp = query.get('propagationPolicy') ?? b.propagationPolicy;
  if (pp) {
    if (pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground')
      throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`);
    o.propagationPolicy = pp;
  }
  const od = query.get('orphanDependents') ?? b.orphanDependents;
  if (od !== undefined && od !== null) o.orphanDependents = od === true || od === 'true';
  if (b.preconditions) o.preconditions = b.preconditions;
  const dr = query.getAll('dryRun');
  o.dryRun = dr.length ? dr : b.dryRun;
  return o;
}

function checkPreconditions(s: GenericStore, obj: KObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  if (!p) return;
  const m = obj.metadata!;
  if (p.uid && p.uid !== m.uid) throw conflict(s.gr, m.name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${m.uid}`);
  if (p.resourceVersion && p.resourceVersion !== m.resourceVersion)
    throw conflict(s.gr, m.name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`);
}

/** Finalizers after applying the propagation policy (deletionFinalizersForGarbageCollection). */
function finalizersFor(obj: KObject, opts: DeleteOptions): string[] {
  let f: string[] = [...(obj.metadata!.finalizers ?? [])];
  const orphan = opts.propagationPolicy === 'Orphan' || (opts.propagationPolicy === undefined && opts.orphanDependents === true);
  if (orphan) {
    f = f.filter((x) => x !== FOREGROUND);
    if (!f.includes(ORPHAN)) f.push(ORPHAN);
  } else if (opts.propagationPolicy === 'Foreground') {
    f = f.filter((x) => x !== ORPHAN);
    if (!f.includes(FOREGROUND)) f.push(FOREGROUND);
  } else if (opts.propagationPolicy === 'Background' || opts.orphanDependents === false) {
    f = f.filter((x) => x !== ORPHAN && x !== FOREGROUND);
  }
  return f;
}

/** Delete one object. */
export async function deleteObject(s: GenericStore, ctx: RequestContext, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  for (let attempt = 0; ; attempt++) {
    const kv = await s.readKv(ctx.namespace, name);
    if (!kv) throw notFound(s.gr, name);
    const obj = s.typed(decodeObject(kv));
    checkPreconditions(s, obj, opts);
    const m = obj.metadata!;
    const dry = ctx.dryRun || (opts.dryRun ?? []).includes('All');
    const requested = opts.gracePeriodSeconds;
    let grace = s.strategy.gracePeriod ? s.strategy.gracePeriod(obj, requested) : undefined;
    if (grace !== undefined && grace < 0) grace = 0;
    const finalizers = finalizersFor(obj, opts);
    const now = ctx.now();
    let keep: boolean;
    const next = structuredClone(obj);
    const nm = next.metadata!;
    nm.finalizers = finalizers;
    if (grace !== undefined && grace > 0) {
      // Graceful: set or shorten the deletion deadline; the object stays.
      const cur = m.deletionGracePeriodSeconds;
      if (!m.deletionTimestamp || cur === undefined || grace < cur) {
        nm.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        nm.deletionGracePeriodSeconds = grace;
      }
      keep = true;
    } else {
      if (!m.deletionTimestamp || (m.deletionGracePeriodSeconds ?? 0) > 0) {
        nm.deletionTimestamp = m.deletionTimestamp && (m.deletionGracePeriodSeconds ?? 0) === 0 ? m.deletionTimestamp : rfc3339(now);
      }
      nm.deletionGracePeriodSeconds = 0;
      keep = (nm.finalizers ?? []).length > 0;
    }
    if (nm.finalizers && nm.finalizers.length === 0) delete nm.finalizers;
    const key = s.key(ctx.namespace, name);
    if (keep) {
      if (dry) return { obj: next, deleted: false };
      if (JSON.stringify(next) === JSON.stringify(obj)) return { obj, deleted: false };
      const r = await s.store.txn({
        compare: [{ key, target: 'MOD', result: 'EQUAL', modRevision: kv.modRevision }],
        success: [{ requestPut: { key, value: s.encode(next) } }],
        failure: [],
      });
      if (!r.succeeded) {
        if (opts.preconditions?.resourceVersion || attempt > 20) throw conflict(s.gr, name);
        continue;
      }
      nm.resourceVersion = String(r.header.revision);
      return { obj: next, deleted: false };
    }
    if (dry) return { obj, deleted: true };
    const r = await s.store.txn({ compare: [{ key, target: 'MOD', result: 'EQUAL', modRevision: kv.modRevision }], success: [{ requestDeleteRange: { key } }], failure: [] });
    if (!r.succeeded) {
      if (opts.preconditions?.resourceVersion || attempt > 20) throw conflict(s.gr, name);
      continue;
    }
    for (const h of s.afterDelete) await h(obj);
    await s.strategy.afterDelete?.(obj);
    return { obj, deleted: true };
  }
}
