// ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1
// validatingadmissionpolicybindings): which policy applies where (matchResources), with which
// parameters (paramRef) and actions (Deny, Warn, Audit); kube's validation messages;
// NAME POLICYNAME PARAMREF AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported, required } from '../../../../api/field-errors.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import type { KObject } from '../../strategy.js';
import { defaultMatchResources } from '../validatingadmissionpolicies/strategy.js';

function validate(o: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = o.spec ?? {};
  if (!spec.policyName) errs.push(required('spec.policyName', ''));
  const actions: string[] = spec.validationActions ?? [];
  if (!actions.length) errs.push(required('spec.validationActions', 'at least one validation action is required'));
  actions.forEach((a, i) => {
    if (!['Deny', 'Warn', 'Audit'].includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, ['Audit', 'Deny', 'Warn']));
  });
  if (actions.includes('Deny') && actions.includes('Warn'))
    errs.push(invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  const pr = spec.paramRef;
  if (pr) {
    if (pr.name && pr.selector) errs.push(invalid('spec.paramRef.name', pr.name, 'name and selector are mutually exclusive'));
    if (!pr.name && !pr.selector) errs.push(required('spec.paramRef', 'one of name or selector must be specified'));
    if (pr.parameterNotFoundAction && !['Allow', 'Deny'].includes(pr.parameterNotFoundAction)) errs.push(notSupported('spec.paramRef.parameterNotFoundAction', pr.parameterNotFoundAction, ['Allow', 'Deny']));
  }
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    listKind: 'ValidatingAdmissionPolicyBindingList',
    resource: 'validatingadmissionpolicybindings',
    singular: 'validatingadmissionpolicybinding',
    namespaced: false,
    categories: ['api-extensions'],
  },
  defaults(o) {
    if (!o.spec || typeof o.spec !== 'object') return;
    defaultMatchResources(o.spec.matchResources);
    if (o.spec.paramRef && typeof o.spec.paramRef === 'object') o.spec.paramRef.parameterNotFoundAction ??= 'Deny';
  },
  generationOnSpecChange: true,
  validate,
  table: table(
    [col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'), col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'), ageColumn],
    (o, now) => [o.spec?.policyName ?? '', o.spec?.paramRef ? `${o.spec.paramRef.namespace ? o.spec.paramRef.namespace + '/' : ''}${o.spec.paramRef.name ?? '*'}` : '<unset>', age(o, now)],
  ),
});
