// Evaluating x-kubernetes-validations on a custom resource (apiextensions-apiserver's
// cel.Validator): the schema and the value are walked together; at every non-null value whose
// schema node has rules, each rule runs with `self` bound to the value (CEL-typed by
// schema-cel-values.ts) and, on updates, `oldSelf` to the correlated old value: by property and
// map key, and by key fields for x-kubernetes-list-type=map items (other list items have no old
// value). A transition rule (one that uses oldSelf) is skipped without an old value unless
// optionalOldSelf is set, when oldSelf is an optional. A failed rule is a field error at the
// node (or the rule's fieldPath) with the schema type as the value: its messageExpression, else
// its message, else `failed rule: <rule>`, as the reason says (Invalid, Forbidden, Required,
// Duplicate). Rules that do not use oldSelf and fail on a value equal to its correlated old
// value are ratcheted (warnings, not errors), as with CRDValidationRatcheting. Each evaluation
// may cost PER_CALL_LIMIT and a resource RUNTIME_COST_BUDGET in all.
import { Optional } from '@marcbachmann/cel-js';
import type { FieldError, FieldErrorList } from '../../../api/field-errors.js';
import { fieldErrorString } from '../../../api/field-errors.js';
import { CostMeter, PER_CALL_LIMIT, RUNTIME_COST_BUDGET, COST_LIMIT_EXCEEDED } from '../../cel/cost.js';
import { celErrorMessage } from '../../cel/program.js';
import type { Schema } from '../../openapi/types.js';
import { isObject } from './json-shape.js';
import { compiledRules, type CompiledRule } from './schema-cel-compile.js';
import { resolveFieldPath } from './schema-cel-fieldpath.js';
import { toCelValue } from './schema-cel-values.js';
import { deepEqual } from './schema-validate.js';

const MAX_MESSAGE_BYTES = 5 * 1024;

/** Correlation of a node with its old value (undefined: the node cannot be correlated). */
interface Correlation {
  value: unknown;
  old: unknown;
}

interface Walk {
  budget: number;
  stopped: boolean;
  errs: FieldErrorList;
  warnings?: string[];
}

const allOfNodes = new WeakMap<Schema, Schema>();

/** The node's schema carrying an allOf entry's rules (cached so its rules compile once). */
function allOfNode(s: Schema, sub: Schema): Schema {
  let n = allOfNodes.get(sub);
  if (!n) allOfNodes.set(sub, (n = { ...s, allOf: undefined, 'x-kubernetes-validations': sub['x-kubernetes-validations'] ?? [] }));
  return n;
}

const child = (path: string, k: string) => (path ? `${path}.${k}` : k);

/** Whether a schema has x-kubernetes-validations anywhere. */
export function hasRules(s: Schema | undefined, seen = new Set<Schema>()): boolean {
  if (!s || seen.has(s)) return false;
  seen.add(s);
  if (Array.isArray(s['x-kubernetes-validations']) && s['x-kubernetes-validations'].length) return true;
  if (hasRules(s.items, seen)) return true;
  if (isObject(s.additionalProperties) && hasRules(s.additionalProperties, seen)) return true;
  if (Object.values(s.properties ?? {}).some((p) => hasRules(p, seen))) return true;
  return (s.allOf ?? []).some((x) => hasRules(x, seen));
}

export interface CelValidationOptions {
  /** The object before the update (undefined on create). */
  old?: unknown;
  /** Ratcheted failures go here, as kube's warnings. */
  warnings?: string[];
  /** Total budget (tests). */
  budget?: number;
}

/** Evaluates every validation rule of `schema` (a CRD version's root) on `obj`. */
export function validateCelRules(schema: Schema | undefined, obj: unknown, opts: CelValidationOptions = {}): FieldErrorList {
  if (!schema || !hasRules(schema)) return [];
  const w: Walk = { budget: opts.budget ?? RUNTIME_COST_BUDGET, stopped: false, errs: [], warnings: opts.warnings };
  const corr = opts.old !== undefined ? { value: obj, old: opts.old } : undefined;
  visit(w, schema, obj, opts.old, '', true, corr, undefined);
  return w.errs;
}

function visit(w: Walk, s: Schema, v: unknown, old: unknown, path: string, isResourceRoot: boolean, corr: Correlation | undefined, parentCorr: Correlation | undefined): void {
  if (w.stopped || v === null || v === undefined) return;
  if (old === null) old = undefined;
  runRules(w, s, v, old, path, isResourceRoot, corr, parentCorr);
  // Rules under allOf apply to the same value, typed by this node; kube does not ratchet them.
  for (const sub of s.allOf ?? []) if (!w.stopped && isObject(sub)) runRules(w, allOfNode(s, sub), v, old, path, isResourceRoot, undefined, parentCorr);
  if (w.stopped) return;
  const next = (c: Correlation | undefined, key: string | number, nv: unknown): Correlation | undefined => {
    if (!c) return undefined;
    if (!parentCorr && !path && (key === 'apiVersion' || key === 'kind')) return undefined;
    const o = c.old as any;
    const ov = typeof key === 'number' ? undefined : isObject(o) ? o[key] : undefined;
    return { value: nv, old: ov };
  };
  if (Array.isArray(v)) {
    const items = s.items;
    if (!items || !hasRules(items)) return;
    const oldItems = Array.isArray(old) ? old : [];
    const keys = s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
    const keyOf = (x: unknown) => JSON.stringify((keys ?? []).map((k) => (isObject(x) ? x[k] : undefined) ?? null));
    const byKey = keys ? new Map(oldItems.map((x) => [keyOf(x), x])) : undefined;
    v.forEach((item, i) => {
      const oldItem = byKey?.get(keyOf(item));
      const c = corr && byKey ? { value: item, old: oldItem } : undefined;
      visit(w, items, item, oldItem, `${path}[${i}]`, !!items['x-kubernetes-embedded-resource'], c, corr ?? parentCorr);
    });
    return;
  }
  if (!isObject(v)) return;
  const correlatable = ['granular', 'atomic', undefined].includes(s['x-kubernetes-map-type']);
  const oldObj = correlatable && isObject(old) ? old : undefined;
  const ap = s.additionalProperties;
  if (isObject(ap) && hasRules(ap)) {
    for (const [k, x] of Object.entries(v)) {
      visit(w, ap, x, oldObj?.[k], `${path}[${k}]`, !!ap['x-kubernetes-embedded-resource'], next(corr, k, x), corr ?? parentCorr);
      if (w.stopped) return;
    }
  }
  if (s.properties) {
    for (const [k, x] of Object.entries(v)) {
      const ps = s.properties[k];
      if (!ps || !hasRules(ps)) continue;
      visit(w, ps, x, oldObj?.[k], child(path, k), !!ps['x-kubernetes-embedded-resource'], next(corr, k, x), corr ?? parentCorr);
      if (w.stopped) return;
    }
  }
}

