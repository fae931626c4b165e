// Kubernetes' CEL lists library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min,
// max, indexOf and lastIndexOf on lists, with CEL equality and ordering. Results are typed dyn
// (a type parameter left unbound on a dyn receiver makes @marcbachmann/cel-js's operator lookup
// ambiguous).
import type { Environment } from '@marcbachmann/cel-js';
import { chargeCost } from './cost.js';
import { celCompare, celEquals, celError } from './values.js';

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const s = a + b;
    if (s > 9223372036854775807n || s < -9223372036854775808n) throw celError('integer overflow');
    return s;
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const d = a as { addDuration?: (o: unknown) => unknown };
  if (typeof d?.addDuration === 'function') return d.addDuration(b);
  const u = a as { constructor?: { name?: string }; valueOf(): unknown };
  if (u?.constructor?.name === 'UnsignedInt') return new (u.constructor as new (v: bigint) => unknown)((u.valueOf() as bigint) + ((b as { valueOf(): bigint }).valueOf()));
  throw celError('no such overload: sum');
}

function extreme(name: 'min' | 'max', list: unknown[]): unknown {
  chargeCost(list.length);
  if (!list.length) throw celError(`${name} called on empty list`);
  let best = list[0];
  for (const x of list.slice(1)) {
    const c = celCompare(x, best);
    if (name === 'min' ? c < 0 : c > 0) best = x;
  }
  return best;
}

export function registerListsLibrary(env: Environment): void {
  env.registerFunction('list.isSorted(): bool', (list: unknown[]) => {
    chargeCost(list.length);
    for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
    return true;
  });
  env.registerFunction('list.sum(): dyn', (list: unknown[]) => {
    chargeCost(list.length);
    if (!list.length) return 0n;
    return list.slice(1).reduce((acc, x) => add(acc, x), list[0]);
  });
  env.registerFunction('list.min(): dyn', (list: unknown[]) => extreme('min', list));
  env.registerFunction('list.max(): dyn', (list: unknown[]) => extreme('max', list));
  env.registerFunction('list.indexOf(dyn): int', (list: unknown[], x: unknown) => {
    chargeCost(list.length);
    return BigInt(list.findIndex((y) => celEquals(y, x)));
  });
  env.registerFunction('list.lastIndexOf(dyn): int', (list: unknown[], x: unknown) => {
    chargeCost(list.length);
    for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], x)) return BigInt(i);
    return -1n;
  });
}
