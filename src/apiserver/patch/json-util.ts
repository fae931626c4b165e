// Small JSON helpers shared by the patch algorithms.
import { deepCopyJson } from '../../api/deep-copy.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return deepCopyJson(v);
}

/** Structural equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  }
  return true;
}

/** Go's %v-ish rendering used inside error messages. */
export function goValue(v: unknown): string {
  if (isObject(v)) return 'map[' + Object.keys(v).sort().map((k) => `${k}:${goValue(v[k])}`).join(' ') + ']';
  if (Array.isArray(v)) return '[' + v.map(goValue).join(' ') + ']';
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}
