// LimitRanger admission (kube's plugin of that name). On pod create, every LimitRange of the
// namespace with a Container item fills in the containers' missing limits (`default`) and
// requests (`defaultRequest`) and records it in the kubernetes.io/limit-ranger annotation; then
// pods (per container and, for Pod items, summed over the pod) and PersistentVolumeClaims (their
// storage request) are checked against min, max and maxLimitRequestRatio with kube's messages.
// Pod updates are not checked (containers' resources are immutable), as in kube.
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { addQuantities, formatQuantity, tryParseQuantity, type Quantity } from '../../api/quantity.js';
import { admissionForbidden, isResource, listObjects } from './lookup.js';

type ResourceList = Record<string, unknown>;

function applies(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
  if (!a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return undefined;
  if (isResource(a, '', 'pods')) return a.operation === 'CREATE' ? 'pod' : undefined;
  if (isResource(a, '', 'persistentvolumeclaims')) return 'pvc';
  return undefined;
}

const q = (v: unknown): Quantity | undefined => tryParseQuantity(typeof v === 'number' ? String(v) : v);
const str = (v: unknown): string => {
  const p = q(v);
  return p ? formatQuantity(p) : String(v);
};

function minConstraint(type: string, res: string, enforced: unknown, req: ResourceList, lim: ResourceList): string | undefined {
  const e = q(enforced);
  if (!e) return undefined;
  if (!(res in req)) return `minimum ${res} usage per ${type} is ${str(enforced)}.  No request is specified`;
  const r = q(req[res]);
  if (r && r.nano < e.nano) return `minimum ${res} usage per ${type} is ${str(enforced)}, but request is ${str(req[res])}`;
  const l = res in lim ? q(lim[res]) : undefined;
  if (l && l.nano < e.nano) return `minimum ${res} usage per ${type} is ${str(enforced)}, but limit is ${str(lim[res])}`;
  return undefined;
}

function maxConstraint(type: string, res: string, enforced: unknown, req: ResourceList, lim: ResourceList): string | undefined {
  const e = q(enforced);
  if (!e) return undefined;
  if (!(res in lim)) return `maximum ${res} usage per ${type} is ${str(enforced)}.  No limit is specified`;
  const l = q(lim[res]);
  if (l && l.nano > e.nano) return `maximum ${res} usage per ${type} is ${str(enforced)}, but limit is ${str(lim[res])}`;
  const r = res in req ? q(req[res]) : undefined;
  if (r && r.nano > e.nano) return `maximum ${res} usage per ${type} is ${str(enforced)}, but request is ${str(req[res])}`;
  return undefined;
}

function maxRequestConstraint(type: string, res: string, enforced: unknown, req: ResourceList): string | undefined {
  const e = q(enforced);
  if (!e) return undefined;
  if (!(res in req)) return `maximum ${res} usage per ${type} is ${str(enforced)}.  No request is specified`;
  const r = q(req[res]);
  if (r && r.nano > e.nano) return `maximum ${res} usage per ${type} is ${str(enforced)}, but request is ${str(req[res])}`;
  return undefined;
}

function ratioConstraint(type: string, res: string, enforced: unknown, req: ResourceList, lim: ResourceList): string | undefined {
  const e = q(enforced);
  if (!e) return undefined;
  const r = res in req ? q(req[res]) : undefined;
  const l = res in lim ? q(lim[res]) : undefined;
  if (!r || r.nano === 0n) return `${res} max limit to request ratio per ${type} is ${str(enforced)}, but no request is specified or request is 0`;
  if (!l || l.nano === 0n) return `${res} max limit to request ratio per ${type} is ${str(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(l.nano) / Number(r.nano);
  if (ratio * 1e9 > Number(e.nano)) return `${res} max limit to request ratio per ${type} is ${str(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(type: string, item: KObject, req: ResourceList, lim: ResourceList, errs: string[]): void {
  const push = (m: string | undefined) => m && errs.push(m);
  for (const [k, v] of Object.entries(item.min ?? {})) push(minConstraint(type, k, v, req, lim));
  for (const [k, v] of Object.entries(item.max ?? {})) push(maxConstraint(type, k, v, req, lim));
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) push(ratioConstraint(type, k, v, req, lim));
}

/** Pod totals: the sum over containers, each init container taken as a floor (as kube's podRequests). */
function podTotals(pod: KObject, kind: 'requests' | 'limits'): ResourceList {
  const sum = new Map<string, Quantity>();
  for (const c of pod.spec?.containers ?? [])
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      const p = q(v);
      if (p) sum.set(k, sum.has(k) ? addQuantities(sum.get(k)!, p) : p);
    }
  for (const c of pod.spec?.initContainers ?? [])
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      const p = q(v);
      if (p && (!sum.has(k) || p.nano > sum.get(k)!.nano)) sum.set(k, p);
    }
  return Object.fromEntries([...sum].map(([k, v]) => [k, formatQuantity(v)]));
}

/** Aggregate error text as utilerrors.NewAggregate prints it (deduplicated). */
export function aggregate(errs: string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

/** Fill a pod's containers from Container items' default/defaultRequest; returns the annotation text. */
export function applyDefaults(pod: KObject, ranges: KObject[]): string | undefined {
  const defLimits: ResourceList = {};
  const defRequests: ResourceList = {};
  for (const lr of ranges)
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      // SetDefaults_LimitRangeItem: default from max, defaultRequest from default then min.
      const def = { ...(item.max ?? {}), ...(item.default ?? {}) };
      const defReq = { ...(item.min ?? {}), ...def, ...(item.defaultRequest ?? {}) };
      Object.assign(defRequests, defReq);
      Object.assign(defLimits, def);
    }
  const notes: string[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    c.resources ??= {};
    const setReq: string[] = [];
    const setLim: string[] = [];
    for (const [k, v] of Object.entries(defLimits))
      if (!(k in (c.resources.limits ?? {}))) {
        (c.resources.limits ??= {})[k] = v;
        setLim.push(k);
      }
    for (const [k, v] of Object.entries(defRequests))
      if (!(k in (c.resources.requests ?? {}))) {
        (c.resources.requests ??= {})[k] = v;
        setReq.push(k);
      }
    const what = pod.spec.initContainers?.includes(c) ? 'init container' : 'container';
    if (setReq.length) notes.push(`${setReq.sort().join(', ')} request for ${what} ${c.name}`);
    if (setLim.length) notes.push(`${setLim.sort().join(', ')} limit for ${what} ${c.name}`);
  }
  return notes.length ? `LimitRanger plugin set: ${notes.join('; ')}` : undefined;
}

export function validatePod(pod: KObject, ranges: KObject[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges)
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'Container')
        for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) checkItem('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
      else if (item.type === 'Pod') checkItem('Pod', item, podTotals(pod, 'requests'), podTotals(pod, 'limits'), errs);
    }
  return errs;
}

