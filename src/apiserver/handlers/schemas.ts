// Decoding a request body of a built-in kind against its OpenAPI schema (the openapi module's
// builtin schemas), as kube-apiserver's JSON decoder into Go types does:
// - unknown fields, printed as Kubernetes' strict decoder does: `spec.containers[0].foo`;
// - the first value of the wrong JSON type, worded as Go's encoding/json reports it
//   (`json: cannot unmarshal number into Go struct field ConfigMap.data of type string`): the
//   innermost struct's Go name, then the JSON path from the root without list indexes or map
//   keys, then the field's Go type. null fits every field. Types with their own JSON decoding
//   (Quantity, IntOrString, Time, raw JSON...) are not checked here.
import type { KObject, Strategy } from '../registry/strategy.js';
import { builtinSchemas, builtinSchemaName, refTarget, type Schema } from '../openapi/index.js';

/** Go types that decode JSON themselves (not plain struct/map/slice/scalar decoding). */
const customDecoded = new Set([
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/** The schema a `$ref` (possibly wrapped in a one-element allOf) names, if any. */
export function refName(s: Schema | undefined): string | undefined {
  let cur = s;
  for (let i = 0; cur && i < 10; i++) {
    if (cur.$ref) return refTarget(cur.$ref);
    if (cur.allOf?.length === 1 && !cur.properties) cur = cur.allOf[0];
    else return undefined;
  }
  return undefined;
}

/** The schema a field's `$ref` (possibly in a one-element allOf) leads to. */
export function resolve(s: Schema | undefined, all: Record<string, Schema>): Schema | undefined {
  let cur = s;
  for (let i = 0; cur && i < 10; i++) {
    if (cur.$ref) cur = all[refTarget(cur.$ref)];
    else if (cur.allOf?.length === 1 && !cur.properties) cur = cur.allOf[0];
    else break;
  }
  return cur;
}

/** The Go type of a field as encoding/json names it: v1.PodSpec, []v1.Container, map[string]string, int32. */
function goType(s: Schema | undefined, all: Record<string, Schema>): string {
  const ref = refName(s);
  if (ref) return ref.split('.').slice(-2).join('.');
  const sch = resolve(s, all) ?? {};
  switch (sch.type) {
    case 'string':
      return sch.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return sch.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${goType(sch.items, all)}`;
    default:
      return sch.additionalProperties && typeof sch.additionalProperties === 'object' ? `map[string]${goType(sch.additionalProperties, all)}` : 'map[string]interface {}';
  }
}

/** encoding/json's name for a JSON value that does not fit (`number 1.5` for a non-integer into an int). */
function mismatch(v: unknown, sch: Schema): string | undefined {
  const kind = Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
  switch (sch.type) {
    case 'string':
      return kind === 'string' ? undefined : kind;
    case 'boolean':
      return kind === 'bool' ? undefined : kind;
    case 'number':
      return kind === 'number' ? undefined : kind;
    case 'integer': {
      if (kind !== 'number') return kind;
      const n = v as number;
      const max = sch.format === 'int32' ? 2 ** 31 : 2 ** 63;
      return Number.isInteger(n) && n >= -max && n < max ? undefined : `number ${String(v)}`;
    }
    case 'array':
      return kind === 'array' ? undefined : kind;
    default:
      if (sch.properties || sch.type === 'object') return kind === 'object' ? undefined : kind;
      return undefined;
  }
}

interface Found {
  unknown: string[];
  typeError?: string;
}

/** `path`: with list indexes (unknown fields); `fields`: JSON names only (type errors). */
/** A field's schema resolved once (schemas are static): its $ref name and target, or nothing to check. */
interface Resolved {
  ref?: string;
  sch?: Schema;
}
const resolvedCache = new WeakMap<Schema, Resolved>();
const roots = new Map<string, Schema>();

function resolveOnce(s: Schema, all: Record<string, Schema>): Resolved {
  let r = resolvedCache.get(s);
  if (!r) {
    const ref = refName(s);
    const sch = ref && customDecoded.has(ref) ? undefined : resolve(s, all);
    r = { ref, sch: sch && !sch['x-kubernetes-preserve-unknown-fields'] ? sch : undefined };
    resolvedCache.set(s, r);
  }
  return r;
}

function walk(v: unknown, s: Schema | undefined, path: string, fields: string, struct: string, all: Record<string, Schema>, out: Found): void {
  if (v === null || v === undefined || !s || out.unknown.length > 50) return;
  const { ref, sch } = resolveOnce(s, all);
  if (!sch) return;
  const bad = fields ? mismatch(v, sch) : undefined;
  if (bad) {
    out.typeError ??= `json: cannot unmarshal ${bad} into Go struct field ${struct}.${fields} of type ${goType(s, all)}`;
    return;
  }
  if (Array.isArray(v)) {
    if (sch.items) for (let i = 0; i < v.length; i++) walk(v[i], sch.items, `${path}[${i}]`, fields, struct, all, out);
    return;
  }
  if (typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  if (sch.properties) {
    const inner = ref ? ref.slice(ref.lastIndexOf('.') + 1) : struct;
    for (const k in o) {
      const p = path ? `${path}.${k}` : k;
      const child = sch.properties[k];
      if (!child) {
        if (sch.additionalProperties === undefined || sch.additionalProperties === false) out.unknown.push(p);
        continue;
      }
      walk(o[k], child, p, fields ? `${fields}.${k}` : k, inner, all, out);
    }
  } else if (sch.additionalProperties && typeof sch.additionalProperties === 'object') {
    for (const k in o) walk(o[k], sch.additionalProperties, path ? `${path}.${k}` : k, fields, struct, all, out);
  }
}

/** A built-in kind's schema: all component schemas and a `$ref` to the kind's (none for custom kinds). */
export function builtinKindSchema(strategy: Strategy): { all: Record<string, Schema>; root: Schema } | undefined {
  const { group, version, kind } = strategy.info;
  let all: Record<string, Schema>;
  let name: string | undefined;
  try {
    all = builtinSchemas();
    name = builtinSchemaName(group, version, kind);
  } catch {
    return undefined;
  }
  if (!name || !all[name]) return undefined;
  let root = roots.get(name);
  if (!root) roots.set(name, (root = { $ref: `#/components/schemas/${name}` }));
  return { all, root };
}

/**
 * What decoding `obj` into its kind's Go type would report: the fields the schema does not know
 * and the first value of the wrong type (nothing when the kind has no built-in schema).
 */
export function decodeAgainstSchema(strategy: Strategy, obj: KObject): Found {
  const s = builtinKindSchema(strategy);
  const out: Found = { unknown: [] };
  if (s) walk(obj, s.root, '', '', strategy.info.kind, s.all, out);
  return out;
}

function prune(v: unknown, s: Schema, all: Record<string, Schema>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const { sch } = resolveOnce(s, all);
  if (!sch) return v;
  if (Array.isArray(v)) {
    if (!sch.items) return v;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = prune(v[i], sch.items, all);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  if (sch.properties) {
    const closed = sch.additionalProperties === undefined || sch.additionalProperties === false;
    for (const k in o) {
      const child = sch.properties[k];
      if (!child) {
        if (closed) delete (out ??= { ...o })[k];
        continue;
      }
      const c = prune(o[k], child, all);
      if (c !== o[k]) (out ??= { ...o })[k] = c;
    }
  } else if (sch.additionalProperties && typeof sch.additionalProperties === 'object') {
    for (const k in o) {
      const c = prune(o[k], sch.additionalProperties, all);
      if (c !== o[k]) (out ??= { ...o })[k] = c;
    }
  }
  return out ?? o;
}

/**
 * `obj` without the fields its kind's Go type has no place for, as decoding drops them: the same
 * object when there are none, else a copy along the pruned paths.
 */
export function pruneUnknownFields<T extends KObject>(strategy: Strategy, obj: T): T {
  const s = builtinKindSchema(strategy);
  return s ? (prune(obj, s.root, s.all) as T) : obj;
}

/** Fields of `obj` its kind's schema does not know ([] when the kind has no built-in schema). */
export function unknownFieldsFor(strategy: Strategy, obj: KObject): string[] {
  return decodeAgainstSchema(strategy, obj).unknown;
}
