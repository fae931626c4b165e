// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively, null
// deletes a member, anything else (arrays included) replaces. The input is not modified.
import { clone, isObject } from './json-util.js';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge patch that turns `original` into `modified` (used by tests and by callers that need
 * to express a change as a merge patch). Arrays that differ are sent whole.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(original) || !isObject(modified)) return clone(modified);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(original)) if (!(k in modified)) patch[k] = null;
  for (const [k, v] of Object.entries(modified)) {
    if (!(k in original)) patch[k] = clone(v);
    else if (isObject(v) && isObject(original[k])) {
      const sub = createMergePatch(original[k], v) as Record<string, unknown>;
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (JSON.stringify(v) !== JSON.stringify(original[k])) patch[k] = clone(v);
  }
  return patch;
}
