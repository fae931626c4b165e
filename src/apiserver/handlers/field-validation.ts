// fieldValidation (Ignore / Warn / Strict) for request bodies. Without per-kind schemas in the
// core, this checks what every kind shares: the top-level fields and ObjectMeta's fields.
// Unknown ones give `unknown field "x"` as a warning (Warn, the default) or a 400 strict
// decoding error (Strict). Deeper fields are checked only where a schema is known (partial).
import type { Handler } from './context.js';
import type { KObject } from '../registry/strategy.js';
import { badRequest } from '../status.js';
import { unknownFieldsFor } from './schemas.js';

export function checkUnknownFields(h: Handler, obj: KObject): void {
  const mode = h.ctx.fieldValidation ?? 'Warn';
  const custom = !!(h.served.strategy as { prune?: unknown }).prune;
  if (mode === 'Ignore' && !custom) return;
  const st = h.served.strategy as { prune?: (o: KObject) => string[] };
  const unknown = st.prune ? st.prune(obj) : unknownFieldsFor(h.served.strategy, obj);
  if (unknown.length === 0 || mode === 'Ignore') return;
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  for (const f of unknown) h.ctx.warnings.push(`unknown field "${f}"`);
}
