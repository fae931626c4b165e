// metadata.managedFields bookkeeping for non-apply writes (create, update, patch), as
// kube-apiserver's FieldManager does: the fields a write adds or changes are assigned to its
// manager (taken from everyone else), fields it removes leave every manager's set, and entries
// of the same manager+operation+apiVersion+subresource are merged. Apply lives in
// server-side-apply.ts and shares the encoding below.
import { PatchError } from './errors.js';
import { clone, isObject, type JsonObject } from './json-util.js';
import { compareObjects, fieldSetFromFieldsV1, fieldSetToFieldsV1, FieldSet } from './fieldpath.js';
import { mergeInfoFor, withGoZeroValues, type FieldSchema } from './merge-keys.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** RFC 3339, whole seconds, UTC. */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** A decoded entry: its identity plus the field set. */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/**
 * The identity of an entry, as apiserver's BuildManagerIdentifier: manager, operation,
 * subresource, and the apiVersion for Update entries only (an applier keeps one entry across
 * versions).
 */
export function managerKey(e: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  return JSON.stringify({
    manager: e.manager,
    operation: e.operation,
    ...(e.operation === 'Apply' ? {} : { apiVersion: e.apiVersion }),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  });
}

/** How Kubernetes prints a manager in conflict messages: `"kubectl" with subresource "status" using v1`. */
export function managerText(e: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** Decodes metadata.managedFields; malformed entries are a 400 as in Kubernetes. */
export function decodeManagedFields(list: unknown): Map<string, ManagerEntry> {
  const out = new Map<string, ManagerEntry>();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new PatchError('BadRequest', 400, 'metadata.managedFields: Invalid value: must be a list of ManagedFieldsEntry');
  for (const [i, raw] of list.entries()) {
    if (!isObject(raw)) throw new PatchError('BadRequest', 400, `metadata.managedFields[${i}]: Invalid value: must be an object`);
    const operation = raw.operation;
    if (operation !== 'Apply' && operation !== 'Update') {
      throw new PatchError('BadRequest', 400, `metadata.managedFields[${i}].operation: Unsupported value: ${JSON.stringify(operation)}: supported values: "Apply", "Update"`);
    }
    if (raw.fieldsType !== undefined && raw.fieldsType !== 'FieldsV1') {
      throw new PatchError('BadRequest', 400, `metadata.managedFields[${i}].fieldsType: Unsupported value: ${JSON.stringify(raw.fieldsType)}: supported values: "FieldsV1"`);
    }
    const e: ManagerEntry = {
      manager: String(raw.manager ?? ''),
      operation,
      apiVersion: String(raw.apiVersion ?? ''),
      ...(raw.subresource ? { subresource: String(raw.subresource) } : {}),
      ...(typeof raw.time === 'string' ? { time: raw.time } : {}),
      set: fieldSetFromFieldsV1(raw.fieldsV1),
    };
    const key = managerKey(e);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(e.set);
    else out.set(key, e);
  }
  return out;
}

/** Encodes entries in Kubernetes' order (Apply before Update, then time, manager, apiVersion, subresource), dropping empty sets. */
export function encodeManagedFields(entries: Iterable<ManagerEntry>): ManagedFieldsEntry[] {
  const list = [...entries].filter((e) => !e.set.isEmpty());
  const secs = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) || secs(p.time) - secs(q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: fieldSetToFieldsV1(e.set),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function formatTime(d: Date): string {
  // Every write in the same second formats the same string: keep the last one.
  const secs = Math.floor(d.getTime() / 1000);
  if (secs !== lastTime.secs) lastTime = { secs, text: d.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return lastTime.text;
}
let lastTime = { secs: NaN, text: '' };

const strippedMeta = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'];

/** The object without the fields managedFields never tracks (apiVersion, kind, metadata.name, uid, resourceVersion, ...). */
export function stripUntracked(obj: unknown): JsonObject {
  if (!isObject(obj)) return {};
  const out: JsonObject = { ...obj };
  delete out.apiVersion;
  delete out.kind;
  if (isObject(out.metadata)) {
    const m: JsonObject = { ...out.metadata };
    for (const k of strippedMeta) delete m[k];
    out.metadata = m;
  }
  return out;
}

/** Drops the `metadata` node itself from a set (Kubernetes strips it; its children stay). */
export function stripSet(s: FieldSet): FieldSet {
  const m = s.children.get('f:metadata');
  if (m) m.self = false;
  return s;
}

/** Schema of an object: the built-in one, else the caller's (CRDs), else none. */
export function schemaOf(obj: unknown, schema?: FieldSchema): FieldSchema | undefined {
  if (schema) return schema;
  if (!isObject(obj)) return undefined;
  return mergeInfoFor(String(obj.apiVersion ?? ''), String(obj.kind ?? ''));
}

export interface UpdateManagedFieldsOptions {
  /** The stored object (undefined on create). */
  live: JsonObject | undefined;
  /** The object about to be stored (after the write's changes). */
  updated: JsonObject;
  /** The field manager (fieldManager query parameter, else the user agent's command name). */
  manager: string;
  operation?: 'Update';
  subresource?: string;
  /** apiVersion of the request ("apps/v1"). */
  apiVersion: string;
  now: Date;
  /** Schema for kinds that are not built in (from the CRD); built-in kinds use mergeInfoFor. */
  schema?: FieldSchema;
}

/**
 * Returns `updated` with metadata.managedFields recomputed for a non-apply write. Which
 * managedFields the write starts from follows apiserver's decodeLiveOrNew:
 * - subresource writes always use the live object's;
 * - `[{}]` in the request resets them (the write then only records its own changes, so a write
 *   that changes nothing else strips managedFields entirely, as the Kubernetes docs describe);
 * - otherwise the request's own managedFields when they decode and are non-empty (a client may
 *   edit them), else the live object's (clients unaware of the field cannot drop it).
 */
export function updateManagedFields(o: UpdateManagedFieldsOptions): JsonObject {
  // Only metadata.managedFields changes. On create, copy just the two levels on the way to it and
  // share the rest (the caller's object stays untouched, and the store copies what it stores; a
  // deep copy here was ~3% of a pod create's CPU). On update the result is a deep copy, since a
  // patched object may share subtrees with the live one and the store then edits it in place.
  const out: JsonObject = o.live ? clone(o.updated) : { ...o.updated };
  const meta: JsonObject = (out.metadata = isObject(out.metadata) ? (o.live ? out.metadata : { ...out.metadata }) : {});
  const liveMF = isObject(o.live?.metadata) ? (o.live!.metadata as JsonObject).managedFields : undefined;
  let managers: Map<string, ManagerEntry>;
  const requested = meta.managedFields;
  if (o.subresource) managers = decodeOrEmpty(liveMF);
  else if (isResetManagedFields(requested)) managers = new Map();
  else {
    let fromRequest: Map<string, ManagerEntry> | undefined;
    try {
      fromRequest = decodeManagedFields(requested);
    } catch {
      fromRequest = undefined;
    }
    managers = fromRequest && fromRequest.size > 0 ? fromRequest : decodeOrEmpty(liveMF);
  }
  const schema = schemaOf(out, o.schema);
  const c = compareObjects(o.live ? withGoZeroValues(stripUntracked(o.live), schema) : emptyWithZeroValues(schema), withGoZeroValues(stripUntracked(out), schema), schema);
  // On create nothing is "modified" (except Go zero values a client sent explicitly).
  const self = stripSet(c.modified.isEmpty() ? c.added : c.added.union(c.modified));
  for (const e of managers.values()) e.set = e.set.difference(self).difference(c.removed);
  const id = { manager: o.manager, operation: 'Update' as const, apiVersion: o.apiVersion, ...(o.subresource ? { subresource: o.subresource } : {}) };
  const key = managerKey(id);
  if (!self.isEmpty()) {
    const prev = managers.get(key);
    managers.set(key, { ...id, time: formatTime(o.now), set: prev ? prev.set.union(self) : self });
  }
  capUpdateManagers(managers);
  const encoded = encodeManagedFields(managers.values());
  if (encoded.length > 0) meta.managedFields = encoded;
  else delete meta.managedFields;
  return out;
}

const emptyBySchema = new WeakMap<FieldSchema, unknown>();
/**
 * What a create is compared against: an empty object with its Go zero values, the same for every
 * create of a kind, so computed once per schema (compareObjects only reads it).
 */
function emptyWithZeroValues(schema: FieldSchema | undefined): unknown {
  if (!schema) return {};
  let v = emptyBySchema.get(schema);
  if (v === undefined) emptyBySchema.set(schema, (v = withGoZeroValues({}, schema)));
  return v;
}

/** `[{}]` (one empty entry) resets managedFields. */
function isResetManagedFields(v: unknown): boolean {
  return Array.isArray(v) && v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0;
}

function decodeOrEmpty(v: unknown): Map<string, ManagerEntry> {
  try {
    return decodeManagedFields(v);
  } catch {
    return new Map();
  }
}

/** Kubernetes keeps at most this many Update entries; older ones merge into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * apiserver's capManagersManager: when there are more than MAX_UPDATE_MANAGERS Update entries,
 * the oldest are merged, per apiVersion, into an "ancient-changes" entry.
 */
export function capUpdateManagers(managers: Map<string, ManagerEntry>, max = MAX_UPDATE_MANAGERS): void {
  if (managers.size <= max) return; // no more Update entries than entries
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return;
  const secs = (t?: string) => (t ? Date.parse(t) : 0);
  updaters.sort(([ka, a], [kb, b]) => secs(a.time) - secs(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [key, e] of updaters) {
    if (length <= max) break;
    const bucketId = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update' as const, apiVersion: e.apiVersion };
    const bucketKey = managerKey(bucketId);
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, key);
      continue;
    }
    if (!managers.has(bucketKey)) {
      const firstEntry = managers.get(first)!;
      managers.delete(first);
      managers.set(bucketKey, { ...bucketId, time: firstEntry.time, set: firstEntry.set });
    }
    const bucket = managers.get(bucketKey)!;
    bucket.set = e.set.union(bucket.set);
    bucket.time = e.time;
    managers.delete(key);
    length--;
  }
}
