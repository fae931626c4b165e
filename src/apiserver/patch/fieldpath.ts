// Field sets in Kubernetes' FieldsV1 format (structured-merge-diff's fieldpath.Set), as stored in
// metadata.managedFields[].fieldsV1:
//   {"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}
// Path elements: `f:<field>`, `k:<json of the list-map keys, sorted by name>`, `v:<json value>`
// (set lists), `i:<index>`. A node that is itself a member and has children carries ".": {}.
import { isObject, deepEqual, type JsonObject } from './json-util.js';
import { childSchema, effectiveListType, type FieldSchema } from './merge-keys.js';

/** A tree of path elements; `self` = the path to this node is itself in the set. */
export class FieldSet {
  self = false;
  readonly children = new Map<string, FieldSet>();

  /** The child for one path element, created when missing. */
  child(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  isEmpty(): boolean {
    if (this.self) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Inserts a path (list of path elements). */
  insert(path: string[]): void {
    path.reduce((n: FieldSet, pe) => n.child(pe), this).self = true;
  }

  has(path: string[]): boolean {
    return this.at(path)?.self ?? false;
  }

  /** The node at a path, if any. */
  at(path: string[]): FieldSet | undefined {
    return path.reduce((n: FieldSet | undefined, pe) => n?.children.get(pe), this);
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.self = this.self;
    for (const [k, v] of this.children) out.children.set(k, v.clone());
    return out;
  }

  union(o: FieldSet): FieldSet {
    const out = this.clone();
    mergeInto(out, o);
    return out;
  }

  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.self = this.self && !o.self;
    for (const [k, v] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? v.difference(oc) : v.clone();
      if (!d.isEmpty()) out.children.set(k, d);
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.self = this.self && o.self;
    for (const [k, v] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = v.intersection(oc);
      if (!i.isEmpty()) out.children.set(k, i);
    }
    return out;
  }

  /** Every member path, children in FieldsV1 order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.self) out.push(prefix);
    for (const k of sortedKeys(this.children)) out.push(...this.children.get(k)!.paths([...prefix, k]));
    return out;
  }

  /** Removes a whole subtree (the path and everything below it). */
  removeSubtree(path: string[]): void {
    if (path.length === 0) {
      this.self = false;
      this.children.clear();
      return;
    }
    const parent = this.at(path.slice(0, -1));
    parent?.children.delete(path[path.length - 1]);
  }
}

function mergeInto(a: FieldSet, b: FieldSet): void {
  a.self ||= b.self;
  for (const [k, v] of b.children) mergeInto(a.child(k), v);
}

// structured-merge-diff orders path elements: field names, then keys, then values, then indices.
const peRank = (k: string): number => (k === '.' ? 0 : k.startsWith('f:') ? 1 : k.startsWith('k:') ? 2 : k.startsWith('v:') ? 3 : k.startsWith('i:') ? 4 : 5);

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** value.Compare-like ordering of JSON values: by type, numbers numerically, strings bytewise. */
function cmpValue(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : Array.isArray(v) ? 4 : 5);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return cmpStr(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return cmpStr(JSON.stringify(a), JSON.stringify(b));
}

function cmpPE(a: string, b: string): number {
  const r = peRank(a) - peRank(b);
  if (r !== 0) return r;
  if (a.startsWith('k:') && b.startsWith('k:')) {
    const ka = JSON.parse(a.slice(2)) as JsonObject;
    const kb = JSON.parse(b.slice(2)) as JsonObject;
    const na = Object.keys(ka).sort();
    const nb = Object.keys(kb).sort();
    for (let i = 0; i < Math.min(na.length, nb.length); i++) {
      const c = cmpStr(na[i], nb[i]) || cmpValue(ka[na[i]], kb[nb[i]]);
      if (c !== 0) return c;
    }
    return na.length - nb.length;
  }
  if (a.startsWith('v:') && b.startsWith('v:')) return cmpValue(JSON.parse(a.slice(2)), JSON.parse(b.slice(2)));
  if (a.startsWith('i:') && b.startsWith('i:')) return Number(a.slice(2)) - Number(b.slice(2));
  return cmpStr(a, b);
}

function sortedKeys(m: Map<string, FieldSet>): string[] {
  const keys = [...m.keys()];
  return keys.length > 1 ? keys.sort(cmpPE) : keys;
}

/** Decodes a FieldsV1 object. */
export function fieldSetFromFieldsV1(v: unknown): FieldSet {
  const out = new FieldSet();
  if (!isObject(v)) return out;
  const walk = (obj: JsonObject, node: FieldSet) => {
    const keys = Object.keys(obj);
    if (keys.length === 0) {
      node.self = true;
      return;
    }
    for (const k of keys) {
      if (k === '.') {
        node.self = true;
        continue;
      }
      const c = node.child(k);
      walk(isObject(obj[k]) ? (obj[k] as JsonObject) : {}, c);
    }
  };
  for (const [k, child] of Object.entries(v)) if (k !== '.') walk(isObject(child) ? child : {}, out.child(k));
  return out;
}

/** Encodes a set as FieldsV1 (`{}` for leaves, `".": {}` for members with children). */
export function fieldSetToFieldsV1(s: FieldSet): JsonObject {
  const out: JsonObject = {};
  for (const k of sortedKeys(s.children)) {
    const e = encodeNode(s.children.get(k)!);
    if (e) out[k] = e;
  }
  return out;
}

/** One node in FieldsV1, or undefined when its subtree holds no member (one pass, no isEmpty walks). */
function encodeNode(n: FieldSet): JsonObject | undefined {
  let kids: [string, JsonObject][] | undefined;
  for (const k of sortedKeys(n.children)) {
    const e = encodeNode(n.children.get(k)!);
    if (e) (kids ??= []).push([k, e]);
  }
  if (!kids) return n.self ? {} : undefined;
  const out: JsonObject = {};
  if (n.self) out['.'] = {};
  for (const [k, e] of kids) out[k] = e;
  return out;
}

/** `f:<name>`. */
export const fieldPE = (name: string): string => `f:${name}`;

/** The path element of a list item (`k:{...}` / `v:...`), or undefined when the list is atomic or the item lacks its keys. */
export function listItemPE(item: unknown, schema: FieldSchema | undefined): string | undefined {
  const lt = effectiveListType(schema);
  if (lt.type === 'set') return `v:${JSON.stringify(item)}`;
  if (lt.type === 'map') {
    if (!isObject(item) || lt.keys.length === 0) return undefined;
    const key: JsonObject = {};
    for (const k of [...lt.keys].sort()) {
      const v = item[k] ?? schema?.keyDefaults?.[k];
      if (v !== undefined && v !== null) key[k] = v;
    }
    if (Object.keys(key).length === 0) return undefined;
    return `k:${JSON.stringify(key)}`;
  }
  return undefined;
}

/** Path as Kubernetes prints it in conflicts: `.spec.containers[name="c"].image`. */
export function pathString(path: string[]): string {
  return path
    .map((pe) => {
      if (pe.startsWith('f:')) return '.' + pe.slice(2);
      if (pe.startsWith('k:')) {
        const key = JSON.parse(pe.slice(2)) as JsonObject;
        return '[' + Object.keys(key).sort().map((k) => `${k}=${goString(key[k])}`).join(',') + ']';
      }
      if (pe.startsWith('v:')) return `[=${goString(JSON.parse(pe.slice(2)))}]`;
      if (pe.startsWith('i:')) return `[${pe.slice(2)}]`;
      return pe;
    })
    .join('');
}

const goString = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/**
 * The set of fields an object (or an applied configuration) sets, as server-side apply counts
 * them (structured-merge-diff ToFieldSet): scalars, nulls and empty maps are leaves; atomic
 * lists/maps are leaves; list items of map/set lists are members themselves (".") and
 * contain their fields; entries of free-form maps (labels) are members.
 */
export function toFieldSet(value: unknown, schema: FieldSchema | undefined): FieldSet {
  const root = new FieldSet();
  walkSet(value, schema, root, true);
  root.self = false;
  return root;
}

function walkSet(v: unknown, schema: FieldSchema | undefined, node: FieldSet, root = false): void {
  if (isObject(v)) {
    const keys = Object.keys(v);
    if ((!root && schema?.mapType === 'atomic') || keys.length === 0) {
      node.self = true;
      return;
    }
    for (const k of keys) {
      const child = node.child(fieldPE(k));
      const val = v[k];
      walkSet(val, childSchema(schema, k), child);
      const isStructField = !schema?.values || Object.prototype.hasOwnProperty.call(schema.fields ?? {}, k);
      if (!isStructField) child.self = true;
    }
    return;
  }
  if (Array.isArray(v)) {
    const lt = effectiveListType(schema);
    if (lt.type === 'atomic' || v.length === 0) {
      node.self = true;
      return;
    }
    for (const item of v) {
      const pe = listItemPE(item, schema);
      if (!pe) {
        // items without their keys: own the list as a whole
        node.self = true;
        continue;
      }
      const c = node.child(pe);
      if (lt.type === 'map') walkSet(item, schema?.items, c);
      c.self = true;
    }
    return;
  }
  node.self = true;
}

/** The changes between two versions of an object (structured-merge-diff's Comparison). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares two objects under a schema. */
export function compareObjects(oldV: unknown, newV: unknown, schema: FieldSchema | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(oldV, newV, schema, [], c, true);
  for (const s of [c.added, c.modified, c.removed]) s.self = false;
  return c;
}

const isContainer = (v: unknown): boolean => isObject(v) || Array.isArray(v);

/**
 * A subtree present on one side only: every node in it is a member (structured-merge-diff's
 * compare inserts each map/list it walks with nothing on the other side, and each leaf). This
 * is walkSet's tree with every node marked, built in one walk.
 */
function subtreeInto(target: FieldSet, path: string[], v: unknown, schema: FieldSchema | undefined): void {
  let node = target;
  for (const pe of path) node = node.child(pe);
  memberTree(v, schema, node);
}

function memberTree(v: unknown, schema: FieldSchema | undefined, node: FieldSet): void {
  node.self = true;
  if (isObject(v)) {
    if (schema?.mapType === 'atomic') return;
    for (const k in v) memberTree(v[k], childSchema(schema, k), node.child(fieldPE(k)));
  } else if (Array.isArray(v)) {
    if (v.length === 0) return;
    const lt = effectiveListType(schema);
    if (lt.type === 'atomic') return;
    for (const item of v) {
      const pe = listItemPE(item, schema);
      if (!pe) continue; // items without their keys: the list as a whole (already a member)
      const c = node.child(pe);
      if (lt.type === 'map') memberTree(item, schema?.items, c);
      else c.self = true;
    }
  }
}

function compareAt(oldV: unknown, newV: unknown, schema: FieldSchema | undefined, path: string[], c: Comparison, root = false): void {
  if (oldV === undefined && newV === undefined) return;
  if (oldV === undefined) return subtreeInto(c.added, path, newV, schema);
  if (newV === undefined) return subtreeInto(c.removed, path, oldV, schema);
  const atomicMap = !root && schema?.mapType === 'atomic';
  if (isObject(oldV) && isObject(newV) && !atomicMap) {
    if (Object.keys(oldV).length === 0 && Object.keys(newV).length === 0) return;
    // Every key of either side, old ones first.
    for (const k in oldV) compareAt(oldV[k], newV[k], childSchema(schema, k), [...path, fieldPE(k)], c);
    for (const k in newV) if (!Object.prototype.hasOwnProperty.call(oldV, k)) compareAt(undefined, newV[k], childSchema(schema, k), [...path, fieldPE(k)], c);
    return;
  }
  if (Array.isArray(oldV) && Array.isArray(newV) && effectiveListType(schema).type !== 'atomic') {
    const index = (list: unknown[]) => {
      const m = new Map<string, unknown>();
      for (const item of list) {
        const pe = listItemPE(item, schema);
        if (pe === undefined) return undefined;
        if (!m.has(pe)) m.set(pe, item);
      }
      return m;
    };
    const a = index(oldV);
    const b = index(newV);
    if (a && b) {
      for (const pe of new Set([...a.keys(), ...b.keys()])) {
        const itemSchema = effectiveListType(schema).type === 'map' ? schema?.items : undefined;
        if (effectiveListType(schema).type === 'set') {
          if (!a.has(pe)) c.added.insert([...path, pe]);
          else if (!b.has(pe)) c.removed.insert([...path, pe]);
          continue;
        }
        compareAt(a.get(pe), b.get(pe), itemSchema, [...path, pe], c);
      }
      return;
    }
  }
  // A null on one side (a Go zero value such as `containers: null`) against a non-empty container:
  // the node itself is neither added nor removed, its children are.
  const nonEmptyContainer = (x: unknown) => (Array.isArray(x) ? x.length > 0 : isObject(x) && Object.keys(x).length > 0);
  const atomicHere = (isObject(newV) || isObject(oldV) ? schema?.mapType === 'atomic' : effectiveListType(schema).type === 'atomic') && !root;
  if (!atomicHere && ((oldV === null && nonEmptyContainer(newV)) || (newV === null && nonEmptyContainer(oldV)))) {
    const side = oldV === null ? c.added : c.removed;
    const v = (oldV === null ? newV : oldV) as unknown;
    if (isObject(v)) for (const k of Object.keys(v)) subtreeInto(side, [...path, fieldPE(k)], v[k], childSchema(schema, k));
    else
      for (const item of v as unknown[]) {
        const pe = listItemPE(item, schema);
        if (pe) subtreeInto(side, [...path, pe], item, effectiveListType(schema).type === 'map' ? schema?.items : undefined);
      }
    return;
  }
  if (isContainer(oldV) !== isContainer(newV) || Array.isArray(oldV) !== Array.isArray(newV)) {
    if (isContainer(oldV) || isContainer(newV)) {
      subtreeInto(c.removed, path, oldV, schema);
      subtreeInto(c.added, path, newV, schema);
      return;
    }
  }
  if (!deepEqual(oldV, newV)) c.modified.insert(path);
}
