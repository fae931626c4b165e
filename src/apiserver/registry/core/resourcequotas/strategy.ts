// ResourceQuota (core/v1 resourcequotas): hard limits are valid quantities with valid resource
// names, scopes are known; status reset on create and kept on update; NAME AGE REQUEST LIMIT
// as printResourceQuota ("cpu: 100m/1, pods: 3/10").
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported } from '../../../../api/field-errors.js';
import { isQualifiedName } from '../../../../api/validation/names.js';
import { validateQuantityValue } from '../pods/validation.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import { quantityCell } from '../persistentvolumes/strategy.js';

const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];

function validateResourceList(list: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(`${path}[${k}]`, k, m));
    errs.push(...validateQuantityValue(v, `${path}[${k}]`));
  }
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ResourceQuota',
    listKind: 'ResourceQuotaList',
    resource: 'resourcequotas',
    singular: 'resourcequota',
    namespaced: true,
    shortNames: ['quota'],
  },
  status: {
    initialStatus: () => ({}),
    validateUpdate: (rq) => [...validateResourceList(rq.status?.hard, 'status.hard'), ...validateResourceList(rq.status?.used, 'status.used')],
  },
  validate(rq) {
    const spec = rq.spec ?? {};
    const errs = validateResourceList(spec.hard, 'spec.hard');
    (spec.scopes ?? []).forEach((s: string, i: number) => {
      if (!scopes.includes(s)) errs.push(notSupported(`spec.scopes[${i}]`, s, scopes));
    });
    return errs;
  },
  table: table(
    [ageColumn, col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'), col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.')],
    (rq, now) => {
      const hard: Record<string, unknown> = rq.status?.hard ?? {};
      const used: Record<string, unknown> = rq.status?.used ?? {};
      const req: string[] = [];
      const lim: string[] = [];
      for (const r of Object.keys(hard).sort()) {
        const s = `${r}: ${quantityCell(used[r])}/${quantityCell(hard[r])}`;
        const pieces = r.split('.');
        (pieces.length > 1 && pieces[0] === 'limits' ? lim : req).push(s);
      }
      return [age(rq, now), req.join(', '), lim.join(', ')];
    },
  ),
});
