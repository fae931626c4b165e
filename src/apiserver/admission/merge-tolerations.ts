// Merging two toleration lists as kube's pkg/util/tolerations MergeTolerations does: the result
// keeps every toleration of both lists, except one that another toleration already covers
// (a superset: same or wildcard key, same or empty effect, a no-shorter NoExecute window, and
// Exists or an equal value). Of two identical tolerations, the first is kept.
import type { KObject } from '../registry/strategy.js';
import { deepEqual } from '../../api/validation/object-meta.js';

/** Whether `ss` tolerates everything `t` tolerates (kube's isSuperset). */
export function tolerationIsSuperset(ss: KObject, t: KObject): boolean {
  if (deepEqual(ss, t)) return true;
  const ssKey = ss.key ?? '';
  if ((t.key ?? '') !== ssKey && (ssKey !== '' || ss.operator !== 'Exists')) return false;
  if ((t.effect ?? '') !== (ss.effect ?? '') && (ss.effect ?? '') !== '') return false;
  if (ss.effect === 'NoExecute' && ss.tolerationSeconds != null) {
    if (t.tolerationSeconds == null || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  switch (ss.operator ?? '') {
    case 'Equal':
    case '':
      return t.operator === 'Equal' && (t.value ?? '') === (ss.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** first + second without the redundant tolerations. */
export function mergeTolerations(first: KObject[], second: KObject[]): KObject[] {
  const all = [...first, ...second];
  const merged: KObject[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => tolerationIsSuperset(m, t))) return;
    if (all.slice(i + 1).some((t2) => !deepEqual(t, t2) && tolerationIsSuperset(t2, t))) return;
    merged.push(t);
  });
  return merged;
}
