// resource.Quantity fields of built-in kinds in canonical form, as kube-apiserver stores and
// returns them: its decoder parses each Quantity (a JSON string or number, surrounding spaces
// ignored) and encodes it back with Quantity.String(), so `cpu: 0.5` is read back as `500m`,
// `1024Mi` as `1Gi`, `1000m` as `1`. A value that does not parse fails the decoding with the
// parser's own message (`quantities must match the regular expression ...`).
//
// Which fields are Quantities comes from the kind's OpenAPI schema: the first use compiles, per
// kind, a tree of only the paths that lead to a Quantity (containers' requests and limits,
// emptyDir sizeLimit, a LimitRange's or ResourceQuota's maps, a Node's capacity...), so objects
// without any cost one property lookup. Objects are not modified: a changed value is written into
// copies of the objects and arrays on its path (a patch's result can share parts with the stored
// object).
import type { KObject, Strategy } from '../registry/strategy.js';
import { builtinSchemas, builtinSchemaName, type Schema } from '../openapi/index.js';
import { QuantityError, canonicalQuantity } from '../../api/quantity.js';
import { refName, resolve } from './schemas.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** The paths under a schema that reach a Quantity. */
interface QNode {
  quantity?: boolean;
  props?: Record<string, QNode>;
  items?: QNode;
  values?: QNode;
}

const byName = new Map<string, QNode | null>();
const byKind = new Map<string, QNode | null>();

function compile(s: Schema | undefined, all: Record<string, Schema>, visiting: Set<string>): QNode | undefined {
  if (!s) return undefined;
  const ref = refName(s);
  if (ref === QUANTITY) return { quantity: true };
  if (ref) {
    const memo = byName.get(ref);
    if (memo !== undefined) return memo ?? undefined;
    // Recursive types (JSONSchemaProps) hold no Quantity: a cycle is cut, not followed.
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
    node = null;
    try {
      const all = builtinSchemas();
      const name = builtinSchemaName(group, version, kind);
      if (name && all[name]) node = compile({ $ref: `#/components/schemas/${name}` }, all, new Set()) ?? null;
    } catch {
      node = null;
    }
    byKind.set(key, node);
  }
  return node ?? undefined;
}

/** Thrown for a Quantity that does not parse; the message is the parser's. */
export class InvalidQuantity extends Error {}

/** The canonical string of one Quantity JSON value (null stays null). */
export function canonicalQuantityValue(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) {
    try {
      return canonicalQuantity(String(v).trim());
    } catch (e) {
      if (e instanceof QuantityError) throw new InvalidQuantity(e.message);
      throw e;
    }
  }
  // Anything else reaches the parser as its JSON text, which never matches.
  throw new InvalidQuantity(new QuantityError().message);
}

function walk(v: unknown, n: QNode): unknown {
  if (n.quantity) return canonicalQuantityValue(v);
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
 * `obj` with every Quantity of its kind in canonical form: the same object when nothing changes
 * (or the kind has no built-in schema), else a copy along the changed paths. Throws
 * InvalidQuantity for a value that does not parse.
 */
export function canonicalizeQuantities<T extends KObject>(strategy: Strategy, obj: T): T {
  const tree = treeFor(strategy);
  return tree ? (walk(obj, tree) as T) : obj;
}
