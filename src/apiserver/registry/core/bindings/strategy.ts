// Binding (core/v1 bindings, also pods/binding): create-only. ValidatePodBinding, and bindPod —
// what the store does with a valid binding (kube's assignPod): set spec.nodeName and a true
// PodScheduled condition, refusing pods already bound or being deleted.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, notSupported, required } from '../../../../api/field-errors.js';
import type { KObject } from '../../strategy.js';

export function validateBinding(b: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const kind = b.target?.kind ?? '';
  if (kind && kind !== 'Node') errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(required('target.name', ''));
  return errs;
}

/** The outcome of binding a pod: the updated pod, or a conflict message (HTTP 409). */
export type BindResult = { ok: true; pod: KObject } | { ok: false; conflict: string };

export function bindPod(pod: KObject, binding: KObject, now: Date): BindResult {
  const name = pod.metadata?.name;
  if (pod.metadata?.deletionTimestamp) return { ok: false, conflict: `pod ${name} is being deleted, cannot be assigned to a host` };
  if (pod.spec?.nodeName) return { ok: false, conflict: `pod ${name} is already assigned to node "${pod.spec.nodeName}"` };
  const out = structuredClone(pod);
  out.spec = { ...(out.spec ?? {}), nodeName: binding.target.name };
  const annotations = binding.metadata?.annotations;
  if (annotations && Object.keys(annotations).length) out.metadata = { ...out.metadata, annotations: { ...(out.metadata?.annotations ?? {}), ...annotations } };
  const t = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const conds: any[] = (out.status ??= {}).conditions ?? [];
  const cond = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t };
  const i = conds.findIndex((c) => c?.type === 'PodScheduled');
  if (i >= 0) conds[i] = cond;
  else conds.push(cond);
  out.status.conditions = conds;
  return { ok: true, pod: out };
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Binding',
    listKind: 'BindingList',
    resource: 'bindings',
    singular: 'binding',
    namespaced: true,
    verbs: ['create'],
  },
  validate: validateBinding,
});
