// ConfigMap (core/v1 configmaps): keys valid and unique across data/binaryData, 1 MiB total,
// immutable configmaps; NAME DATA AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, forbidden, tooLong } from '../../../../api/field-errors.js';
import { isConfigMapKey } from '../../../../api/validation/names.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const MaxSecretSize = 1024 * 1024;

export function validateConfigMapData(cm: any): FieldErrorList {
  const errs: FieldErrorList = [];
  let total = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    total += typeof v === 'string' ? Buffer.byteLength(v) : 0;
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`binaryData[${k}]`, k, m));
    if (cm.data && k in cm.data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    total += typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
  }
  if (total > MaxSecretSize) errs.push(tooLong('', '', MaxSecretSize));
  return errs;
}

/** The immutable-object rule shared with secrets. */
export function validateImmutableData(obj: any, old: any, fields: string[]): FieldErrorList {
  if (old.immutable !== true) return [];
  const errs: FieldErrorList = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    listKind: 'ConfigMapList',
    resource: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
  },
  validate: validateConfigMapData,
  validateUpdate: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
  table: table([col('Data', 'string', 'Data contains the configuration data.'), ageColumn], (cm, now) => [Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)]),
});
