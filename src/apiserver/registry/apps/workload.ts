// Shared pieces of the workload kinds (deployments, replicasets, statefulsets, daemonsets,
// replicationcontrollers, jobs): numeric field checks, selector/template agreement, template
// validation with the restart-policy rule, and the common table cells.
import { type FieldErrorList, invalid, required, notSupported, forbidden } from '../../../api/field-errors.js';
import { validateLabelSelector, labelSelectorMatches, labelSelectorIsEmpty, formatLabelSelector } from '../../../api/validation/labels.js';
import { validatePodTemplateSpec } from '../core/pods/validation.js';

export const isNegativeErrorMsg = 'must be greater than or equal to 0';

/** ValidateNonnegativeField. */
export function nonNegative(value: unknown, path: string): FieldErrorList {
  if (value == null) return [];
  if (typeof value !== 'number' || value < 0) return [invalid(path, value, isNegativeErrorMsg)];
  return [];
}

/** ValidatePositiveField-like (activeDeadlineSeconds...). */
export function positive(value: unknown, path: string): FieldErrorList {
  if (value == null) return [];
  if (typeof value !== 'number' || value <= 0) return [invalid(path, value, 'must be greater than 0')];
  return [];
}

/**
 * A metav1.LabelSelector for an apps/v1 workload: required, valid, non-empty, matching the
 * template labels; then the template itself with restartPolicy Always and no deadline.
 */
export function validateSelectorAndTemplate(spec: any, kindWord: string, opts: { restartPolicies?: string[]; allowDeadline?: boolean; kind?: string } = {}): FieldErrorList {
  const errs: FieldErrorList = [];
  const sel = spec?.selector;
  if (sel == null) errs.push(required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (labelSelectorIsEmpty(sel)) errs.push(invalid('spec.selector', sel, `empty selector is invalid for ${kindWord}`));
  }
  errs.push(...validateTemplateForSelector(spec?.template, sel, opts));
  return errs;
}

export function validateTemplateForSelector(template: any, sel: any, opts: { restartPolicies?: string[]; allowDeadline?: boolean; mapSelector?: boolean; kind?: string } = {}): FieldErrorList {
  const errs: FieldErrorList = [];
  if (template == null) return [required('spec.template', '')];
  const labels = template.metadata?.labels ?? {};
  const selects = opts.mapSelector ? Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v) : labelSelectorMatches(sel, labels);
  const empty = opts.mapSelector ? Object.keys(sel ?? {}).length === 0 : sel == null || labelSelectorIsEmpty(sel);
  if (!empty && !selects) errs.push(invalid('spec.template.metadata.labels', template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const policies = opts.restartPolicies ?? ['Always'];
  const rp = template.spec?.restartPolicy;
  if (rp && !policies.includes(rp)) errs.push(notSupported('spec.template.spec.restartPolicy', rp, policies));
  if (!opts.allowDeadline && template.spec?.activeDeadlineSeconds != null)
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${opts.kind ?? 'ReplicaSet'} is not Supported`));
  return errs;
}

/** An int-or-percent (maxSurge, maxUnavailable): non-negative int or "N%" (at most 100 when `max100`). */
export function validateIntOrPercent(v: unknown, path: string, max100 = false): FieldErrorList {
  if (v == null) return [];
  if (typeof v === 'number') return v < 0 ? [invalid(path, v, isNegativeErrorMsg)] : [];
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) return [invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    if (max100 && Number(m[1]) > 100) return [invalid(path, v, 'must not be greater than 100%')];
    return [];
  }
  return [invalid(path, v, 'must be an integer or percentage (e.g \'5%\')')];
}

export const isZeroIntOrPercent = (v: unknown): boolean => v === 0 || v === '0%';

export function forbiddenUnless(cond: boolean, path: string, detail: string): FieldErrorList {
  return cond ? [] : [forbidden(path, detail)];
}

/** layoutContainerCells + selector for wide workload tables. */
export function containersImages(podSpec: any): [string, string] {
  const cs: any[] = podSpec?.containers ?? [];
  return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(',')];
}

export { formatLabelSelector };

export const containersColumnDescription = 'Names of each container in the template.';
export const imagesColumnDescription = 'Images referenced by each container in the template.';
export const selectorColumnDescription = 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.';
