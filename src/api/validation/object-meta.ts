// ObjectMeta validation as apimachinery's ValidateObjectMeta / ValidateObjectMetaUpdate:
// name (or generateName), namespace by scope, labels, annotations, owner references, finalizers.
import { type FieldErrorList, invalid, required, forbidden } from '../field-errors.js';
import { isDNS1123Label, isQualifiedName, type NameValidator } from './names.js';
import { validateAnnotations, validateLabels } from './labels.js';

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** Name rule for the kind (DNS-1123 subdomain for most). */
  nameFn: NameValidator;
}

export function validateObjectMeta(meta: any, opts: ObjectMetaOptions, path = 'metadata'): FieldErrorList {
  const errs: FieldErrorList = [];
  const m = meta ?? {};
  if (m.generateName) for (const msg of opts.nameFn(m.generateName, true)) errs.push(invalid(path + '.generateName', m.generateName, msg));
  if (!m.name) {
    if (!m.generateName) errs.push(required(path + '.name', 'name or generateName is required'));
  } else {
    for (const msg of opts.nameFn(m.name, false)) errs.push(invalid(path + '.name', m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(path + '.namespace', ''));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(invalid(path + '.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(path + '.namespace', 'not allowed on this type'));
  }
  if (m.generation != null && m.generation < 0) errs.push(invalid(path + '.generation', m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, path + '.labels'));
  errs.push(...validateAnnotations(m.annotations, path + '.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, path + '.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, path + '.finalizers'));
  return errs;
}

export function validateOwnerReferences(refs: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (refs == null) return errs;
  let controllers = 0;
  (refs as any[]).forEach((r) => {
    if (!r?.apiVersion) errs.push(invalid(path + '.apiVersion', r?.apiVersion ?? '', 'version must not be empty'));
    if (!r?.kind) errs.push(invalid(path + '.kind', r?.kind ?? '', 'kind must not be empty'));
    if (!r?.name) errs.push(invalid(path + '.name', r?.name ?? '', 'name must not be empty'));
    if (!r?.uid) errs.push(invalid(path + '.uid', r?.uid ?? '', 'uid must not be empty'));
    if (r?.controller === true) controllers++;
  });
  if (controllers > 1) errs.push(invalid(path, refs, 'Only one reference can have Controller set to true. Found "true" in references for ' + refs.filter((r: any) => r?.controller).map((r: any) => `${r.kind}/${r.name}`).join(' and ')));
  return errs;
}

export function validateFinalizers(finalizers: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (finalizers == null) return errs;
  (finalizers as any[]).forEach((f, i) => {
    for (const msg of isQualifiedName(String(f))) errs.push(invalid(`${path}[${i}]`, f, msg));
  });
  return errs;
}

const immutable = (path: string, v: unknown) => invalid(path, v, 'field is immutable');

export function validateObjectMetaUpdate(meta: any, old: any, opts: ObjectMetaOptions, path = 'metadata'): FieldErrorList {
  const m = meta ?? {};
  const o = old ?? {};
  const errs = validateObjectMeta(m, opts, path).filter((e) => e.field !== path + '.generateName');
  if (m.name !== o.name) errs.push(immutable(path + '.name', m.name));
  if ((m.namespace ?? '') !== (o.namespace ?? '')) errs.push(immutable(path + '.namespace', m.namespace));
  if (o.uid && m.uid !== o.uid) errs.push(immutable(path + '.uid', m.uid));
  if (o.creationTimestamp && m.creationTimestamp !== o.creationTimestamp) errs.push(immutable(path + '.creationTimestamp', m.creationTimestamp));
  if (o.deletionTimestamp && m.deletionTimestamp !== o.deletionTimestamp) errs.push(immutable(path + '.deletionTimestamp', m.deletionTimestamp));
  if (o.deletionGracePeriodSeconds != null && m.deletionGracePeriodSeconds !== o.deletionGracePeriodSeconds)
    errs.push(immutable(path + '.deletionGracePeriodSeconds', m.deletionGracePeriodSeconds));
  return errs;
}

/** ValidateImmutableField: `Invalid value: <new>: field is immutable` when they differ (deep). */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldErrorList {
  return deepEqual(newVal, oldVal) ? [] : [immutable(path, newVal)];
}

/** Semantic deep equality of JSON values (undefined and absent are equal). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object).filter((k) => (a as any)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as any)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => deepEqual((a as any)[k], (b as any)[k]));
}
