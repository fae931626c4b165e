// CEL value helpers the Kubernetes libraries share: equality with CEL's semantics (numbers of
// different kinds compare by value, lists element-wise, maps by key), ordering for the comparable
// types, and type names for error messages. Values are @marcbachmann/cel-js's: bigint (int),
// UnsignedInt (uint), number (double), string, boolean, null, Uint8Array (bytes), Array (list),
// plain object or Map (map), Date (timestamp), Duration.
import { EvaluationError } from '@marcbachmann/cel-js';

export function celError(message: string): Error {
  return new EvaluationError(message);
}

const isNumeric = (v: unknown): boolean => typeof v === 'bigint' || typeof v === 'number' || isUint(v);
const isUint = (v: unknown): boolean => !!v && typeof v === 'object' && (v as object).constructor?.name === 'UnsignedInt';
const numeric = (v: unknown): number | bigint => (isUint(v) ? (v as { valueOf(): bigint }).valueOf() : (v as number | bigint));

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const entries = (m: object): [string, unknown][] => (m instanceof Map ? [...m.entries()] : Object.entries(m));

/** CEL equality (`==`) for the value kinds the libraries handle. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(numeric(a), numeric(b)) === 0;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (Array.isArray(a) || Array.isArray(b)) return false;
  const ca = (a as object).constructor;
  if (ca !== (b as object).constructor && !(isPlainMap(a) && isPlainMap(b))) return false;
  if (typeof (a as { equals?: unknown }).equals === 'function') return (a as { equals(o: unknown): boolean }).equals(b);
  if (!isPlainMap(a)) return String(a) === String(b);
  const ea = entries(a);
  const mb = new Map(entries(b));
  return ea.length === mb.size && ea.every(([k, v]) => mb.has(k) && celEquals(v, mb.get(k)));
}

const isPlainMap = (v: object): boolean => v instanceof Map || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null;

/** CEL ordering (`<`) for int, uint, double, string, bool, bytes, timestamp and duration. */
export function celCompare(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(numeric(a), numeric(b));
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a && b && typeof a === 'object' && typeof b === 'object' && a.constructor === b.constructor && a.constructor?.name === 'Duration') {
    return Math.sign(Number(a.valueOf()) - Number(b.valueOf()));
  }
  if (a && b && typeof (a as { compareTo?: unknown }).compareTo === 'function') return (a as { compareTo(o: unknown): number }).compareTo(b);
  throw celError(`no such overload: ${celTypeName(a)} < ${celTypeName(b)}`);
}

/** The CEL type name of a value, for messages. */
export function celTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null_type';
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Date) return 'google.protobuf.Timestamp';
  const name = (v as object).constructor?.name;
  if (name === 'UnsignedInt') return 'uint';
  if (name === 'Duration') return 'google.protobuf.Duration';
  if (isPlainMap(v as object)) return 'map';
  return (v as { celType?: string }).celType ?? name ?? 'object';
}
