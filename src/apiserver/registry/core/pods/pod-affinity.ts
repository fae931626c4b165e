// Inter-pod affinity terms in a pod spec (kube's pkg/apis/core/validation validatePodAffinityTerm
// and pkg/registry/core/pod PrepareForCreate):
//   - validation: topologyKey required and a qualified name; preferred weights 1-100;
//     matchLabelKeys / mismatchLabelKeys are label keys, need a labelSelector, and may not share a key;
//   - on pod create (MatchLabelKeysInPodAffinity, on by default since 1.31): each key the pod has
//     a label for becomes a `key In (value)` (matchLabelKeys) or `key NotIn (value)`
//     (mismatchLabelKeys) requirement of the term's labelSelector, so the scheduler only sees
//     plain selectors. Templates keep their keys; every pod created from them gets its own values.
import { type FieldErrorList, forbidden, invalid, required } from '../../../../api/field-errors.js';
import { isQualifiedName } from '../../../../api/validation/names.js';

type TermVisitor = (term: any, path: string) => void;

/** Every PodAffinityTerm of a pod spec's podAffinity and podAntiAffinity, with its field path. */
function eachTerm(spec: any, path: string, visit: TermVisitor, visitWeighted?: (w: any, path: string) => void): void {
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = spec?.affinity?.[kind];
    if (!a) continue;
    const base = `${path}.affinity.${kind}`;
    (a.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => t && visit(t, `${base}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    (a.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w: any, i: number) => {
      const p = `${base}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      visitWeighted?.(w, p);
      if (w?.podAffinityTerm) visit(w.podAffinityTerm, `${p}.podAffinityTerm`);
    });
  }
}

export function validatePodAffinity(spec: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  eachTerm(
    spec,
    path,
    (t, p) => {
      const match: string[] = t.matchLabelKeys ?? [];
      const mismatch: string[] = t.mismatchLabelKeys ?? [];
      if (!t.labelSelector) {
        if (match.length) errs.push(forbidden(`${p}.matchLabelKeys`, 'must not be specified when labelSelector is not set'));
        if (mismatch.length) errs.push(forbidden(`${p}.mismatchLabelKeys`, 'must not be specified when labelSelector is not set'));
      } else {
        match.forEach((k, i) => isQualifiedName(k).forEach((m) => errs.push(invalid(`${p}.matchLabelKeys[${i}]`, k, m))));
        mismatch.forEach((k, i) => isQualifiedName(k).forEach((m) => errs.push(invalid(`${p}.mismatchLabelKeys[${i}]`, k, m))));
        const mis = new Set(mismatch);
        match.forEach((k, i) => mis.has(k) && errs.push(invalid(`${p}.matchLabelKeys[${i}]`, k, 'exists in both matchLabelKeys and mismatchLabelKeys')));
      }
      if (!t.topologyKey) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
      else for (const m of isQualifiedName(t.topologyKey)) errs.push(invalid(`${p}.topologyKey`, t.topologyKey, m));
    },
    (w, p) => {
      if (!(Number.isInteger(w?.weight) && w.weight >= 1 && w.weight <= 100)) errs.push(invalid(`${p}.weight`, w?.weight ?? 0, 'must be in the range 1-100'));
    },
  );
  return errs;
}

/** On pod create: matchLabelKeys / mismatchLabelKeys become In / NotIn requirements of the term's selector. */
export function applyAffinityLabelKeys(pod: any): void {
  const labels: Record<string, string> = pod.metadata?.labels ?? {};
  eachTerm(pod.spec, 'spec', (t) => {
    if (!t.labelSelector) return;
    const add = (keys: string[] | undefined, operator: 'In' | 'NotIn') => {
      for (const key of keys ?? []) {
        if (!(key in labels)) continue;
        (t.labelSelector.matchExpressions ??= []).push({ key, operator, values: [labels[key]] });
      }
    };
    add(t.matchLabelKeys, 'In');
    add(t.mismatchLabelKeys, 'NotIn');
  });
}
