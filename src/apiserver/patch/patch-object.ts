// The whole PATCH flow for the apiserver core: decode the body for its content type, apply it,
// and record managedFields (Update for json/merge/strategic, Apply for apply-patch).
import { parse as parseYaml } from 'yaml';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { serverSideApply } from './server-side-apply.js';
import { updateManagedFields } from './managed-fields.js';
import { badRequest, PatchError } from './errors.js';
import { isObject, type JsonObject } from './json-util.js';
import { mergeInfoFor, type FieldSchema } from './merge-keys.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * Decodes a PATCH body: JSON for json/merge/strategic, YAML (JSON included) for apply.
 * Undecodable bodies are 400 BadRequest.
 */
export function decodePatchBody(type: PatchType, body: string | Uint8Array): unknown {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (type === 'apply') {
    let v: unknown;
    try {
      v = parseYaml(text);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isObject(v)) throw badRequest('error decoding YAML: the applied configuration must be an object');
    return v;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    if (type === 'merge') throw badRequest('Invalid JSON Patch');
    throw badRequest(e instanceof Error ? e.message : String(e));
  }
}

export interface PatchObjectOptions {
  type: PatchType;
  /** The stored object; undefined only for an apply that creates (others are NotFound before this). */
  live: JsonObject | undefined;
  /** The decoded body (decodePatchBody). */
  patch: unknown;
  /** fieldManager, or the user agent's command name for non-apply patches. */
  manager: string;
  /** force=true (apply only). */
  force?: boolean;
  apiVersion: string;
  subresource?: string;
  now: Date;
  /** Schema of kinds that are not built in (CRDs), for apply and managedFields. */
  schema?: FieldSchema;
  /** Apply only: fields the endpoint resets (see ServerSideApplyOptions.resetFields). */
  resetFields?: string[][];
}

/** Returns the patched object with its managedFields; throws PatchError / ApplyConflictError. */
export function patchObject(o: PatchObjectOptions): JsonObject {
  if (o.type === 'apply') {
    if (!isObject(o.patch)) throw badRequest('error decoding YAML: the applied configuration must be an object');
    return serverSideApply({
      live: o.live,
      applied: o.patch,
      manager: o.manager,
      force: o.force ?? false,
      apiVersion: o.apiVersion,
      now: o.now,
      ...(o.subresource ? { subresource: o.subresource } : {}),
      ...(o.schema ? { schema: o.schema } : {}),
      ...(o.resetFields ? { resetFields: o.resetFields } : {}),
    }).object;
  }
  if (!o.live) throw new PatchError('BadRequest', 400, 'a non-apply patch needs the stored object');
  let out: unknown;
  if (o.type === 'json') out = applyJsonPatch(o.live, o.patch);
  else if (o.type === 'merge') out = applyMergePatch(o.live, o.patch);
  else out = applyStrategicMergePatch(o.live, o.patch, o.schema ? () => o.schema : mergeInfoFor);
  if (!isObject(out)) throw badRequest('the patched object is not a JSON object');
  return updateManagedFields({
    live: o.live,
    updated: out,
    manager: o.manager,
    apiVersion: o.apiVersion,
    now: o.now,
    ...(o.subresource ? { subresource: o.subresource } : {}),
    ...(o.schema ? { schema: o.schema } : {}),
  });
}
