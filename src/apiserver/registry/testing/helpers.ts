// Test helpers for strategies: a fixed context, create/update flows as the generic store runs
// them (defaults -> prepare -> validate), and field errors rendered as `field: message` strings.
import { fieldErrorString } from '../../../api/field-errors.js';
import type { KObject, Strategy, StrategyContext } from '../strategy.js';

export const now = new Date('2024-05-01T12:00:00Z');
export const ctx = (namespace = 'default'): StrategyContext => ({ namespace, user: { name: 'admin', groups: ['system:masters'] }, dryRun: false, now: () => now });

/** Run create: defaults, prepareForCreate, validate; returns the object and error strings. */
export function create(s: Strategy, obj: KObject, namespace = 'default'): { obj: any; errors: string[] } {
  const o = structuredClone(obj);
  o.metadata ??= {};
  if (s.info.namespaced) o.metadata.namespace ??= namespace;
  s.defaults?.(o);
  s.prepareForCreate?.(o, ctx(namespace));
  const errors = (s.validate?.(o, ctx(namespace)) ?? []).map(fieldErrorString);
  return { obj: o, errors };
}

/** Run update: defaults, prepareForUpdate, validateUpdate. */
export function update(s: Strategy, obj: KObject, old: KObject): { obj: any; errors: string[] } {
  const o = structuredClone(obj);
  s.defaults?.(o);
  s.prepareForUpdate?.(o, old, ctx(old.metadata?.namespace ?? ''));
  const errors = (s.validateUpdate?.(o, old, ctx(old.metadata?.namespace ?? '')) ?? []).map(fieldErrorString);
  return { obj: o, errors };
}

/** The table row cells (name first) as `kubectl get` shows them, keyed by column name. */
export function row(s: Strategy, obj: KObject, at: Date = now): Record<string, unknown> {
  const t = s.table!;
  const cells = t.cells(obj, at);
  return Object.fromEntries(t.columns.map((c, i) => [c.name, cells[i]]));
}

export const ago = (seconds: number, at: Date = now): string => new Date(at.getTime() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
