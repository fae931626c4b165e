// Kubernetes' DefaultNormalizeScore: scale scores so the highest becomes 100 (reverse: the
// highest becomes 0). All-zero scores stay 0 (or all 100 when reversed).
import { MAX_NODE_SCORE, type NodeScore } from './interface.js';

export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) max = Math.max(max, s.score);
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MAX_NODE_SCORE;
    return;
  }
  for (const s of scores) {
    let v = Math.floor((MAX_NODE_SCORE * s.score) / max);
    if (reverse) v = MAX_NODE_SCORE - v;
    s.score = v;
  }
}
