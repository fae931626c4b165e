// NodeResourcesBalancedAllocation (Score): prefer nodes where, after placing the pod, the
// fractions of cpu and memory in use are close to each other: score = (1 - stddev) * 100.
import type { ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import { cycleRequests } from '../../framework/resources.js';
import { amount } from '../node-resources-fit/index.js';

export const name = 'NodeResourcesBalancedAllocation';

export function factory(args: Record<string, any>): ScorePlugin {
  const resources: Array<{ name: string }> = args.resources ?? [{ name: 'cpu' }, { name: 'memory' }];
  const fractions = new Float64Array(resources.length);
  return {
    name,
    score(state, pod, node) {
      const req = cycleRequests(state, pod).nonZero;
      // Same arithmetic, in the same order, as summing an array of fractions (scores must not move).
      let len = 0;
      for (const r of resources) {
        const alloc = amount(node.allocatable, r.name);
        if (alloc === 0) continue;
        fractions[len++] = Math.min(1, (amount(node.nonZeroRequested, r.name) + amount(req, r.name)) / alloc);
      }
      if (len < 2) return MAX_NODE_SCORE;
      let sum = 0;
      for (let i = 0; i < len; i++) sum += fractions[i];
      const mean = sum / len;
      let sq = 0;
      for (let i = 0; i < len; i++) sq += (fractions[i] - mean) ** 2;
      const std = Math.sqrt(sq / len);
      return Math.floor((1 - std) * MAX_NODE_SCORE);
    },
  };
}
