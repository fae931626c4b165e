// Namespace (core/v1 namespaces): the kubernetes.io/metadata.name label, spec.finalizers
// ["kubernetes"] and status.phase Active on create; finalizers and status kept on update (the
// /finalize subresource changes finalizers: finalizePrepareForUpdate); NAME STATUS AGE;
// field selector status.phase.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported } from '../../../../api/field-errors.js';
import { nameIsDNSLabel, isQualifiedName } from '../../../../api/validation/names.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import type { KObject } from '../../strategy.js';

export const FinalizerKubernetes = 'kubernetes';
export const NamespaceNameLabel = 'kubernetes.io/metadata.name';

export function validateFinalizerName(name: string, path: string): FieldErrorList {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!errs.length && !name.includes('/') && name !== FinalizerKubernetes) errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  return errs;
}

function validateNamespaceFinalizers(ns: any): FieldErrorList {
  const errs: FieldErrorList = [];
  (ns.spec?.finalizers ?? []).forEach((f: string, i: number) => errs.push(...validateFinalizerName(String(f), `spec.finalizers[${i}]`)));
  return errs;
}

/** The /finalize subresource: only spec.finalizers change; status is kept. */
export function finalizePrepareForUpdate(ns: KObject, old: KObject): void {
  const finalizers = ns.spec?.finalizers;
  ns.spec = { ...structuredClone(old.spec ?? {}) };
  if (finalizers === undefined) delete ns.spec.finalizers;
  else ns.spec.finalizers = finalizers;
  if (old.status === undefined) delete ns.status;
  else ns.status = structuredClone(old.status);
}

export const finalizeValidateUpdate = (ns: KObject): FieldErrorList => validateNamespaceFinalizers(ns);

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    listKind: 'NamespaceList',
    resource: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  nameFn: nameIsDNSLabel,
  defaults(ns) {
    const name = ns.metadata?.name;
    if (name) ((ns.metadata!.labels ??= {}) as Record<string, string>)[NamespaceNameLabel] = name;
  },
  status: {
    initialStatus: () => ({ phase: 'Active' }),
    validateUpdate(ns, old) {
      const errs: FieldErrorList = [];
      const phase = ns.status?.phase;
      if (phase && !['Active', 'Terminating'].includes(phase)) errs.push(notSupported('status.phase', phase, ['Active', 'Terminating']));
      if (!old.metadata?.deletionTimestamp && phase === 'Terminating') errs.push(invalid('status.Phase', phase, 'may only be \'Terminating\' if `deletionTimestamp` is not empty'));
      return errs;
    },
  },
  prepareForCreate(ns) {
    const spec = (ns.spec ??= {});
    const f: string[] = (spec.finalizers ??= []);
    if (!f.includes(FinalizerKubernetes)) f.push(FinalizerKubernetes);
  },
  prepareForUpdate(ns, old) {
    const spec = (ns.spec ??= {});
    if (old.spec?.finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = structuredClone(old.spec.finalizers);
  },
  validate: validateNamespaceFinalizers,
  table: table([col('Status', 'string', 'The status of the namespace'), ageColumn], (ns, now) => [ns.status?.phase ?? '', age(ns, now)]),
  fieldSelectors: { 'status.phase': (ns) => ns.status?.phase ?? '' },
});
