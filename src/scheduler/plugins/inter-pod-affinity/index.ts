// InterPodAffinity (PreFilter, Filter, PreScore, Score): required pod affinity needs a matching pod
// in the node's topology domain (or, for the first pod of a group, the pod matching its own
// term); required anti-affinity forbids one; existing pods' required anti-affinity is honoured
// symmetrically. Preferred terms (both ways) add or subtract their weights per domain.
// A term's namespaces are its `namespaces` plus those its namespaceSelector selects ({}: all);
// with neither, the namespace of the pod that carries the term.
import type { CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type FilterPlugin, type Handle, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { matchesLabelSelector } from '../../../api/selectors/selector-objects.js';

export const name = 'InterPodAffinity';
export const reasonAffinity = "node(s) didn't match pod affinity rules";
export const reasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
export const reasonExistingAnti = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Labels of a namespace (the scheduler's namespace lister); undefined for an unknown one. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/**
 * Whether `target` is selected by the affinity `term` written in a pod of namespace `ownerNs`
 * (kube's AffinityTerm.Matches): its namespace is listed in `namespaces` or selected by
 * `namespaceSelector` (labels from `nsLabels`; without a lister only {} can select), or, when
 * the term has neither, it is `ownerNs`; and its labels match the labelSelector.
 */
export function termMatches(term: any, ownerNs: string, target: any, nsLabels?: NamespaceLabels): boolean {
  const nsSel = term.namespaceSelector;
  const listed: string[] = term.namespaces ?? [];
  const tns = target.metadata?.namespace;
  let inNs: boolean;
  if (!nsSel && listed.length === 0) inNs = tns === ownerNs;
  else if (listed.includes(tns)) inNs = true;
  else if (!nsSel) inNs = false;
  else if (Object.keys(nsSel).length === 0) inNs = true;
  else {
    const labels = nsLabels?.(tns);
    inNs = labels !== undefined && matchesLabelSelector(nsSel, labels);
  }
  return inNs && matchesLabelSelector(term.labelSelector, target.metadata?.labels);
}

type DomainCounts = Map<string, Map<string, number>>; // topologyKey -> value -> count

function bump(m: DomainCounts, key: string, value: string | undefined, by: number) {
  if (value === undefined) return;
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map()));
  inner.set(value, (inner.get(value) ?? 0) + by);
}

const required = (pod: any, kind: 'podAffinity' | 'podAntiAffinity'): any[] => pod.spec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const preferred = (pod: any, kind: 'podAffinity' | 'podAntiAffinity'): any[] => pod.spec?.affinity?.[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? [];

interface FilterState {
  existingAnti: DomainCounts;
  affinity: DomainCounts[]; // per required affinity term
  anti: DomainCounts[]; // per required anti-affinity term
  anyAffinityMatch: boolean;
}

export function factory(args: Record<string, any>, handle?: Handle): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const hardPodAffinityWeight = args.hardPodAffinityWeight ?? 1;
  const nsLabels: NamespaceLabels = (ns) => {
    const n = handle?.listers?.namespace?.(ns);
    return n ? (n.metadata?.labels ?? {}) : undefined;
  };
  const matches = (term: any, ownerNs: string, target: any) => termMatches(term, ownerNs, target, nsLabels);
  const fKey = 'PreFilter' + name;
  const sKey = 'PreScore' + name;
  return {
    name,
    preFilter(state: CycleState, pod, nodes) {
      const ns = pod.metadata?.namespace;
      const aff = required(pod, 'podAffinity');
      const anti = required(pod, 'podAntiAffinity');
      const st: FilterState = { existingAnti: new Map(), affinity: aff.map(() => new Map()), anti: anti.map(() => new Map()), anyAffinityMatch: false };
      const ownTerms = aff.length + anti.length > 0;
      // No pod anywhere has required anti-affinity (the cache's totals, else a scan): nothing to check.
      if (!ownTerms && (handle?.affinityTotals?.().podsWithRequiredAntiAffinity === 0 || !nodes.some((n) => n.podsWithRequiredAntiAffinity > 0))) return { status: Status.skip() };
      for (const n of nodes) {
        if (!ownTerms && n.podsWithRequiredAntiAffinity === 0) continue;
        const labels = n.labels();
        for (const pi of n.pods.values()) {
          const p = pi.pod;
          if (pi.hasRequiredAntiAffinity)
            for (const t of required(p, 'podAntiAffinity')) if (matches(t, p.metadata?.namespace, pod)) bump(st.existingAnti, t.topologyKey, labels[t.topologyKey], 1);
          aff.forEach((t, i) => {
            if (matches(t, ns, p)) {
              st.anyAffinityMatch = true;
              bump(st.affinity[i], t.topologyKey, labels[t.topologyKey], 1);
            }
          });
          anti.forEach((t, i) => {
            if (matches(t, ns, p)) bump(st.anti[i], t.topologyKey, labels[t.topologyKey], 1);
          });
        }
      }
      state.write(fKey, st);
      return { status: Status.success() };
    },
    filter(state, pod, node) {
      const st = state.read<FilterState>(fKey);
      if (!st) return Status.success();
      const labels = node.labels();
      for (const [key, values] of st.existingAnti) if (key in labels && (values.get(labels[key]) ?? 0) > 0) return Status.unschedulable(reasonExistingAnti);
      const aff = required(pod, 'podAffinity');
      if (aff.length) {
        const ok = aff.every((t, i) => t.topologyKey in labels && (st.affinity[i].get(t.topologyKey)?.get(labels[t.topologyKey]) ?? 0) > 0);
        // The first pod of a group may land anywhere if it matches its own terms.
        const selfOk = !st.anyAffinityMatch && aff.every((t) => t.topologyKey in labels && matches(t, pod.metadata?.namespace, pod));
        if (!ok && !selfOk) return Status.unresolvable(reasonAffinity);
      }
      const anti = required(pod, 'podAntiAffinity');
      for (let i = 0; i < anti.length; i++) {
        const t = anti[i];
        if (t.topologyKey in labels && (st.anti[i].get(t.topologyKey)?.get(labels[t.topologyKey]) ?? 0) > 0) return Status.unschedulable(reasonAntiAffinity);
      }
      return Status.success();
    },
    preScore(state, pod, nodes: NodeInfo[]) {
      const ns = pod.metadata?.namespace;
      const pa = preferred(pod, 'podAffinity');
      const pan = preferred(pod, 'podAntiAffinity');
      const scores: DomainCounts = new Map();
      let any = false;
      if (pa.length + pan.length === 0 && (handle?.affinityTotals?.().podsWithAffinity === 0 || !nodes.some((n) => n.podsWithAffinity > 0))) return Status.skip();
      const add = (labels: Record<string, string>, term: any, by: number) => {
        bump(scores, term.topologyKey, labels[term.topologyKey], by);
        any = true;
      };
      for (const n of nodes) {
        if (pa.length + pan.length === 0 && n.podsWithAffinity === 0) continue;
        const labels = n.labels();
        for (const pi of n.pods.values()) {
          const p = pi.pod;
          for (const w of pa) if (matches(w.podAffinityTerm, ns, p)) add(labels, w.podAffinityTerm, w.weight);
          for (const w of pan) if (matches(w.podAffinityTerm, ns, p)) add(labels, w.podAffinityTerm, -w.weight);
          if (!pi.hasAffinity) continue;
          const pns = p.metadata?.namespace;
          if (hardPodAffinityWeight > 0) for (const t of required(p, 'podAffinity')) if (matches(t, pns, pod)) add(labels, t, hardPodAffinityWeight);
          for (const w of preferred(p, 'podAffinity')) if (matches(w.podAffinityTerm, pns, pod)) add(labels, w.podAffinityTerm, w.weight);
          for (const w of preferred(p, 'podAntiAffinity')) if (matches(w.podAffinityTerm, pns, pod)) add(labels, w.podAffinityTerm, -w.weight);
        }
      }
      if (!any) return Status.skip();
      state.write(sKey, scores);
      return Status.success();
    },
    score(state, _pod, node) {
      const scores = state.read<DomainCounts>(sKey);
      if (!scores) return 0;
      const labels = node.labels();
      let s = 0;
      for (const [key, values] of scores) if (key in labels) s += values.get(labels[key]) ?? 0;
      return s;
    },
    normalizeScore(_state, _pod, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      for (const s of scores) s.score = max > min ? Math.floor((MAX_NODE_SCORE * (s.score - min)) / (max - min)) : 0;
    },
  };
}
