// CRD-time checks of x-kubernetes-validations (apiextensions-apiserver's
// ValidateCustomResourceDefinition): every rule must be given and compile (errors name the rule
// as kube prints its Go struct), a messageExpression must compile to a string, a message must be
// non-empty without line breaks, reason one of the four field error reasons, fieldPath a path
// that exists in the schema, optionalOldSelf only on rules that use oldSelf, and oldSelf only
// where an old value can be correlated (not under list items other than x-kubernetes-list-type
// map ones).
import type { FieldError, FieldErrorList } from '../../../api/field-errors.js';
import type { Schema } from '../../openapi/types.js';
import { arr, isObject } from './json-shape.js';
import { compiledRules, type ValidationRule } from './schema-cel-compile.js';
import { resolveFieldPath } from './schema-cel-fieldpath.js';
import { celTypable } from './schema-cel-values.js';

const REASONS = ['FieldValueRequired', 'FieldValueDuplicate', 'FieldValueInvalid', 'FieldValueForbidden'];

const goString = (s: unknown) => JSON.stringify(typeof s === 'string' ? s : '');

/** A ValidationRule as Go's %#v prints kube's internal struct (pointers are not reproducible). */
export function goRule(r: ValidationRule): string {
  const reason = r.reason === undefined ? '(*apiextensions.FieldValueErrorReason)(nil)' : '(*apiextensions.FieldValueErrorReason)(0xc000000000)';
  const optional = r.optionalOldSelf === undefined ? '(*bool)(nil)' : '(*bool)(0xc000000000)';
  return `apiextensions.ValidationRule{Rule:${goString(r.rule)}, Message:${goString(r.message)}, MessageExpression:${goString(r.messageExpression)}, Reason:${reason}, FieldPath:${goString(r.fieldPath)}, OptionalOldSelf:${optional}}`;
}

/** An Invalid error whose value is a Go struct (rendered as kube renders it). */
const invalidRule = (field: string, r: ValidationRule, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail: `${goRule(r)}: ${detail}` });

function checkRules(s: Schema, path: string, isResourceRoot: boolean, uncorrelatable: string | undefined, errs: FieldErrorList): void {
  const raw = s['x-kubernetes-validations'];
  if (raw === undefined) return;
  const rules = arr<ValidationRule>(raw);
  if (!rules.length) return;
  const vp = `${path}.x-kubernetes-validations`;
  if (!celTypable(s)) {
    errs.push({ type: 'InternalError', field: vp, detail: `rule declared on schema that does not support validation rules type: '${s.type ?? ''}' x-kubernetes-preserve-unknown-fields: '${!!s['x-kubernetes-preserve-unknown-fields']}'` });
    return;
  }
  const compiled = compiledRules(s, isResourceRoot);
  rules.forEach((r0, i) => {
    const r: ValidationRule = isObject(r0) ? r0 : {};
    const rp = `${vp}[${i}]`;
    const c = compiled[i];
    if (typeof r.rule !== 'string' || !r.rule.trim()) errs.push({ type: 'FieldValueRequired', field: `${rp}.rule`, detail: 'rule is not specified' });
    else if (c.error) errs.push(invalidRule(`${rp}.rule`, r, c.error.detail));
    if (r.message !== undefined) {
      if (typeof r.message !== 'string' || !r.message.trim()) errs.push({ type: 'FieldValueRequired', field: `${rp}.message`, detail: 'message must be non-empty if specified' });
      else if (r.message.length > 2048) errs.push({ type: 'FieldValueTooLong', field: `${rp}.message`, detail: 'may not be more than 2048 bytes' });
      else if (/[\n]/.test(r.message)) errs.push({ type: 'FieldValueInvalid', field: `${rp}.message`, badValue: r.message, detail: 'message must not contain line breaks' });
    }
    if (r.messageExpression !== undefined) {
      if (typeof r.messageExpression !== 'string' || !r.messageExpression.trim()) errs.push({ type: 'FieldValueRequired', field: `${rp}.messageExpression`, detail: 'if specified, messageExpression must not be empty' });
      else if (c.messageError) errs.push(invalidRule(`${rp}.messageExpression`, r, c.messageError));
    }
    if (r.reason !== undefined && !REASONS.includes(r.reason)) {
      errs.push({ type: 'FieldValueNotSupported', field: `${rp}.reason`, badValue: r.reason, detail: `supported values: ${REASONS.map((x) => JSON.stringify(x)).join(', ')}` });
    }
    if (r.fieldPath !== undefined && r.fieldPath !== '') {
      const fp = resolveFieldPath(String(r.fieldPath), s);
      if ('error' in fp) errs.push({ type: 'FieldValueInvalid', field: `${rp}.fieldPath`, badValue: r.fieldPath, detail: `fieldPath must be a valid path: ${fp.error}` });
    }
    if (c.program && r.optionalOldSelf !== undefined && r.optionalOldSelf && !c.usesOldSelf) {
      errs.push({ type: 'FieldValueInvalid', field: `${rp}.optionalOldSelf`, badValue: true, detail: 'may not be set if rule does not use oldSelf' });
    }
    if (c.usesOldSelf && uncorrelatable) {
      errs.push({ type: 'FieldValueInvalid', field: `${rp}.rule`, badValue: r.rule, detail: `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}` });
    }
  });
}

/** The x-kubernetes-validations errors of a version's openAPIV3Schema at `path`. */
export function validateSchemaCelRules(schema: Schema, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const walk = (s: Schema, p: string, root: boolean, uncorrelatable: string | undefined, depth: number) => {
    if (!isObject(s) || depth > 64) return;
    checkRules(s, p, root, uncorrelatable, errs);
    for (const [k, x] of Object.entries(isObject(s.properties) ? s.properties : {})) walk(x, `${p}.properties[${k}]`, !!x?.['x-kubernetes-embedded-resource'], uncorrelatable, depth + 1);
    if (isObject(s.items)) {
      const corr = s['x-kubernetes-list-type'] === 'map' ? uncorrelatable : (uncorrelatable ?? `${p}.items`);
      walk(s.items, `${p}.items`, !!s.items['x-kubernetes-embedded-resource'], corr, depth + 1);
    }
    if (isObject(s.additionalProperties)) walk(s.additionalProperties, `${p}.additionalProperties`, !!s.additionalProperties['x-kubernetes-embedded-resource'], uncorrelatable, depth + 1);
  };
  walk(schema, path, true, undefined, 0);
  return errs;
}