export function validateClaim(pvc: KObject, ranges: KObject[]): string[] {
  const errs: string[] = [];
  const req = pvc.spec?.resources?.requests ?? {};
  for (const lr of ranges)
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const [k, v] of Object.entries(item.min ?? {})) {
        const m = minConstraint('PersistentVolumeClaim', k, v, req, {});
        if (m) errs.push(m);
      }
      for (const [k, v] of Object.entries(item.max ?? {})) {
        const m = maxRequestConstraint('PersistentVolumeClaim', k, v, req);
        if (m) errs.push(m);
      }
    }
  return errs;
}

export function limitRanger(resources: Resources): AdmissionPlugin {
  const ranges = (ns: string) => listObjects(resources, ['', 'v1', 'limitranges'], ns);
  return {
    name: 'LimitRanger',
    async admit(a) {
      if (applies(a) !== 'pod') return;
      const lrs = await ranges(a.info.namespace);
      if (!lrs.length) return;
      const note = applyDefaults(a.object!, lrs);
      if (note) ((a.object!.metadata ??= {}).annotations ??= {})['kubernetes.io/limit-ranger'] = note;
    },
    async validate(a) {
      const kind = applies(a);
      if (!kind) return;
      const lrs = await ranges(a.info.namespace);
      if (!lrs.length) return;
      const errs = kind === 'pod' ? validatePod(a.object!, lrs) : validateClaim(a.object!, lrs);
      if (errs.length) throw admissionForbidden(a, aggregate(errs));
    },
  };
}
