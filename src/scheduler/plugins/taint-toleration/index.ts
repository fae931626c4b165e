// TaintToleration (Filter, Score): a node's NoSchedule/NoExecute taints must be tolerated;
// fewer untolerated PreferNoSchedule taints score higher.
import type { FilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import { Status } from '../../framework/status.js';
import { findUntoleratedTaint, toleratesTaint, type Taint } from './tolerations.js';

export const name = 'TaintToleration';

export function factory(): FilterPlugin & PreScorePlugin & ScorePlugin {
  const key = 'PreScore' + name;
  return {
    name,
    filter(_s, pod, node) {
      const t = findUntoleratedTaint(node.node?.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute']);
      return t ? Status.unresolvable(`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`) : Status.success();
    },
    preScore(state, pod) {
      state.write(key, (pod.spec?.tolerations ?? []).filter((t: any) => !t.effect || t.effect === 'PreferNoSchedule'));
      return Status.success();
    },
    score(state, pod, node) {
      const taints = node.node?.spec?.taints as Taint[] | undefined;
      if (!taints?.length) return 0;
      const tols = state.read<any[]>(key) ?? pod.spec?.tolerations ?? [];
      return taints.filter((t) => t.effect === 'PreferNoSchedule' && !toleratesTaint(tols, t)).length;
    },
    normalizeScore(_s, _pod, scores) {
      defaultNormalizeScore(scores, true);
    },
  };
}
