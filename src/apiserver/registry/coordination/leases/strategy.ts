// Lease (coordination.k8s.io/v1 leases): duration and transitions non-negative, the 1.32
// strategy/preferredHolder pairing; NAME HOLDER AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, forbidden, notSupported } from '../../../../api/field-errors.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    listKind: 'LeaseList',
    resource: 'leases',
    singular: 'lease',
    namespaced: true,
  },
  validate(lease) {
    const spec = lease.spec ?? {};
    const errs: FieldErrorList = [];
    if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
    if (spec.leaseTransitions != null && spec.leaseTransitions < 0) errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
    if (spec.preferredHolder && !spec.strategy) errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
    if (spec.strategy != null && spec.strategy !== 'OldestEmulationVersion') errs.push(notSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']));
    return errs;
  },
  table: table([col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn], (l, now) => [l.spec?.holderIdentity ?? '', age(l, now)]),
});
