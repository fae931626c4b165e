// Server-side apply and managedFields bookkeeping, through the patch module: apply merges the
// applied configuration with field ownership (conflicts -> 409 unless force), and every other
// write records its manager's fields (operation Update).
import type { KObject } from '../registry/strategy.js';
import type { Handler } from './context.js';
import { serverSideApply as ssa } from '../patch/server-side-apply.js';
import { updateManagedFields } from '../patch/managed-fields.js';
import { schemaFromOpenAPI, type FieldSchema } from '../patch/merge-keys.js';
import { toApiErrorFromPatch } from './patch.js';
import { isBuiltin } from './patch.js';

/** The merge schema of a custom resource (from its CRD); undefined for built-in kinds. */
function schemaFor(h: Handler): FieldSchema | undefined {
  if (isBuiltin(h)) return undefined;
  const s = h.served.strategy as { openAPIV3Schema?: Record<string, unknown>; mergeSchema?: FieldSchema };
  if (!s.mergeSchema) s.mergeSchema = schemaFromOpenAPI(s.openAPIV3Schema);
  return s.mergeSchema;
}

/** The field manager of a write: the fieldManager parameter, else the user agent's program name (as kube). */
export function managerOf(h: Handler): string {
  if (h.ctx.fieldManager) return h.ctx.fieldManager;
  const ua = String(h.req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0].slice(0, 128) || 'unknown';
}

function resetFields(h: Handler, sub: string): string[][] {
  if (sub === 'status') return [['spec'], ['metadata']];
  return h.served.strategy.status ? [['status']] : [];
}

export function serverSideApply(h: Handler, current: KObject | undefined, applied: KObject, force: boolean, sub: string): KObject {
  try {
    const r = ssa({
      live: current,
      applied,
      manager: h.ctx.fieldManager!,
      force,
      apiVersion: applied.apiVersion ?? h.served.store.apiVersion,
      now: h.ctx.now(),
      subresource: sub || undefined,
      schema: schemaFor(h),
      resetFields: resetFields(h, sub),
    });
    return r.object as KObject;
  } catch (e) {
    throw toApiErrorFromPatch(e);
  }
}

/** Record this write's fields in metadata.managedFields. */
export function trackManagedFields(h: Handler, live: KObject | undefined, updated: KObject, sub = ''): KObject {
  try {
    return updateManagedFields({ live, updated, manager: managerOf(h), apiVersion: h.served.store.apiVersion, now: h.ctx.now(), subresource: sub || undefined, schema: schemaFor(h) }) as KObject;
  } catch {
    return updated;
  }
}
