// The checks of apimachinery's unstructured converter (runtime.DefaultUnstructuredConverter
// .FromUnstructured), which kube-apiserver runs on the result of a strategic merge patch: the
// patched map goes straight into the kind's Go type, not through JSON, so a value of the wrong
// type is reported in the converter's words, not encoding/json's:
// - into a scalar: `cannot convert int64 to string` (a whole number into a string field, or a
//   fraction into an integer), else `unrecognized type: int32` (the target's kind);
// - into a struct, a map, a slice: `cannot restore struct from: string`,
//   `cannot restore map from int64`, `cannot restore slice from map`.
// kube answers 422 Invalid on the field `patch` with the patch itself as Go prints it (`%+v`:
// `map[data:map[a:5]]`). Types that decode themselves (Quantity, IntOrString, Time...) are
// left to their own checks; null fits everything.
import type { KObject, Strategy } from '../registry/strategy.js';
import type { Schema } from '../openapi/index.js';
import { builtinKindSchema, refName, resolve } from './schemas.js';

/** Go types with their own decoding, not checked here. */
const selfDecoding = /^io\.k8s\.apimachinery\.pkg\.(api\.resource\.Quantity|util\.intstr\.IntOrString|apis\.meta\.v1\.(Time|MicroTime|FieldsV1|Duration)|runtime\.RawExtension)$|^io\.k8s\.apiextensions-apiserver\./;

/** The reflect.Kind of a value of the patched map (JSON decoded with integers kept as int64). */
function sourceKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return 'map';
  }
}

function scalarError(v: unknown, sch: Schema): string | undefined {
  const src = sourceKind(v);
  switch (sch.type) {
    case 'string':
      if (src === 'string') return undefined;
      return src === 'int64' ? 'cannot convert int64 to string' : 'unrecognized type: string';
    case 'boolean':
      return src === 'bool' ? undefined : 'unrecognized type: bool';
    case 'number':
      return src === 'int64' || src === 'float64' ? undefined : 'unrecognized type: float64';
    case 'integer': {
      const target = sch.format === 'int32' ? 'int32' : 'int64';
      if (src === 'int64') return undefined;
      return src === 'float64' ? `cannot convert float64 to ${target}` : `unrecognized type: ${target}`;
    }
  }
  return undefined;
}

function check(v: unknown, s: Schema, all: Record<string, Schema>): string | undefined {
  if (v === null || v === undefined) return undefined;
  const ref = refName(s);
  if (ref && selfDecoding.test(ref)) return undefined;
  const sch = resolve(s, all);
  if (!sch || sch['x-kubernetes-preserve-unknown-fields']) return undefined;
  if (sch.type === 'array') {
    // []byte (format byte) takes a base64 string.
    if (sch.format === 'byte') return undefined;
    if (!Array.isArray(v)) return `cannot restore slice from ${sourceKind(v)}`;
    if (!sch.items) return undefined;
    for (const x of v) {
      const e = check(x, sch.items, all);
      if (e) return e;
    }
    return undefined;
  }
  if (sch.properties) {
    if (sourceKind(v) !== 'map') return `cannot restore struct from: ${sourceKind(v)}`;
    const o = v as Record<string, unknown>;
    for (const k in sch.properties) {
      if (!(k in o)) continue;
      const e = check(o[k], sch.properties[k], all);
      if (e) return e;
    }
    return undefined;
  }
  if (sch.additionalProperties && typeof sch.additionalProperties === 'object') {
    if (sourceKind(v) !== 'map') return `cannot restore map from ${sourceKind(v)}`;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const e = check(o[k], sch.additionalProperties, all);
      if (e) return e;
    }
    return undefined;
  }
  if (sch.type === 'string' && sch.format === 'byte') return typeof v === 'string' ? undefined : `cannot restore slice from ${sourceKind(v)}`;
  return scalarError(v, sch);
}

/** What converting `obj` into its kind's Go type would report (undefined: it converts). */
export function unstructuredConvertError(strategy: Strategy, obj: KObject): string | undefined {
  const s = builtinKindSchema(strategy);
  return s ? check(obj, s.root, s.all) : undefined;
}

/** A float as Go's %v prints it: shortest digits, exponent form below 1e-4 or from 1e6. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mant, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** A decoded JSON value as Go's fmt prints it with %+v (maps with sorted keys). */
export function goValueString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValueString).join(' ')}]`;
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return String(v);
    case 'number':
      return Number.isSafeInteger(v) ? String(v) : goFloat(v);
    case 'object': {
      const o = v as Record<string, unknown>;
      return `map[${Object.keys(o)
        .sort()
        .map((k) => `${k}:${goValueString(o[k])}`)
        .join(' ')}]`;
    }
  }
  return String(v);
}
