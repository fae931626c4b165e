// Kubernetes' CEL regex library (k8s.io/apiserver/pkg/cel/library/regex.go): string.find(re)
// (the first match, or ""), string.findAll(re) and string.findAll(re, limit) (all matches, at most
// limit when limit >= 0).
import type { Environment } from '@marcbachmann/cel-js';
import { chargeCost } from './cost.js';
import { re2 } from './regex.js';

function findAll(s: string, pattern: string, limit: number): string[] {
  chargeCost(Math.ceil(s.length / 10) + 1);
  if (limit === 0) return [];
  const out: string[] = [];
  for (const m of s.matchAll(re2(pattern, true))) {
    out.push(m[0]);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

export function registerRegexLibrary(env: Environment): void {
  env.registerFunction('string.find(string): string', (s: string, p: string) => {
    chargeCost(Math.ceil(s.length / 10) + 1);
    return re2(p).exec(s)?.[0] ?? '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => findAll(s, p, Number(n)));
}
