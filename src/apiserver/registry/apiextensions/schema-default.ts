// Defaulting by a structural schema, as kube-apiserver defaults custom resources (on create,
// update and read from storage): a property that is absent gets a deep copy of its `default`;
// null in a non-nullable field is replaced by its default, or dropped when it has none
// (Kubernetes' PruneNonNullableNullsWithoutDefaults). Recurses through properties,
// additionalProperties and items; defaults are applied top-down, so a defaulted object is itself
// defaulted further.
import type { Schema } from '../../openapi/types.js';

export function applyDefaults(value: unknown, schema: Schema | undefined): void {
  if (!schema || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  const o = value as Record<string, unknown>;
  if (schema.properties) {
    for (const [k, ps] of Object.entries(schema.properties)) {
      if (o[k] === null && !ps.nullable) {
        if (ps.default !== undefined) o[k] = structuredClone(ps.default);
        else delete o[k];
      } else if (!(k in o) && ps.default !== undefined) o[k] = structuredClone(ps.default);
    }
  }
  for (const [k, x] of Object.entries(o)) {
    const ps = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (!ps) continue;
    if (x === null && !ps.nullable && !schema.properties?.[k]) {
      if (ps.default !== undefined) o[k] = structuredClone(ps.default);
      else delete o[k];
      continue;
    }
    applyDefaults(o[k], ps);
  }
}
