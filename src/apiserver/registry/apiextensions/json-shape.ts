// Shape guards for objects decoded from JSON without a typed decoder: a CRD whose `versions` is
// a string must fail validation, not crash it.

/** `v` when it is an array, else []. */
export function arr<T = any>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
