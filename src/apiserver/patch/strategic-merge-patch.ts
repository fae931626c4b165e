// Kubernetes' strategic merge patch (application/strategic-merge-patch+json), server side, as
// apimachinery's strategicpatch.StrategicMergeMapPatch (MergeParallelList and
// IgnoreUnmatchedNulls on):
// - maps merge key by key; `null` deletes a key;
// - lists whose field has patchStrategy merge are merged: lists of maps by patchMergeKey, lists of
//   primitives as a set union; other lists are replaced;
// - directives: `$patch: replace|delete` in a map, `{$patch: delete, <key>: v}` and
//   `{$patch: replace}` elements in a merge list, `$deleteFromPrimitiveList/<field>`,
//   `$setElementOrder/<field>` (order: $setElementOrder > patch order > live order) and
//   `$retainKeys`.
// Values the patch adds where the live object has nothing are cleaned of nulls and directives
// (Kubernetes drops them when decoding into Go structs; we have no structs, so we do it here).
// Error texts are apimachinery's (checked against kubectl patch --local). Status codes: the
// ones apiserver maps (bad $retainKeys/$setElementOrder/primitive-list formats) are 400 as
// there; the rest (unknown directive, missing merge key) reach Kubernetes clients as a 500 with
// no reason, which we answer as 400 BadRequest instead, deliberately.
import { badRequest, unprocessable, unsupportedMediaType } from './errors.js';
import { clone, deepEqual, goValue, isObject, type JsonObject } from './json-util.js';
import { childSchema, mergeInfoFor, type FieldSchema, type SchemaLookup } from './merge-keys.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList/';
const SET_ORDER_PREFIX = '$setElementOrder/';

/**
 * Applies a strategic merge patch to the live object of a built-in kind. The kind comes from the
 * live object (else the patch). Throws 415 UnsupportedMediaType for kinds the lookup does not
 * know (custom resources), 400/422 for malformed patches. Inputs are not modified.
 */
export function applyStrategicMergePatch(live: unknown, patch: unknown, lookup: SchemaLookup = mergeInfoFor): JsonObject {
  if (!isObject(patch)) {
    const t = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
  }
  const ref = isObject(live) ? live : patch;
  const schema = lookup(String(ref.apiVersion ?? ''), String(ref.kind ?? ''));
  if (!schema) throw unsupportedMediaType();
  return strategicMerge(isObject(live) ? live : {}, patch, schema);
}

/** The strategic merge of `patch` into `original` with explicit patch metadata (no kind lookup). */
export function strategicMerge(original: JsonObject, patch: JsonObject, schema: FieldSchema | undefined): JsonObject {
  return mergeMap(clone(original), clone(patch), schema);
}

const patchStrategies = (s: FieldSchema | undefined): string[] => (s?.patchStrategy ?? '').split(',').filter(Boolean);

function mergeMap(original: JsonObject, patch: JsonObject, schema: FieldSchema | undefined): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, schema);
    }
    if (d === 'delete') return {};
    throw badRequest(`unknown patch type: ${goValue(d)} in map: ${goValue(patch)}`);
  }
  applyRetainKeys(original, patch);
  mergeSetElementOrder(original, patch, schema);

  for (const k of Object.keys(patch)) {
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(DELETE_PRIMITIVE_PREFIX)) {
      key = k.slice(DELETE_PRIMITIVE_PREFIX.length);
      isDeleteList = true;
      if (!Array.isArray(patch[k])) throw badRequest('invalid patch format of primitive list');
    } else if (k.startsWith('$')) {
      continue; // a directive already consumed above (or unknown: ignored like an unknown field)
    }
    const patchV = patch[k];
    const sub = childSchema(schema, key);
    if (patchV === null) {
      delete original[key];
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(original, key)) {
      if (!isDeleteList) original[key] = newValue(patchV, sub);
      continue;
    }
    const ov = original[key];
    if (isObject(ov) && isObject(patchV)) {
      original[key] = patchStrategies(sub).includes('replace') ? newValue(patchV, sub) : mergeMap(ov, patchV, sub);
    } else if (Array.isArray(ov) && Array.isArray(patchV)) {
      original[key] = mergeSliceHandler(ov, patchV, sub, isDeleteList);
    } else if (!isDeleteList) {
      original[key] = newValue(patchV, sub);
    }
  }
  return original;
}

