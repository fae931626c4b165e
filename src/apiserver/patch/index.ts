// The patch library: pure functions the apiserver core calls when handling PATCH (and, for
// managedFields, every write). Nothing here knows about HTTP or storage.
//
//   const type = patchTypeFromContentType(req.headers['content-type'], isBuiltinKind(apiVersion, kind));
//   const patch = decodePatchBody(type, rawBody);
//   const updated = patchObject({ type, live, patch, manager, force, apiVersion, subresource, now });
// and for create/update (PUT): updateManagedFields({ live, updated, manager, apiVersion, now }).
// Errors are PatchError (reason, code, message, causes) / ApplyConflictError (409).
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { PatchError, SMP_UNSUPPORTED_MESSAGE, badRequest } from './errors.js';
import { mergeInfoFor, type SchemaLookup } from './merge-keys.js';
import type { JsonObject } from './json-util.js';
import { PATCH_CONTENT_TYPES, type PatchType } from './patch-object.js';

export * from './errors.js';
export { applyJsonPatch, decodeJsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from './json-patch.js';
export { applyMergePatch, createMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch, strategicMerge } from './strategic-merge-patch.js';
export { mergeInfoFor, schemaFromOpenAPI, effectiveListType, openAPIExtensions, objectMetaSchema, podSpecSchema, type FieldSchema, type SchemaLookup } from './merge-keys.js';
export { FieldSet, fieldSetFromFieldsV1, fieldSetToFieldsV1, toFieldSet, compareObjects, pathString } from './fieldpath.js';
export {
  updateManagedFields,
  decodeManagedFields,
  encodeManagedFields,
  capUpdateManagers,
  MAX_UPDATE_MANAGERS,
  ANCIENT_CHANGES_MANAGER,
  type ManagedFieldsEntry,
  type UpdateManagedFieldsOptions,
} from './managed-fields.js';
export { serverSideApply, BEFORE_FIRST_APPLY_MANAGER, type ServerSideApplyOptions, type ServerSideApplyResult } from './server-side-apply.js';

export { patchObject, decodePatchBody, PATCH_CONTENT_TYPES, type PatchType, type PatchObjectOptions } from './patch-object.js';

/**
 * The patch type of a PATCH request's Content-Type (parameters such as charset ignored). Throws
 * 415 with Kubernetes' message when the type is not accepted; strategic merge patch is only
 * accepted for built-in kinds.
 */
export function patchTypeFromContentType(contentType: string | undefined, builtinKind: boolean): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const accepted = (Object.keys(PATCH_CONTENT_TYPES) as PatchType[]).filter((t) => builtinKind || t !== 'strategic');
  const t = accepted.find((x) => PATCH_CONTENT_TYPES[x] === ct);
  if (t) return t;
  if (!builtinKind) throw new PatchError('UnsupportedMediaType', 415, SMP_UNSUPPORTED_MESSAGE);
  throw new PatchError('UnsupportedMediaType', 415, `the body of the request was in an unknown format - accepted media types include: ${accepted.map((x) => PATCH_CONTENT_TYPES[x]).join(', ')}`);
}

/** Whether a kind is built in (strategic merge patch supported). */
export const isBuiltinKind = (apiVersion: string, kind: string): boolean => mergeInfoFor(apiVersion, kind) !== undefined;

/** Applies a json, merge or strategic patch to the live object (apply goes through serverSideApply). */
export function applyPatch(type: Exclude<PatchType, 'apply'>, live: JsonObject, patch: unknown, lookup: SchemaLookup = mergeInfoFor): JsonObject {
  let out: unknown;
  if (type === 'json') out = applyJsonPatch(live, patch);
  else if (type === 'merge') out = applyMergePatch(live, patch);
  else out = applyStrategicMergePatch(live, patch, lookup);
  if (typeof out !== 'object' || out === null || Array.isArray(out)) throw badRequest('the patched object is not a JSON object');
  return out as JsonObject;
}
