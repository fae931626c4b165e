// The values of built-in kinds whose Go types decode and encode themselves, in the form
// kube-apiserver stores and returns them:
// - resource.Quantity: parsed (a JSON string or number, surrounding spaces ignored) and encoded
//   with Quantity.String(), so `cpu: 0.5` is read back as `500m`, `1024Mi` as `1Gi`, `1000m` as
//   `1`; a malformed one fails with the parser's message (`quantities must match ...`);
// - metav1.Time: RFC 3339, encoded in UTC at whole seconds (`...T11:20:56.365Z` -> `...T11:20:56Z`,
//   as clients that send milliseconds see); a malformed one fails with Go's time.ParseError text,
//   a non-string with encoding/json's.
//
// Which fields they are comes from the kind's OpenAPI schema: the first use compiles, per kind, a
// tree of only the paths that lead to one (containers' requests and limits, emptyDir sizeLimit,
// a Node's capacity, conditions' lastTransitionTime, an Event's timestamps...). Objects are not modified: a changed value is written into
// copies of the objects and arrays on its path (a patch's result can share parts with the stored
// object).
import type { KObject, Strategy } from '../registry/strategy.js';
import type { Schema } from '../openapi/index.js';
import { QuantityError, canonicalQuantity } from '../../api/quantity.js';
import { TimeParseError, canonicalTime } from '../../api/rfc3339.js';
import { builtinKindSchema, refName, resolve } from './schemas.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';

/** The paths under a schema that reach a Quantity or a Time. */
interface QNode {
  leaf?: 'quantity' | 'time';
  props?: Record<string, QNode>;
  items?: QNode;
  values?: QNode;
}

const byName = new Map<string, QNode | null>();
const byKind = new Map<string, QNode | null>();

function compile(s: Schema | undefined, all: Record<string, Schema>, visiting: Set<string>): QNode | undefined {
  if (!s) return undefined;
  const ref = refName(s);
  if (ref === QUANTITY) return { leaf: 'quantity' };
  if (ref === TIME) return { leaf: 'time' };
  if (ref) {
    const memo = byName.get(ref);
    if (memo !== undefined) return memo ?? undefined;
    // Recursive types (JSONSchemaProps) hold none: a cycle is cut, not followed.
    if (visiting.has(ref)) return undefined;
    visiting.add(ref);
    const node = compileShape(all[ref], all, visiting);
    visiting.delete(ref);
    byName.set(ref, node ?? null);
    return node;
  }
  return compileShape(resolve(s, all), all, visiting);
}

function compileShape(sch: Schema | undefined, all: Record<string, Schema>, visiting: Set<string>): QNode | undefined {
  if (!sch) return undefined;
  if (sch.properties) {
    const props: Record<string, QNode> = {};
    let any = false;
    for (const [k, child] of Object.entries(sch.properties)) {
      const n = compile(child, all, visiting);
      if (n) {
        props[k] = n;
        any = true;
      }
    }
    return any ? { props } : undefined;
  }
  if (sch.items) {
    const items = compile(sch.items, all, visiting);
    return items ? { items } : undefined;
  }
  if (sch.additionalProperties && typeof sch.additionalProperties === 'object') {
    const values = compile(sch.additionalProperties, all, visiting);
    return values ? { values } : undefined;
  }
  return undefined;
}

function treeFor(strategy: Strategy): QNode | undefined {
  const { group, version, kind } = strategy.info;
  const key = `${group}/${version}/${kind}`;
  let node = byKind.get(key);
  if (node === undefined) {
    const s = builtinKindSchema(strategy);
    node = (s && compile(s.root, s.all, new Set())) ?? null;
    byKind.set(key, node);
  }
  return node ?? undefined;
}

/** Thrown for a Quantity or Time that does not decode; the message is the decoder's. */
export class InvalidValue extends Error {}

// Canonical forms by input: a cluster writes the same few values ("100m", "64Mi", a handful of
// recent timestamps) over and over. Cleared when it grows past a bound.
const memo = new Map<string, string>();
const MEMO_LIMIT = 4096;
function remember(key: string, value: string): string {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/** The canonical string of one Quantity JSON value (null stays null). */
export function canonicalQuantityValue(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) {
    const key = typeof v === 'string' ? `q${v}` : `n${v}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    try {
      return remember(key, canonicalQuantity(String(v).trim()));
    } catch (e) {
      if (e instanceof QuantityError) throw new InvalidValue(e.message);
      throw e;
    }
  }
  // Anything else reaches the parser as its JSON text, which never matches.
  throw new InvalidValue(new QuantityError().message);
}

/** The canonical string of one Time JSON value (null stays null). */
export function canonicalTimeValue(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v !== 'string') throw new InvalidValue(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v} into Go value of type string`);
  const known = memo.get(`t${v}`);
  if (known !== undefined) return known;
  try {
    return remember(`t${v}`, canonicalTime(v));
  } catch (e) {
    if (e instanceof TimeParseError) throw new InvalidValue(e.message);
    throw e;
  }
}

function walk(v: unknown, n: QNode): unknown {
  if (n.leaf === 'quantity') return canonicalQuantityValue(v);
  if (n.leaf === 'time') return canonicalTimeValue(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    if (!n.items) return v;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = walk(v[i], n.items);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  if (n.props) {
    for (const k in n.props) {
      if (!(k in o)) continue;
      const c = walk(o[k], n.props[k]);
      if (c !== o[k]) (out ??= { ...o })[k] = c;
    }
  } else if (n.values) {
    for (const k in o) {
      const c = walk(o[k], n.values);
      if (c !== o[k]) (out ??= { ...o })[k] = c;
    }
  }
  return out ?? o;
}

/**
 * `obj` with every Quantity and Time of its kind in canonical form: the same object when nothing
 * changes (or the kind has no built-in schema), else a copy along the changed paths. Throws
 * InvalidValue for a value that does not decode.
 */
export function canonicalizeValues<T extends KObject>(strategy: Strategy, obj: T): T {
  const tree = treeFor(strategy);
  return tree ? (walk(obj, tree) as T) : obj;
}
