// Pod (core/v1 pods): defaulting as SetDefaults_Pod, status Pending + QoS class on create,
// spec validation, update immutability, the pods table, field selectors and graceful deletion.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, forbidden, invalid } from '../../../../api/field-errors.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { defaultPod } from './defaults.js';
import { validatePodSpec } from './validation.js';
import { podTable } from './printer.js';
import { podQOSClass } from './qos.js';
import { applyAffinityLabelKeys } from './pod-affinity.js';

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** A short description of what differs between two specs (Kubernetes prints a cmp.Diff). */
function specDiff(a: any, b: any, path = 'spec'): string[] {
  if (deepEqual(a, b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? [...Array(Math.max(a.length, b.length)).keys()].map(String) : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => specDiff(a[k as any], b[k as any], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`));
  }
  return [`- ${path}: ${JSON.stringify(a)}`, `+ ${path}: ${JSON.stringify(b)}`];
}

/** ValidatePodUpdate's spec rules. */
export function validatePodSpecUpdate(pod: any, old: any): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = pod.spec ?? {};
  const oldSpec = old.spec ?? {};
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (oldAds != null) {
    if (ads == null) errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (ads > oldAds) errs.push(invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
  }
  // Tolerations may only be added.
  for (const t of oldSpec.tolerations ?? []) {
    if (!(spec.tolerations ?? []).some((n: any) => deepEqual(n, t) || (n?.key === t?.key && n?.operator === t?.operator && n?.value === t?.value && n?.effect === t?.effect && t?.effect === 'NoExecute' && n?.tolerationSeconds != null && (t?.tolerationSeconds == null || n.tolerationSeconds <= t.tolerationSeconds)))) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  // Munge the allowed changes back onto a copy of the old spec and compare.
  const munged = structuredClone(spec);
  const base = structuredClone(oldSpec);
  const sameLength = (a: any[] | undefined, b: any[] | undefined) => (a ?? []).length === (b ?? []).length;
  if (sameLength(munged.containers, base.containers)) (munged.containers ?? []).forEach((c: any, i: number) => c && base.containers[i] && (c.image = base.containers[i].image));
  if (sameLength(munged.initContainers, base.initContainers)) (munged.initContainers ?? []).forEach((c: any, i: number) => c && base.initContainers[i] && (c.image = base.initContainers[i].image));
  munged.activeDeadlineSeconds = base.activeDeadlineSeconds;
  munged.tolerations = base.tolerations;
  if (base.terminationGracePeriodSeconds != null && base.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = base.terminationGracePeriodSeconds;
  // Scheduling gates may be removed; while gated, node selectors and affinity may be added to.
  const gated = (base.schedulingGates ?? []).length > 0;
  if ((munged.schedulingGates ?? []).every((g: any) => (base.schedulingGates ?? []).some((o: any) => o?.name === g?.name))) munged.schedulingGates = base.schedulingGates;
  if (gated) {
    const addsOnly = (n: any, o: any) => Object.entries(o ?? {}).every(([k, v]) => n?.[k] === v);
    if (addsOnly(munged.nodeSelector, base.nodeSelector)) munged.nodeSelector = base.nodeSelector;
    munged.affinity = base.affinity;
  }
  for (const k of Object.keys(munged)) if (munged[k] === undefined) delete munged[k];
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  if (!deepEqual(munged, base)) errs.push(forbidden('spec', podUpdateForbiddenMessage + '\n' + specDiff(base, munged).join('\n')));
  return errs;
}

const schedulingGatedCondition = (now: Date) => ({
  type: 'PodScheduled',
  status: 'False',
  lastProbeTime: null,
  lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
  reason: 'SchedulingGated',
  message: 'Scheduling is blocked due to non-empty scheduling gates',
});

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Pod',
    listKind: 'PodList',
    resource: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
  },
  defaults: defaultPod,
  status: {
    initialStatus: (pod, ctx) => {
      const status: any = { phase: 'Pending', qosClass: podQOSClass(pod) };
      if ((pod.spec?.schedulingGates ?? []).length > 0) status.conditions = [schedulingGatedCondition(ctx.now())];
      return status;
    },
    prepareForUpdate(pod, old) {
      // The status writer may not change owners or the deletion timestamp.
      if (old.metadata) {
        pod.metadata ??= {};
        if (old.metadata.ownerReferences === undefined) delete pod.metadata.ownerReferences;
        else pod.metadata.ownerReferences = structuredClone(old.metadata.ownerReferences);
      }
    },
    validateUpdate(pod, old) {
      const errs: FieldErrorList = [];
      const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
      const phase = pod.status?.phase;
      if (phase && !phases.includes(phase)) errs.push(invalid('status.phase', phase, 'must be one of Pending, Running, Succeeded, Failed, Unknown'));
      const oldPhase = old.status?.phase;
      if ((oldPhase === 'Succeeded' || oldPhase === 'Failed') && phase !== oldPhase)
        errs.push(forbidden('status.phase', `cannot transition from a terminal phase "${oldPhase}" to "${phase}"`));
      return errs;
    },
  },
  prepareForCreate(pod) {
    // Pods without a priority class get priority 0 and the default preemption policy (the
    // Priority admission plugin resolves named classes).
    const spec = (pod.spec ??= {});
    if (!spec.priorityClassName) {
      spec.priority ??= 0;
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
    }
    applyAffinityLabelKeys(pod);
  },
  validate: (pod) => validatePodSpec(pod.spec, 'spec'),
  validateUpdate: (pod, old) => validatePodSpecUpdate(pod, old),
  table: podTable,
  fieldSelectors: {
    'spec.nodeName': (p) => p.spec?.nodeName ?? '',
    'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
    'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (p) => String(!!p.spec?.hostNetwork),
    'status.phase': (p) => p.status?.phase ?? '',
    'status.podIP': (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? '',
    'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
  },
  gracePeriod(pod, requested) {
    let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
    if (!pod.spec?.nodeName) period = 0;
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') period = 0;
    if (period < 0) period = 1;
    return period === 0 ? undefined : period;
  },
});
