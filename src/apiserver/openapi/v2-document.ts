// Swagger 2.0 (/openapi/v2) from the v3 pieces: definitions instead of components, body
// parameters instead of requestBody, consumes/produces, and the v2 shapes of the special types
// (IntOrString: string with format int-or-string; Quantity: string). kubectl only ever asks for
// v2 as protobuf (answered 406 by http.ts); JSON clients (client libraries' generators, tools)
// get this document.
import { INT_OR_STRING_SCHEMA, QUANTITY_SCHEMA } from './v3-document.js';
import type { Schema } from './types.js';

function convertSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(convertSchema);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  // `allOf: [{$ref}]` + description -> `$ref` + description (v2 style).
  if (Array.isArray(o.allOf) && o.allOf.length === 1 && (o.allOf[0] as Schema).$ref && Object.keys(o.allOf[0] as object).length === 1) {
    const { allOf, ...rest } = o;
    return convertSchema({ ...rest, $ref: (allOf as Schema[])[0].$ref });
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (k === '$ref' && typeof x === 'string') out[k] = x.replace('#/components/schemas/', '#/definitions/');
    else if (k === 'nullable') continue; // not in Swagger 2.0
    else out[k] = convertSchema(x);
  }
  return out;
}

/** Converts v3 component schemas to v2 definitions. */
export function toV2Definitions(schemas: Record<string, Schema>): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(schemas)) {
    if (name === INT_OR_STRING_SCHEMA) defs[name] = { description: s.description, type: 'string', format: 'int-or-string' };
    else if (name === QUANTITY_SCHEMA) defs[name] = { description: s.description, type: 'string' };
    else defs[name] = convertSchema(s);
  }
  return defs;
}

/** Converts v3 path items to v2 path items. */
export function toV2Paths(paths: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, item] of Object.entries(paths)) {
    const it: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item as Record<string, any>)) {
      if (k === 'parameters') it.parameters = (v as any[]).map(v2Param);
      else it[k] = v2Operation(v);
    }
    out[p] = it;
  }
  return out;
}

function v2Param(p: any): unknown {
  const { schema, ...rest } = p;
  return { ...rest, type: schema?.type ?? 'string', ...(schema?.uniqueItems ? { uniqueItems: true } : {}) };
}

function v2Operation(op: any): unknown {
  const { requestBody, responses, parameters, ...rest } = op;
  const params = (parameters ?? []).map(v2Param);
  let consumes = ['*/*'];
  if (requestBody) {
    const types = Object.keys(requestBody.content);
    consumes = types;
    const schema = (Object.values(requestBody.content)[0] as any).schema;
    params.unshift({ name: 'body', in: 'body', required: !!requestBody.required, schema: convertSchema(schema) });
  }
  const produces = new Set<string>();
  const res: Record<string, unknown> = {};
  for (const [code, r] of Object.entries(responses ?? {}) as [string, any][]) {
    const c = r.content ?? {};
    for (const t of Object.keys(c)) produces.add(t);
    const first = Object.values(c)[0] as any;
    res[code] = { description: r.description, ...(first ? { schema: convertSchema(first.schema) } : {}) };
  }
  return { ...rest, consumes, produces: [...produces], schemes: ['https'], ...(params.length ? { parameters: params } : {}), responses: res };
}
