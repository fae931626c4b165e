// Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go):
// quantity("1.5Gi"), isQuantity(s), and on a Quantity sign, isInteger, asInteger,
// asApproximateFloat, add/sub (a Quantity or an int), compareTo, isGreaterThan, isLessThan;
// `==` compares values (quantity("1") == quantity("1000m")).
import type { Environment } from '@marcbachmann/cel-js';
import { addQuantities, compareQuantities, formatQuantity, fromValue, parseQuantity, subQuantities, type Quantity } from '../../api/quantity.js';
import { celError } from './values.js';

export class CelQuantity {
  readonly celType = 'kubernetes.Quantity';
  constructor(readonly q: Quantity) {}
  equals(o: unknown): boolean {
    return o instanceof CelQuantity && compareQuantities(this.q, o.q) === 0;
  }
  compareTo(o: unknown): number {
    return compareQuantities(this.q, (o as CelQuantity).q);
  }
  toString(): string {
    return formatQuantity(this.q);
  }
}

const NANO = 1_000_000_000n;
const T = 'kubernetes.Quantity';

function parse(s: string): CelQuantity {
  try {
    return new CelQuantity(parseQuantity(s));
  } catch (e) {
    throw celError((e as Error).message);
  }
}

export function registerQuantityLibrary(env: Environment): void {
  env.registerType(T, CelQuantity);
  env.registerFunction(`quantity(string): ${T}`, parse);
  env.registerFunction('isQuantity(string): bool', (s: string) => {
    try {
      parseQuantity(s);
      return true;
    } catch {
      return false;
    }
  });
  env.registerFunction(`${T}.sign(): int`, (a: CelQuantity) => BigInt(Math.sign(Number(a.q.nano))));
  env.registerFunction(`${T}.isInteger(): bool`, (a: CelQuantity) => a.q.nano % NANO === 0n);
  env.registerFunction(`${T}.asInteger(): int`, (a: CelQuantity) => {
    if (a.q.nano % NANO !== 0n) throw celError('cannot convert value to integer');
    const v = a.q.nano / NANO;
    if (v > 9223372036854775807n || v < -9223372036854775808n) throw celError('cannot convert value to integer');
    return v;
  });
  env.registerFunction(`${T}.asApproximateFloat(): double`, (a: CelQuantity) => Number(a.q.nano) / 1e9);
  env.registerFunction(`${T}.add(${T}): ${T}`, (a: CelQuantity, b: CelQuantity) => new CelQuantity(addQuantities(a.q, b.q)));
  env.registerFunction(`${T}.add(int): ${T}`, (a: CelQuantity, b: bigint) => new CelQuantity(addQuantities(a.q, fromValue(b))));
  env.registerFunction(`${T}.sub(${T}): ${T}`, (a: CelQuantity, b: CelQuantity) => new CelQuantity(subQuantities(a.q, b.q)));
  env.registerFunction(`${T}.sub(int): ${T}`, (a: CelQuantity, b: bigint) => new CelQuantity(subQuantities(a.q, fromValue(b))));
  env.registerFunction(`${T}.compareTo(${T}): int`, (a: CelQuantity, b: CelQuantity) => BigInt(a.compareTo(b)));
  env.registerFunction(`${T}.isGreaterThan(${T}): bool`, (a: CelQuantity, b: CelQuantity) => a.compareTo(b) > 0);
  env.registerFunction(`${T}.isLessThan(${T}): bool`, (a: CelQuantity, b: CelQuantity) => a.compareTo(b) < 0);
  env.registerOperator(`${T} == ${T}`, (a: CelQuantity, b: CelQuantity) => a.equals(b));
}
