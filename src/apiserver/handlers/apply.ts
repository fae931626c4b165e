// Server-side apply (application/apply-patch+yaml). PARTIAL: until the patch module's field
// manager lands, apply merges the applied configuration into the live object (strategic merge
// for built-in kinds, JSON merge otherwise), creates missing objects, and records the manager in
// metadata.managedFields (operation Apply) without per-field ownership or conflict detection.
import type { KObject } from '../registry/strategy.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.js';
import { rfc3339 } from '../registry/generic/meta.js';
import { toApiErrorFromPatch } from './patch.js';

export function serverSideApply(current: KObject | undefined, applied: KObject, manager: string, _force: boolean, now: Date, builtin: boolean, subresource: string): KObject {
  let next: KObject;
  try {
    if (!current) next = structuredClone(applied);
    else next = (builtin ? applyStrategicMergePatch(current, applied) : applyMergePatch(current, applied)) as KObject;
  } catch (e) {
    throw toApiErrorFromPatch(e);
  }
  next.metadata = next.metadata ?? {};
  if (current?.metadata?.resourceVersion && !applied.metadata?.resourceVersion) next.metadata.resourceVersion = current.metadata.resourceVersion;
  const entries = ((current?.metadata?.managedFields ?? []) as Array<Record<string, unknown>>).filter((e) => !(e.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === subresource));
  const entry: Record<string, unknown> = { manager, operation: 'Apply', apiVersion: applied.apiVersion, time: rfc3339(now), fieldsType: 'FieldsV1', fieldsV1: {} };
  if (subresource) entry.subresource = subresource;
  entries.push(entry);
  next.metadata.managedFields = entries;
  return next;
}
