// CSINode (storage.k8s.io/v1 csinodes): driver names required and unique; NAME DRIVERS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, required, duplicate } from '../../../../api/field-errors.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSINode',
    listKind: 'CSINodeList',
    resource: 'csinodes',
    singular: 'csinode',
    namespaced: false,
  },
  validate(n) {
    const errs: FieldErrorList = [];
    const seen = new Set<string>();
    (n.spec?.drivers ?? []).forEach((d: any, i: number) => {
      if (!d?.name) errs.push(required(`spec.drivers[${i}].name`, ''));
      else if (seen.has(d.name)) errs.push(duplicate(`spec.drivers[${i}].name`, d.name));
      seen.add(d?.name);
      if (!d?.nodeID) errs.push(required(`spec.drivers[${i}].nodeID`, ''));
    });
    return errs;
  },
  table: table([col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn], (n, now) => [(n.spec?.drivers ?? []).length, age(n, now)]),
});