/** A value the patch introduces: nulls dropped, directives applied against nothing. */
function newValue(v: unknown, schema: FieldSchema | undefined): unknown {
  if (isObject(v)) return mergeMap({}, v, schema);
  if (Array.isArray(v)) return mergeSliceHandler([], v, schema, false);
  return v;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest('invalid patch format of retainKeys');
  const keep = new Set(list.map((x) => String(x)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX) || k === DIRECTIVE) continue;
    if (!keep.has(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Processes `$setElementOrder/<field>` directives together with their lists (mergePatchIntoOriginal). */
function mergeSetElementOrder(original: JsonObject, patch: JsonObject, schema: FieldSchema | undefined): void {
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(SET_ORDER_PREFIX)) continue;
    const order = patch[k];
    delete patch[k];
    if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
    const field = k.slice(SET_ORDER_PREFIX.length);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, field) && original[field] !== null;
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, field) && patch[field] !== null;
    const originalList = foundOriginal ? original[field] : undefined;
    const patchList = foundPatch ? patch[field] : undefined;
    if (foundOriginal && !Array.isArray(originalList)) throw badRequest('invalid patch format of setElementOrder list');
    if (foundPatch && !Array.isArray(patchList)) throw badRequest('invalid patch format of setElementOrder list');
    const sub = childSchema(schema, field);
    const mergeKey = sub?.patchMergeKey ?? '';
    validatePatchWithSetOrderList((patchList as unknown[] | undefined) ?? [], order, mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList as unknown[];
    else if (!foundOriginal && foundPatch) merged = mergeSliceHandler([], patchList as unknown[], sub, false);
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalList as unknown[], patchList as unknown[], sub, false);
    else continue;
    const isMaps = mergeKey !== '' && merged.every(isObject);
    const [patchItems, serverOnly] = partition(merged, order, isMaps ? mergeKey : '');
    original[field] = normalizeElementOrder(patchItems, serverOnly, order, (originalList as unknown[] | undefined) ?? [], isMaps ? mergeKey : '');
    delete patch[field];
  }
}

/** The patch list's items (deletions aside) must appear in $setElementOrder in the same relative order. */
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((x) => !(isObject(x) && Object.prototype.hasOwnProperty.call(x, DIRECTIVE)));
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    if (sameItem(items[pi], order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < items.length) {
    throw badRequest(`The order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(order)}\n`);
  }
}

function sameItem(a: unknown, b: unknown, mergeKey: string): boolean {
  if (mergeKey && isObject(a) && isObject(b)) return a[mergeKey] !== undefined && deepEqual(a[mergeKey], b[mergeKey]);
  return deepEqual(a, b);
}

function indexIn(list: unknown[], item: unknown, mergeKey: string): number {
  return list.findIndex((x) => sameItem(x, item, mergeKey));
}

function partition(items: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of items) (indexIn(by, v, mergeKey) >= 0 ? inPatch : serverOnly).push(v);
  return [inPatch, serverOnly];
}

function mergeSliceHandler(original: unknown[], patch: unknown[], schema: FieldSchema | undefined, isDeleteList: boolean): unknown[] {
  if (patchStrategies(schema).includes('merge') || isDeleteList) return mergeSlice(original, patch, schema, isDeleteList);
  return patch.map((v) => newValue(v, schema?.items));
}

function mergeSlice(original: unknown[], patch: unknown[], schema: FieldSchema | undefined, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  if (all.some(Array.isArray)) throw unprocessable('lists of lists are not supported');
  const maps = all.every(isObject);
  if (!maps && all.some(isObject)) throw badRequest(`list element types are not identical: ${goValue(all)}`);

  if (!maps) {
    if (isDeleteList) return original.filter((v) => !patch.some((d) => deepEqual(d, v)));
    const merged: unknown[] = [];
    for (const v of all) if (!merged.some((m) => deepEqual(m, v))) merged.push(v);
    const [patchItems, serverOnly] = partition(merged, patch, '');
    return normalizeElementOrder(patchItems, serverOnly, patch, original, '');
  }

  const mergeKey = schema?.patchMergeKey;
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type map');
  let orig = original as JsonObject[];
  const plain: JsonObject[] = [];
  let replace = false;
  for (const el of patch as JsonObject[]) {
    if (!Object.prototype.hasOwnProperty.call(el, DIRECTIVE)) {
      plain.push(el);
      continue;
    }
    switch (el[DIRECTIVE]) {
      case 'delete':
        if (!Object.prototype.hasOwnProperty.call(el, mergeKey)) throw badRequest(`map: ${goValue(el)} does not contain declared merge key: ${mergeKey}`);
        orig = orig.filter((o) => !deepEqual(o[mergeKey], el[mergeKey]));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw badRequest('merging lists cannot yet be specified in the patch');
      default:
        throw badRequest(`unknown patch type: ${goValue(el[DIRECTIVE])} in map: ${goValue(el)}`);
    }
  }
  if (replace) return plain.map((v) => newValue(v, schema?.items));

  const merged: unknown[] = [...orig];
  for (const el of plain) {
    if (!Object.prototype.hasOwnProperty.call(el, mergeKey)) throw badRequest(`map: ${goValue(el)} does not contain declared merge key: ${mergeKey}`);
    const i = merged.findIndex((o) => deepEqual((o as JsonObject)[mergeKey], el[mergeKey]));
    if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, el, schema?.items);
    else merged.push(newValue(el, schema?.items));
  }
  const [patchItems, serverOnly] = partition(merged, plain, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, plain, orig, mergeKey);
}

/**
 * Sorts the patch items by `patchOrder` and the server-only items by `serverOrder`, then merges
 * the two keeping both relative orders (apimachinery's normalizeElementOrder / mergeSortedSlice).
 */
function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string): unknown[] {
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function sortBy(items: unknown[], order: unknown[], mergeKey: string): unknown[] {
  const found: [number, number, unknown][] = [];
  const missing: unknown[] = [];
  items.forEach((v, n) => {
    const i = indexIn(order, v, mergeKey);
    if (i >= 0) found.push([i, n, v]);
    else missing.push(v);
  });
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return [...found.map((f) => f[2]), ...missing];
}

