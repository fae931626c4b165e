// Pruning by a structural schema, as kube-apiserver prunes custom resources: fields not
// specified by the schema are dropped unless `x-kubernetes-preserve-unknown-fields: true` covers
// them. At the root of the object (and of every `x-kubernetes-embedded-resource`) apiVersion and
// kind are kept and metadata is reduced to ObjectMeta's fields. The dropped paths are returned so
// the caller can answer fieldValidation=Warn (`unknown field "spec.foo"` warnings) or Strict
// (`strict decoding error: unknown field "spec.foo"`).
import type { Schema } from '../../openapi/types.js';

/** The fields of ObjectMeta (what survives in metadata). */
export const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

export interface PruneOptions {
  /** The value is a whole object (custom resource): keep apiVersion/kind, prune metadata to ObjectMeta. */
  isResourceRoot?: boolean;
}

/** Removes unknown fields from `value` in place; returns their paths (`spec.foo`, `spec.items[0].bar`). */
export function pruneUnknown(value: unknown, schema: Schema | undefined, opts: PruneOptions = {}): string[] {
  const dropped: string[] = [];
  if (schema) visit(value, schema, '', !!opts.isResourceRoot, dropped);
  return dropped;
}

function visit(v: unknown, s: Schema, path: string, resourceRoot: boolean, dropped: string[]): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    if (s.items) v.forEach((x, i) => visit(x, s.items!, `${path}[${i}]`, !!s.items!['x-kubernetes-embedded-resource'], dropped));
    return;
  }
  const o = v as Record<string, unknown>;
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const embedded = resourceRoot || !!s['x-kubernetes-embedded-resource'];
  for (const k of Object.keys(o)) {
    const p = child(path, k);
    if (embedded && (k === 'apiVersion' || k === 'kind')) continue;
    if (embedded && k === 'metadata') {
      const m = o[k];
      if (m && typeof m === 'object' && !Array.isArray(m)) {
        for (const mk of Object.keys(m)) {
          if (!OBJECT_META_FIELDS.has(mk)) {
            delete (m as Record<string, unknown>)[mk];
            dropped.push(child(p, mk));
          }
        }
      }
      continue;
    }
    const ps = s.properties?.[k];
    if (ps) {
      visit(o[k], ps, p, !!ps['x-kubernetes-embedded-resource'], dropped);
    } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      visit(o[k], s.additionalProperties, p, !!s.additionalProperties['x-kubernetes-embedded-resource'], dropped);
    } else if (!preserve && s.additionalProperties !== true) {
      delete o[k];
      dropped.push(p);
    }
  }
}
