// Labels, annotations and label selectors (apimachinery's metav1 validation and
// apimachinery/pkg/api/validation ValidateAnnotations).
import { type FieldErrorList, invalid, required, tooLong, notSupported, forbidden } from '../field-errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export const TotalAnnotationSizeLimitB = 256 * 1024;

export function validateLabelName(name: string, path: string): FieldErrorList {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** Label keys and values; the path is `metadata.labels` (Kubernetes does not index it by key). */
export function validateLabels(labels: unknown, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (labels == null) return errs;
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(path, labels, 'must be a map of strings')];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    errs.push(...validateLabelName(k, path));
    if (typeof v !== 'string') errs.push(invalid(path, v, 'must be a string'));
    else for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (annotations == null) return errs;
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalid(path, annotations, 'must be a map of strings')];
  let total = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (total > TotalAnnotationSizeLimitB) errs.push(tooLong(path, '', TotalAnnotationSizeLimitB));
  return errs;
}

const selectorOps = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1.LabelSelector: matchLabels and matchExpressions. */
export function validateLabelSelector(sel: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (sel == null) return errs;
  errs.push(...validateLabels(sel.matchLabels, path + '.matchLabels'));
  (sel.matchExpressions ?? []).forEach((r: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    switch (r?.operator) {
      case 'In':
      case 'NotIn':
        if (!r.values?.length) errs.push(required(p + '.values', 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (r.values?.length) errs.push(forbidden(p + '.values', 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        errs.push(notSupported(p + '.operator', r?.operator, selectorOps));
    }
    errs.push(...validateLabelName(r?.key ?? '', p + '.key'));
    (r?.values ?? []).forEach((v: unknown, j: number) => {
      for (const m of isValidLabelValue(String(v))) errs.push(invalid(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
}

/** Whether a metav1.LabelSelector matches a label set (empty selector matches everything). */
export function labelSelectorMatches(sel: any, labels: Record<string, string> | undefined): boolean {
  if (sel == null) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals: string[] = r.values ?? [];
    if (r.operator === 'In' && !(has && vals.includes(l[r.key]))) return false;
    if (r.operator === 'NotIn' && has && vals.includes(l[r.key])) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Whether a selector selects nothing/everything: {} or no requirements. */
export function labelSelectorIsEmpty(sel: any): boolean {
  return sel != null && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

/** metav1.FormatLabelSelector: `app=x,tier in (a,b),!k`; `<none>` for empty, `<error>` never. */
export function formatLabelSelector(sel: any): string {
  if (sel == null) return '<none>';
  // labels.Selector.String(): requirements sorted by key, values sorted.
  const parts: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push([k, `${k}=${v}`]);
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(',');
    if (r.operator === 'In') parts.push([r.key, `${r.key} in (${vals})`]);
    else if (r.operator === 'NotIn') parts.push([r.key, `${r.key} notin (${vals})`]);
    else if (r.operator === 'Exists') parts.push([r.key, r.key]);
    else if (r.operator === 'DoesNotExist') parts.push([r.key, `!${r.key}`]);
  }
  const s = parts
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join(',');
  return s === '' ? '<none>' : s;
}

/** A plain map selector (services, RCs) as `k=v,k2=v2` sorted, `<none>` when empty. */
export function formatMapSelector(sel: Record<string, string> | undefined): string {
  if (!sel || Object.keys(sel).length === 0) return '<none>';
  return Object.keys(sel)
    .sort()
    .map((k) => `${k}=${sel[k]}`)
    .join(',');
}
