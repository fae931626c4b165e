// Server-side apply (application/apply-patch+yaml), as structured-merge-diff's Updater.Apply
// behind kube-apiserver's FieldManager:
// 1. the applied configuration is merged into the live object (maps by key, list-maps by their
//    keys, sets as unions, atomic lists/maps replaced);
// 2. the manager's Apply entry becomes exactly the applied configuration's field set;
// 3. fields the manager applied last time but no longer specifies are removed unless another
//    manager owns them (or something below them);
// 4. fields the result changes (added or modified) that another manager owns are conflicts:
//    409 ApplyConflictError, unless force, which moves them to the applier. Applying the value
//    another manager already set is no conflict: both then own the field.
import { ApplyConflictError, badRequest, type ApplyConflict } from './errors.js';
import { clone, deepEqual, isObject, type JsonObject } from './json-util.js';
import { compareObjects, fieldPE, FieldSet, listItemPE, pathString, toFieldSet } from './fieldpath.js';
import { childSchema, effectiveListType, withGoZeroValues, type FieldSchema } from './merge-keys.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  managerKey,
  managerText,
  schemaOf,
  stripSet,
  stripUntracked,
  type ManagerEntry,
} from './managed-fields.js';

export interface ServerSideApplyOptions {
  /** The stored object; undefined when the apply creates it. */
  live: JsonObject | undefined;
  /** The applied configuration (the request body, decoded from YAML/JSON). */
  applied: JsonObject;
  /** fieldManager (required by Kubernetes for apply). */
  manager: string;
  force: boolean;
  /** apiVersion of the request. */
  apiVersion: string;
  now: Date;
  subresource?: string;
  /** Schema for kinds that are not built in: schemaFromOpenAPI(crd openAPIV3Schema). */
  schema?: FieldSchema;
  /**
   * Fields this endpoint resets (the strategy's ResetFields): e.g. [['status']] for the main
   * resource of a kind with a status subresource, [['spec'], ['metadata']] for /status. They are
   * dropped from the applied configuration, so the applier neither changes nor owns them.
   */
  resetFields?: string[][];
}

export interface ServerSideApplyResult {
  /** The new object, metadata.managedFields included. */
  object: JsonObject;
  /** False when the apply changed nothing but managedFields bookkeeping. */
  changed: boolean;
}

