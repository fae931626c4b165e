// NodeAffinity (PreFilter, Filter, PreScore, Score): the pod's nodeSelector and required node
// affinity must match the node; preferred terms add their weights to the node's score.
import type { FilterPlugin, PreFilterPlugin, ScorePlugin } from '../../framework/interface.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import { Status } from '../../framework/status.js';
import { matchesNodeSelector, matchesNodeSelectorTerm } from '../../../api/selectors/selector-objects.js';

export const name = 'NodeAffinity';
export const reason = "node(s) didn't match Pod's node affinity/selector";

/** Whether the node satisfies the pod's nodeSelector and requiredDuringScheduling affinity. */
export function nodeMatchesPod(pod: any, node: any): boolean {
  const labels = node?.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || matchesNodeSelector(required, node);
}

export function factory(): PreFilterPlugin & FilterPlugin & ScorePlugin {
  return {
    name,
    preFilter(_s, pod) {
      // A required term pinned to metadata.name narrows the candidate nodes at once.
      const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
      let names: Set<string> | undefined;
      for (const t of terms) {
        const f = (t.matchFields ?? []).find((m: any) => m.key === 'metadata.name' && m.operator === 'In');
        if (!f || (t.matchExpressions ?? []).length) return { status: Status.success() };
        names = new Set([...(names ?? []), ...(f.values ?? [])]);
      }
      return { result: names ? { nodeNames: names } : undefined, status: Status.success() };
    },
    filter(_s, pod, node) {
      return nodeMatchesPod(pod, node.node) ? Status.success() : Status.unresolvable(reason);
    },
    score(_s, pod, node) {
      let score = 0;
      for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
        if (p.weight && matchesNodeSelectorTerm(p.preference ?? {}, node.node)) score += p.weight;
      return score;
    },
    normalizeScore(_s, _pod, scores) {
      defaultNormalizeScore(scores, false);
    },
  };
}