function ruleString(c: CompiledRule): string {
  return (c.rule.message?.trim() || c.rule.rule?.trim()) ?? '';
}


function runRules(w: Walk, s: Schema, v: unknown, old: unknown, path: string, isResourceRoot: boolean, corr: Correlation | undefined, parentCorr: Correlation | undefined): void {
  const rules = compiledRules(s, isResourceRoot);
  if (!rules.length) return;
  const type = s.type ?? '';
  if (w.budget <= 0) {
    w.errs.push({ type: 'FieldValueInvalid', field: path, badValue: type, detail: 'validation failed due to running out of cost budget, no further validation rules will be run' });
    w.stopped = true;
    return;
  }
  const self = toCelValue(v, s, isResourceRoot);
  const oldSelf = old === undefined ? undefined : toCelValue(old, s, isResourceRoot);
  let ratchet: boolean | undefined;
  const shouldRatchet = () => {
    if (ratchet === undefined) {
      const c = corr ?? parentCorr;
      ratchet = !!c && c.old !== undefined && deepEqual(c.value, c.old);
    }
    return ratchet;
  };
  for (const c of rules) {
    if (c.error) {
      w.errs.push({ type: 'FieldValueInvalid', field: path, badValue: type, detail: `rule compile error: ${c.error.detail}` });
      continue;
    }
    if (!c.program) continue;
    const optional = !!c.rule.optionalOldSelf;
    if (c.usesOldSelf && oldSelf === undefined && !optional) continue;
    const vars = { self, oldSelf: optional ? (oldSelf === undefined ? Optional.none() : Optional.of(oldSelf)) : oldSelf };
    const meter = new CostMeter(Math.min(PER_CALL_LIMIT, Math.max(w.budget, 1)));
    let result: unknown;
    let failure: unknown;
    try {
      result = c.program.evaluate(vars, meter);
    } catch (e) {
      failure = e;
    }
    if (meter.exceeded && meter.limit < PER_CALL_LIMIT) {
      w.errs.push({ type: 'FieldValueInvalid', field: path, badValue: type, detail: 'validation failed due to running out of cost budget, no further validation rules will be run' });
      w.stopped = true;
      return;
    }
    w.budget -= meter.used;
    if (failure !== undefined) {
      const msg = celErrorMessage(failure);
      if (msg === COST_LIMIT_EXCEEDED) {
        w.errs.push({ type: 'FieldValueInvalid', field: path, badValue: type, detail: `'${msg}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleString(c)}` });
        w.stopped = true;
        return;
      }
      if (/^no such overload|^found no matching overload/.test(msg)) {
        w.errs.push({ type: 'FieldValueInvalid', field: path, badValue: type, detail: `'${msg}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleString(c)}` });
      } else w.errs.push({ type: 'FieldValueInvalid', field: path, badValue: type, detail: `${msg} evaluating rule: ${ruleString(c)}` });
      continue;
    }
    if (result === true) continue;
    let field = path;
    if (c.rule.fieldPath) {
      const r = resolveFieldPath(c.rule.fieldPath, s);
      if ('path' in r && r.path) field = child(path, r.path);
    }
    let detail: string | undefined;
    if (c.messageProgram) {
      const m = new CostMeter(Math.min(PER_CALL_LIMIT, Math.max(w.budget, 1)));
      try {
        const out = c.messageProgram.evaluate({ self, oldSelf }, m);
        const trimmed = typeof out === 'string' ? out.trim() : '';
        if (trimmed && trimmed.length <= MAX_MESSAGE_BYTES && !trimmed.includes('\n')) detail = trimmed;
      } catch (e) {
        if (celErrorMessage(e) === COST_LIMIT_EXCEEDED) {
          w.errs.push({ type: 'FieldValueInvalid', field, badValue: type, detail: `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(c.rule.messageExpression)}` });
          w.stopped = true;
          return;
        }
      }
      w.budget -= m.used;
    }
    detail ??= c.rule.message?.trim() || `failed rule: ${ruleString(c)}`;
    const e = fieldError(c.rule.reason, field, type, detail);
    if (!c.usesOldSelf && shouldRatchet()) w.warnings?.push(fieldErrorString(e));
    else w.errs.push(e);
  }
}

function fieldError(reason: string | undefined, field: string, type: string, detail: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, detail };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, detail };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, badValue: type };
    default:
      return { type: 'FieldValueInvalid', field, badValue: type, detail };
  }
}
