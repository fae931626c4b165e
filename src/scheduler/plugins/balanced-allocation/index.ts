// NodeResourcesBalancedAllocation (Score): prefer nodes where, after placing the pod, the
// fractions of cpu and memory in use are close to each other: score = (1 - stddev) * 100.
import type { ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import { cycleRequests } from '../../framework/resources.js';
import { amount } from '../node-resources-fit/index.js';

export const name = 'NodeResourcesBalancedAllocation';

export function factory(args: Record<string, any>): ScorePlugin {
  const resources: Array<{ name: string }> = args.resources ?? [{ name: 'cpu' }, { name: 'memory' }];
  return {
    name,
    score(state, pod, node) {
      const req = cycleRequests(state, pod).nonZero;
      const fractions: number[] = [];
      for (const r of resources) {
        const alloc = amount(node.allocatable, r.name);
        if (alloc === 0) continue;
        fractions.push(Math.min(1, (amount(node.nonZeroRequested, r.name) + amount(req, r.name)) / alloc));
      }
      if (fractions.length < 2) return MAX_NODE_SCORE;
      const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
      const std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
      return Math.floor((1 - std) * MAX_NODE_SCORE);
    },
  };
}
