// ControllerRevision (apps/v1 controllerrevisions): revision must be non-negative and the data
// is immutable after creation (ValidateControllerRevision(Update)); NAME CONTROLLER REVISION AGE.
import { defineStrategy } from '../../define.js';
import { invalid, required } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'ControllerRevision',
    listKind: 'ControllerRevisionList',
    resource: 'controllerrevisions',
    singular: 'controllerrevision',
    namespaced: true,
  },
  validate(cr) {
    const errs = [];
    if (cr.data == null) errs.push(required('data', 'data is mandatory'));
    if (typeof cr.revision !== 'number' || cr.revision < 0) errs.push(invalid('revision', cr.revision ?? 0, 'must be greater than or equal to 0'));
    return errs;
  },
  validateUpdate: (cr, old) => validateImmutableField(cr.data, old.data, 'data'),
  table: table([col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), ageColumn], (cr, now) => {
    const owner = (cr.metadata?.ownerReferences ?? []).find((r: any) => r?.controller);
    const controller = owner ? `${owner.kind.toLowerCase()}.${(owner.apiVersion ?? '').split('/').length > 1 ? owner.apiVersion.split('/')[0] : ''}/${owner.name}`.replace('./', '/') : '<none>';
    return [controller, cr.revision ?? 0, age(cr, now)];
  }),
});