export function serverSideApply(o: ServerSideApplyOptions): ServerSideApplyResult {
  if (!isObject(o.applied)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  if (!o.manager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  if (typeof o.applied.apiVersion === 'string' && o.applied.apiVersion !== o.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${o.applied.apiVersion}, expected: ${o.apiVersion}`);
  }
  if (isObject(o.applied.metadata) && o.applied.metadata.managedFields !== undefined && o.applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const applied = clone(o.applied);
  for (const path of o.resetFields ?? []) deletePath(applied, path);
  const schema = schemaOf(o.live ?? applied, o.schema);
  validateListKeys(applied, schema, '', gvkString(applied, o.apiVersion));
  const live = o.live ? clone(o.live) : undefined;
  const liveMeta = isObject(live?.metadata) ? (live!.metadata as JsonObject) : {};
  const managers = decodeManagedFields(liveMeta.managedFields);
  if (live && managers.size === 0) {
    // An object written before anyone tracked fields: Kubernetes first records everything in it
    // for "before-first-apply", so the first applier conflicts instead of silently taking over.
    const before = { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update' as const, apiVersion: o.apiVersion };
    const set = stripSet(compareObjects(withGoZeroValues({}, schema), withGoZeroValues(stripUntracked(live), schema), schema).added);
    if (!set.isEmpty()) managers.set(managerKey(before), { ...before, time: formatTime(o.now), set });
  }

  const id = { manager: o.manager, operation: 'Apply' as const, apiVersion: o.apiVersion, ...(o.subresource ? { subresource: o.subresource } : {}) };
  const key = managerKey(id);
  const previous = managers.get(key);
  const lastSet = previous?.set ?? new FieldSet();
  const configSet = stripSet(toFieldSet(stripUntracked(applied), schema));

  // 1. merge
  const liveBody = live ? withoutManagedFields(live) : {};
  let merged = mergeValue(liveBody, applied, schema, true) as JsonObject;

  // 2-3. ownership and pruning of what the applier dropped
  const others = [...managers.entries()].filter(([k]) => k !== key);
  let ownedByOthersOrNow = configSet.clone();
  for (const [, e] of others) ownedByOthersOrNow = ownedByOthersOrNow.union(e.set);
  const toPrune = lastSet.difference(configSet);
  // Untracked fields (name, uid, ...) are in no set, so pruning never touches them.
  if (!toPrune.isEmpty()) merged = pruneValue(merged, toPrune, ownedByOthersOrNow, schema) as JsonObject;

  // 4. conflicts
  const c = compareObjects(withGoZeroValues(stripUntracked(liveBody), schema), withGoZeroValues(stripUntracked(merged), schema), schema);
  const changedSet = stripSet(c.added.union(c.modified));
  const conflicts: ApplyConflict[] = [];
  const losers: [ManagerEntry, FieldSet][] = [];
  for (const [, e] of others) {
    const overlap = e.set.intersection(changedSet);
    if (overlap.isEmpty()) continue;
    losers.push([e, overlap]);
    for (const p of overlap.paths()) conflicts.push({ manager: e.manager, managerText: managerText(e), field: pathString(p) });
  }
  if (conflicts.length > 0 && !o.force) {
    conflicts.sort((a, b) => (a.managerText < b.managerText ? -1 : a.managerText > b.managerText ? 1 : 0));
    throw new ApplyConflictError(conflicts);
  }
  for (const [e, overlap] of losers) e.set = e.set.difference(overlap);
  for (const [, e] of others) e.set = e.set.difference(c.removed);

  const changed = !deepEqual(stripUntracked(liveBody), stripUntracked(merged)) || !o.live;
  const setChanged = !previous || !deepEqual([...configSet.paths()], [...previous.set.paths()]);
  managers.set(key, { ...id, time: changed || setChanged || !previous?.time ? formatTime(o.now) : previous.time, set: configSet });

  const object = merged;
  if (!isObject(object.metadata)) object.metadata = {};
  const encoded = encodeManagedFields(managers.values());
  if (encoded.length > 0) (object.metadata as JsonObject).managedFields = encoded;
  else delete (object.metadata as JsonObject).managedFields;
  return { object, changed };
}

const gvkString = (obj: JsonObject, apiVersion: string): string => {
  const gv = String(obj.apiVersion ?? apiVersion);
  return `${gv.includes('/') ? gv : '/' + gv}, Kind=${String(obj.kind ?? '')}`;
};

/** Associative-list items must carry their keys (or have defaults) and be unique, as SSA's typed conversion requires. */
function validateListKeys(v: unknown, schema: FieldSchema | undefined, path: string, gvk: string): void {
  const fail = (msg: string) => {
    throw badRequest(`failed to create typed patch object (${gvk}): ${msg}`);
  };
  if (isObject(v)) {
    if (schema?.mapType === 'atomic' && path !== '') return;
    for (const [k, val] of Object.entries(v)) validateListKeys(val, childSchema(schema, k), `${path}.${k}`, gvk);
    return;
  }
  if (!Array.isArray(v)) return;
  const lt = effectiveListType(schema);
  if (lt.type !== 'map') return;
  const seen = new Set<string>();
  v.forEach((item, i) => {
    if (!isObject(item)) return fail(`${path}: element ${i}: expected map, got ${JSON.stringify(item)}`);
    for (const k of lt.keys) {
      if ((item[k] === undefined || item[k] === null) && schema?.keyDefaults?.[k] === undefined) {
        fail(`${path}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
      }
    }
    const pe = listItemPE(item, schema)!;
    if (seen.has(pe)) fail(`${path}: duplicate entries for key ${pathString([pe])}`);
    seen.add(pe);
    validateListKeys(item, schema?.items, `${path}${pathString([pe])}`, gvk);
  });
}

/** The manager Kubernetes assigns to the fields of an object that had no managedFields at its first apply. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

function deletePath(obj: JsonObject, path: string[]): void {
  let cur: unknown = obj;
  for (const k of path.slice(0, -1)) {
    if (!isObject(cur)) return;
    cur = cur[k];
  }
  if (isObject(cur) && path.length > 0) delete cur[path[path.length - 1]];
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const out = clone(obj);
  if (isObject(out.metadata)) delete (out.metadata as JsonObject).managedFields;
  return out;
}

/** Server-side apply's merge of the applied configuration (rhs) into the live object (lhs). */
function mergeValue(lhs: unknown, rhs: unknown, schema: FieldSchema | undefined, root = false): unknown {
  if (rhs === undefined) return clone(lhs);
  if (lhs === undefined || lhs === null || rhs === null) return dropNulls(clone(rhs));
  if (isObject(lhs) && isObject(rhs)) {
    if (!root && schema?.mapType === 'atomic') return dropNulls(clone(rhs));
    const out: JsonObject = clone(lhs);
    for (const [k, v] of Object.entries(rhs)) {
      if (v === null) delete out[k];
      else out[k] = mergeValue(lhs[k], v, childSchema(schema, k));
    }
    return out;
  }
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    const lt = effectiveListType(schema);
    if (lt.type === 'atomic') return dropNulls(clone(rhs));
    return mergeList(lhs, rhs, schema, lt.type === 'map');
  }
  return dropNulls(clone(rhs));
}

