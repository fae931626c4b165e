// Unknown-field detection for built-in kinds from their OpenAPI schemas (the openapi module's
// builtin schemas). Paths are printed as Kubernetes' strict decoder does: `spec.containers[0].foo`.
import type { KObject, Strategy } from '../registry/strategy.js';
import { builtinSchemas, builtinSchemaName, refTarget, type Schema } from '../openapi/index.js';

function resolve(s: Schema | undefined, all: Record<string, Schema>): Schema | undefined {
  let cur = s;
  for (let i = 0; cur && i < 10; i++) {
    if (cur.$ref) cur = all[refTarget(cur.$ref)];
    else if (cur.allOf?.length === 1 && !cur.properties) cur = cur.allOf[0];
    else break;
  }
  return cur;
}

function walk(v: unknown, s: Schema | undefined, path: string, all: Record<string, Schema>, out: string[]): void {
  const sch = resolve(s, all);
  if (!sch || sch['x-kubernetes-preserve-unknown-fields'] || out.length > 50) return;
  if (Array.isArray(v)) {
    if (sch.items) v.forEach((x, i) => walk(x, sch.items, `${path}[${i}]`, all, out));
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  if (sch.properties) {
    for (const k of Object.keys(o)) {
      const p = path ? `${path}.${k}` : k;
      const child = sch.properties[k];
      if (!child) {
        if (sch.additionalProperties === undefined || sch.additionalProperties === false) out.push(p);
        continue;
      }
      walk(o[k], child, p, all, out);
    }
  } else if (sch.additionalProperties && typeof sch.additionalProperties === 'object') {
    for (const k of Object.keys(o)) walk(o[k], sch.additionalProperties, path ? `${path}.${k}` : k, all, out);
  }
}

/** Fields of `obj` its kind's schema does not know ([] when the kind has no built-in schema). */
export function unknownFieldsFor(strategy: Strategy, obj: KObject): string[] {
  const { group, version, kind } = strategy.info;
  let all: Record<string, Schema>;
  let name: string | undefined;
  try {
    all = builtinSchemas();
    name = builtinSchemaName(group, version, kind);
  } catch {
    return [];
  }
  if (!name || !all[name]) return [];
  const out: string[] = [];
  walk(obj, all[name], '', all, out);
  return out;
}
