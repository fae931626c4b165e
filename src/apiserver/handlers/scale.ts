// The scale subresource: an autoscaling/v1 Scale view of a resource's replicas (GET, PUT, PATCH).
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import type { KObject, Strategy } from '../registry/strategy.js';
import { formatLabelSelectorObject } from '../../api/selectors/labels.js';
import { ApiError, badRequest, invalid, notFound } from '../status.js';
import { applyPatch, decodePatchBody, patchTypeOf } from './patch.js';
import { invalid as fieldInvalid } from '../../api/field-errors.js';
import { col, table } from '../registry/printers/columns.js';

/** `kubectl get <kind> <name> --subresource=scale`: NAME DESIRED AVAILABLE, as kube prints a Scale. */
const scaleTable = table(
  [col('Desired', 'integer', 'Number of desired replicas.'), col('Available', 'integer', 'Number of actual replicas.')],
  (sc) => [sc.spec?.replicas ?? 0, sc.status?.replicas ?? 0],
);

/** Answers a Scale (its own Table columns, not the scaled kind's). */
const respondScale = (h: Handler, scale: KObject): void => respondObject({ ...h, served: { ...h.served, strategy: { ...h.served.strategy, table: scaleTable } } }, 200, scale);

export function getPath(obj: KObject, path: string): unknown {
  let cur: any = obj;
  for (const p of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}

export function setPath(obj: KObject, path: string, v: unknown): void {
  const parts = path.split('.').filter(Boolean);
  let cur: any = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = v;
}

export function toScale(s: Strategy, obj: KObject): KObject {
  const sc = s.scale!;
  const m = obj.metadata ?? {};
  const sel = sc.labelSelectorPath ? getPath(obj, sc.labelSelectorPath) : undefined;
  const selector = typeof sel === 'string' ? sel : sel && typeof sel === 'object' ? formatLabelSelectorObject(sel as never) : undefined;
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, sc.statusReplicasPath) ?? 0) };
  if (selector) status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(getPath(obj, sc.specReplicasPath) ?? 0) },
    status,
  };
}

export async function handleScale(h: Handler): Promise<void> {
  const st = h.served.strategy;
  const s = h.served.store;
  if (!st.scale) throw notFound(s.gr, h.info.name);
  if (h.info.verb === 'get') {
    respondScale(h, toScale(st, await s.get(h.ctx.namespace, h.info.name)));
    return;
  }
  let patchType: ReturnType<typeof patchTypeOf> | undefined;
  let body: unknown;
  if (h.info.verb === 'patch') {
    patchType = patchTypeOf(h.req.headers['content-type']);
    body = decodePatchBody(patchType, await h.body());
  } else if (h.info.verb === 'update') body = await h.object();
  else throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  let pinned = false;
  const r = await s.guaranteedUpdate(
    h.ctx,
    h.info.name,
    (current) => {
      if (!current) throw notFound(s.gr, h.info.name);
      const cur = toScale(st, current);
      let scale: KObject;
      if (patchType) scale = patchType === 'apply' ? { ...cur, spec: { ...cur.spec, ...((body as KObject).spec ?? {}) } } : applyPatch(patchType === 'strategic' ? 'merge' : patchType, cur, body, true);
      else scale = body as KObject;
      if (scale.kind && scale.kind !== 'Scale') throw badRequest(`the kind in the data (${scale.kind}) does not match the expected kind (Scale)`);
      const rv = scale.metadata?.resourceVersion;
      if (rv && rv !== current.metadata!.resourceVersion) pinned = true;
      const replicas = scale.spec?.replicas;
      if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0))
        throw invalid('autoscaling', 'Scale', h.info.name, [fieldInvalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      const next = structuredClone(current);
      setPath(next, st.scale!.specReplicasPath, replicas ?? 0);
      if (rv) next.metadata!.resourceVersion = rv;
      return next;
    },
    { dryRun: h.ctx.dryRun, get pinnedResourceVersion() { return pinned; } },
  );
  respondScale(h, toScale(st, r.obj));
}
