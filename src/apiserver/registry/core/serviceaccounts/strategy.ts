// ServiceAccount (core/v1 serviceaccounts): secret references need names; NAME SECRETS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, required } from '../../../../api/field-errors.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    listKind: 'ServiceAccountList',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
  },
  validate(sa) {
    const errs: FieldErrorList = [];
    (sa.imagePullSecrets ?? []).forEach((s: any, i: number) => {
      if (!s?.name) errs.push(required(`imagePullSecrets[${i}].name`, ''));
    });
    return errs;
  },
  table: table([col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn], (sa, now) => [(sa.secrets ?? []).length, age(sa, now)]),
});
