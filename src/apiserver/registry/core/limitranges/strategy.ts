// LimitRange (core/v1 limitranges): SetDefaults_LimitRangeItem for Container items (default
// from max, defaultRequest from default then min); type and quantity validation with
// min <= defaultRequest <= default <= max; NAME CREATED AT.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported, required } from '../../../../api/field-errors.js';
import { tryParseQuantity, compareQuantities, formatQuantity } from '../../../../api/quantity.js';
import { validateQuantityValue } from '../pods/validation.js';
import { nameColumn } from '../../printers/columns.js';

const limitTypes = ['Container', 'PersistentVolumeClaim', 'Pod'];

export function defaultLimitRangeItem(item: any): void {
  if (item?.type !== 'Container') return;
  const def: Record<string, unknown> = { ...(item.default ?? {}) };
  const defReq: Record<string, unknown> = { ...(item.defaultRequest ?? {}) };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(defReq).length) item.defaultRequest = defReq;
}

function validateItem(item: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!item?.type) errs.push(required(path + '.type', ''));
  else if (!limitTypes.includes(item.type)) errs.push(notSupported(path + '.type', item.type, limitTypes));
  for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'])
    for (const [k, v] of Object.entries(item?.[f] ?? {})) errs.push(...validateQuantityValue(v, `${path}.${f}[${k}]`));
  if (item?.type === 'Pod') {
    if (item.default) errs.push(invalid(path + '.default', item.default, 'may not be specified when `type` is \'Pod\''));
    if (item.defaultRequest) errs.push(invalid(path + '.defaultRequest', item.defaultRequest, 'may not be specified when `type` is \'Pod\''));
  }
  const keys = new Set([...Object.keys(item?.min ?? {}), ...Object.keys(item?.max ?? {}), ...Object.keys(item?.default ?? {}), ...Object.keys(item?.defaultRequest ?? {})]);
  for (const k of keys) {
    const q = (f: string) => tryParseQuantity(item?.[f]?.[k]);
    const min = q('min');
    const max = q('max');
    const def = q('default');
    const defReq = q('defaultRequest');
    if (min && max && compareQuantities(min, max) > 0) errs.push(invalid(`${path}.min[${k}]`, formatQuantity(min), `min value ${formatQuantity(min)} is greater than max value ${formatQuantity(max)}`));
    if (defReq && max && compareQuantities(defReq, max) > 0) errs.push(invalid(`${path}.defaultRequest[${k}]`, formatQuantity(defReq), `default request value ${formatQuantity(defReq)} is greater than max value ${formatQuantity(max)}`));
    if (defReq && min && compareQuantities(min, defReq) > 0) errs.push(invalid(`${path}.defaultRequest[${k}]`, formatQuantity(defReq), `min value ${formatQuantity(min)} is greater than default request value ${formatQuantity(defReq)}`));
    if (def && max && compareQuantities(def, max) > 0) errs.push(invalid(`${path}.default[${k}]`, formatQuantity(def), `default value ${formatQuantity(def)} is greater than max value ${formatQuantity(max)}`));
    if (def && min && compareQuantities(min, def) > 0) errs.push(invalid(`${path}.default[${k}]`, formatQuantity(def), `min value ${formatQuantity(min)} is greater than default value ${formatQuantity(def)}`));
    if (defReq && def && compareQuantities(defReq, def) > 0) errs.push(invalid(`${path}.defaultRequest[${k}]`, formatQuantity(defReq), `default request value ${formatQuantity(defReq)} is greater than default limit value ${formatQuantity(def)}`));
  }
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'LimitRange',
    listKind: 'LimitRangeList',
    resource: 'limitranges',
    singular: 'limitrange',
    namespaced: true,
    shortNames: ['limits'],
  },
  defaults(lr) {
    for (const item of lr.spec?.limits ?? []) defaultLimitRangeItem(item);
  },
  validate(lr) {
    const errs: FieldErrorList = [];
    (lr.spec?.limits ?? []).forEach((item: any, i: number) => errs.push(...validateItem(item, `spec.limits[${i}]`)));
    return errs;
  },
  table: {
    columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
    cells: (lr) => [lr.metadata?.name ?? '', lr.metadata?.creationTimestamp ?? ''],
  },
});