function dropNulls(v: unknown): unknown {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else v[k] = dropNulls(v[k]);
    }
  } else if (Array.isArray(v)) v.forEach((x, i) => (v[i] = dropNulls(x)));
  return v;
}

/**
 * Merges two keyed lists (map or set), as structured-merge-diff's mergingWalker.visitListItems:
 * live-only items keep their place, shared items follow the applied order, new items come where
 * the applied configuration puts them.
 */
function mergeList(lhs: unknown[], rhs: unknown[], schema: FieldSchema | undefined, isMap: boolean): unknown[] {
  // keys were validated up front (validateListKeys); items without keys can only be odd set values
  const peOf = (x: unknown) => listItemPE(x, schema) ?? `v:${JSON.stringify(x)}`;
  const index = (list: unknown[]) => {
    const pes: string[] = [];
    const observed = new Map<string, unknown>();
    for (const x of list) {
      const pe = peOf(x);
      if (observed.has(pe)) continue;
      observed.set(pe, x);
      pes.push(pe);
    }
    return { pes, observed };
  };
  const L = index(lhs);
  const R = index(rhs);
  const sharedOrder = R.pes.filter((pe) => L.observed.has(pe));
  let nextShared = sharedOrder.shift();
  const mergedRHS = new Set<string>();
  const out: unknown[] = [];
  const item = (pe: string, l: unknown, r: unknown) => (r === undefined ? clone(l) : isMap ? mergeValue(l, r, schema?.items) : clone(r));
  let lI = 0;
  let rI = 0;
  while (lI < L.pes.length || rI < R.pes.length) {
    if (lI < L.pes.length && rI < R.pes.length) {
      const pe = L.pes[lI];
      if (pe === R.pes[rI]) {
        mergedRHS.add(pe);
        out.push(item(pe, L.observed.get(pe), R.observed.get(pe)));
        lI++;
        rI++;
        if (nextShared === pe) nextShared = sharedOrder.shift();
        continue;
      }
      if (R.observed.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++; // a shared item, but not the one wanted in this round
        continue;
      }
    }
    if (lI < L.pes.length) {
      const pe = L.pes[lI];
      if (!R.observed.has(pe)) {
        out.push(clone(L.observed.get(pe)));
        lI++;
        continue;
      }
      if (mergedRHS.has(pe)) {
        lI++;
        continue;
      }
    }
    if (rI < R.pes.length) {
      const pe = R.pes[rI];
      mergedRHS.add(pe);
      out.push(item(pe, L.observed.get(pe), R.observed.get(pe)));
      rI++;
      if (nextShared === pe) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/** Removes from `v` the paths of `toPrune` that nobody (other managers, the new config) owns. */
function pruneValue(v: unknown, toPrune: FieldSet, owned: FieldSet | undefined, schema: FieldSchema | undefined): unknown {
  if (isObject(v)) {
    const out: JsonObject = { ...v };
    for (const k of Object.keys(out)) {
      const pe = fieldPE(k);
      const cand = toPrune.children.get(pe);
      if (!cand) continue;
      const own = owned?.children.get(pe);
      const ownedHere = own !== undefined && !own.isEmpty();
      if (cand.self && !ownedHere) {
        delete out[k];
        continue;
      }
      if (cand.children.size > 0) {
        const before = out[k];
        const after = pruneValue(before, cand, own, childSchema(schema, k));
        if (isEmptyContainer(after) && !isEmptyContainer(before) && !(own?.self ?? false)) {
          // emptied by pruning (a map that only held the applier's entries) -> gone, as Go's omitempty does
          delete out[k];
        } else out[k] = after;
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    const lt = effectiveListType(schema);
    if (lt.type === 'atomic') return v;
    const out: unknown[] = [];
    for (const item of v) {
      const pe = listItemPE(item, schema);
      const cand = pe ? toPrune.children.get(pe) : undefined;
      if (!pe || !cand) {
        out.push(item);
        continue;
      }
      const own = owned?.children.get(pe);
      const ownedHere = own !== undefined && !own.isEmpty();
      if (cand.self && !ownedHere) continue;
      if (lt.type === 'map' && isObject(item) && cand.children.size > 0) {
        // keep the key fields of an item that stays
        const keyed = pruneValue(item, withoutKeys(cand, lt.keys), own, schema?.items);
        out.push(keyed);
      } else out.push(item);
    }
    return out;
  }
  return v;
}

const isEmptyContainer = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

function withoutKeys(s: FieldSet, keys: string[]): FieldSet {
  const out = s.clone();
  for (const k of keys) out.children.delete(fieldPE(k));
  return out;
}
