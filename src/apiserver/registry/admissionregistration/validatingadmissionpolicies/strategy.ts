// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1 validatingadmissionpolicies):
// defaults (failurePolicy Fail; matchConstraints matchPolicy Equivalent, empty selectors, rule
// scope *), validation of the spec with every CEL expression compiled (kube's messages for the
// common mistakes), a status subresource, generation bumped on spec changes;
// NAME VALIDATIONS PARAMKIND AGE.
// Divergence: no type checking of expressions against the matched kinds' schemas (status.typeChecking stays empty).
import { admissionEnvironment } from '../../../cel/environment.js';
import { compileCel } from '../../../cel/program.js';
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported, required } from '../../../../api/field-errors.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import type { KObject } from '../../strategy.js';

export function defaultMatchResources(m: KObject | undefined): void {
  if (!m || typeof m !== 'object') return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const r of [...(m.resourceRules ?? []), ...(m.excludeResourceRules ?? [])]) if (r && typeof r === 'object') r.scope ??= '*';
}

/** `compilation failed: ...` for an expression CEL cannot parse. */
export function checkExpression(path: string, expr: unknown, errs: FieldErrorList): void {
  if (typeof expr !== 'string' || !expr) {
    errs.push(required(path, ''));
    return;
  }
  try {
    compileCel(admissionEnvironment(), expr);
  } catch (e) {
    errs.push(invalid(path, expr, `compilation failed: ${(e as Error).message}`));
  }
}

function validate(o: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = o.spec ?? {};
  if (!(spec.validations ?? []).length && !(spec.auditAnnotations ?? []).length) errs.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  if (spec.failurePolicy && !['Fail', 'Ignore'].includes(spec.failurePolicy)) errs.push(notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (!spec.matchConstraints) errs.push(required('spec.matchConstraints', ''));
  else if (!(spec.matchConstraints.resourceRules ?? []).length) errs.push(required('spec.matchConstraints.resourceRules', ''));
  (spec.validations ?? []).forEach((v: KObject, i: number) => {
    checkExpression(`spec.validations[${i}].expression`, v?.expression, errs);
    if (v?.messageExpression) checkExpression(`spec.validations[${i}].messageExpression`, v.messageExpression, errs);
    if (v?.reason && !['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'].includes(v.reason)) errs.push(notSupported(`spec.validations[${i}].reason`, v.reason, ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge']));
  });
  (spec.variables ?? []).forEach((v: KObject, i: number) => {
    if (!v?.name) errs.push(required(`spec.variables[${i}].name`, ''));
    checkExpression(`spec.variables[${i}].expression`, v?.expression, errs);
  });
  (spec.matchConditions ?? []).forEach((m: KObject, i: number) => {
    if (!m?.name) errs.push(required(`spec.matchConditions[${i}].name`, ''));
    checkExpression(`spec.matchConditions[${i}].expression`, m?.expression, errs);
  });
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingAdmissionPolicy',
    listKind: 'ValidatingAdmissionPolicyList',
    resource: 'validatingadmissionpolicies',
    singular: 'validatingadmissionpolicy',
    namespaced: false,
    categories: ['api-extensions'],
  },
  defaults(o) {
    if (!o.spec || typeof o.spec !== 'object') return;
    o.spec.failurePolicy ??= 'Fail';
    defaultMatchResources(o.spec.matchConstraints);
  },
  generationOnSpecChange: true,
  status: {},
  validate,
  table: table(
    [col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'), col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'), ageColumn],
    (o, now) => [(o.spec?.validations ?? []).length, o.spec?.paramKind ? `${o.spec.paramKind.apiVersion}/${o.spec.paramKind.kind}` : '<unset>', age(o, now)],
  ),
});
