// Kubernetes' CEL sets library (k8s.io/apiserver/pkg/cel/library/sets.go): sets.contains(a, b)
// (every element of b is in a), sets.equivalent(a, b) (same elements, any order or count) and
// sets.intersects(a, b), on lists with CEL equality.
import type { Environment } from '@marcbachmann/cel-js';
import { chargeCost } from './cost.js';
import { celEquals } from './values.js';

class SetsNamespace {}

const has = (list: unknown[], x: unknown) => list.some((y) => celEquals(x, y));

export function registerSetsLibrary(env: Environment): void {
  env.registerType('SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'SetsNamespace', new SetsNamespace());
  const contains = (a: unknown[], b: unknown[]) => {
    chargeCost(a.length * b.length);
    return b.every((x) => has(a, x));
  };
  env.registerFunction('SetsNamespace.contains(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => contains(a, b));
  env.registerFunction('SetsNamespace.equivalent(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => contains(a, b) && contains(b, a));
  env.registerFunction('SetsNamespace.intersects(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => {
    chargeCost(a.length * b.length);
    return b.some((x) => has(a, x));
  });
}
