// fieldValidation (Ignore / Warn / Strict) for request bodies, and the decoding errors a body of
// a built-in kind gets whatever the mode. Unknown fields (from the kind's schema; custom
// resources from their CRD's structural schema) give `unknown field "x"` as a warning (Warn, the
// default) or a 400 strict decoding error (Strict). A value of the wrong JSON type is always a
// 400, as kube-apiserver's decoder gives it: `ConfigMap in version "v1" cannot be handled as a
// ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string`.
import type { Handler } from './context.js';
import type { KObject } from '../registry/strategy.js';
import { badRequest } from '../status.js';
import { decodeAgainstSchema, pruneUnknownFields } from './schemas.js';
import { InvalidValue, canonicalizeValues } from './canonical-values.js';

/**
 * Checks a create/update body (`decode`: wrong types, malformed quantities and times are refused,
 * messages carry the decoder's "cannot be handled as" prefix) or an apply patch (unknown fields
 * only). Returns the body to go on with: decoded bodies get their quantities and times in canonical form.
 */
export function checkUnknownFields(h: Handler, obj: KObject, opts: { decode?: boolean } = {}): KObject {
  const mode = h.ctx.fieldValidation ?? 'Warn';
  const st = h.served.strategy as { prune?: (o: KObject) => string[] };
  let unknown: string[];
  let prefix = '';
  // A custom resource is pruned to its schema whatever the mode.
  if (st.prune) unknown = st.prune(obj);
  else {
    if (mode === 'Ignore' && !opts.decode) return obj;
    const found = decodeAgainstSchema(h.served.strategy, obj);
    if (opts.decode) {
      const { kind, version } = h.served.strategy.info;
      const bodyVersion = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion.slice(obj.apiVersion.lastIndexOf('/') + 1) : version;
      prefix = `${typeof obj.kind === 'string' && obj.kind ? obj.kind : kind} in version "${bodyVersion}" cannot be handled as a ${kind}: `;
      if (found.typeError) throw badRequest(prefix + found.typeError);
      obj = canonicalValues(h, obj, prefix);
    }
    unknown = found.unknown;
    // The kind's Go type has no place for them: decoding drops them.
    if (unknown.length && opts.decode) obj = pruneUnknownFields(h.served.strategy, obj);
  }
  reportUnknownFields(h, unknown, prefix);
  return obj;
}

/** Unknown fields as the fieldValidation mode wants them: ignored, warnings, or a 400. */
export function reportUnknownFields(h: Handler, unknown: string[], prefix = ''): void {
  const mode = h.ctx.fieldValidation ?? 'Warn';
  if (unknown.length === 0 || mode === 'Ignore') return;
  if (mode === 'Strict') throw badRequest(`${prefix}strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  for (const f of unknown) h.ctx.warnings.push(`unknown field "${f}"`);
}

/** The body with its quantities and times canonical; one that does not decode is a 400 decoding error. */
function canonicalValues(h: Handler, obj: KObject, prefix: string): KObject {
  try {
    return canonicalizeValues(h.served.strategy, obj);
  } catch (e) {
    if (e instanceof InvalidValue) throw badRequest(prefix + e.message);
    throw e;
  }
}
