// PriorityClass (scheduling.k8s.io/v1 priorityclasses): preemptionPolicy PreemptLowerPriority;
// reserved system- names and values above 1e9 only for the built-in system classes; value and
// preemptionPolicy immutable; NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, forbidden, notSupported, required } from '../../../../api/field-errors.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const HighestUserDefinablePriority = 1000000000;
export const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export const strategy = defineStrategy({
  info: {
    group: 'scheduling.k8s.io',
    version: 'v1',
    kind: 'PriorityClass',
    listKind: 'PriorityClassList',
    resource: 'priorityclasses',
    singular: 'priorityclass',
    namespaced: false,
    shortNames: ['pc'],
  },
  defaults(pc) {
    pc.preemptionPolicy ||= 'PreemptLowerPriority';
  },
  validate(pc) {
    const errs: FieldErrorList = [];
    const name: string = pc.metadata?.name ?? '';
    const system = name in systemPriorityClasses;
    if (typeof pc.value !== 'number') errs.push(required('value', ''));
    if (system) {
      if (pc.value !== systemPriorityClasses[name]) errs.push(forbidden('value', `value of ${name} is ${systemPriorityClasses[name]}`));
    } else {
      if (name.startsWith('system-')) errs.push(forbidden('metadata.name', "priority class names with 'system-' prefix are reserved"));
      if (pc.value > HighestUserDefinablePriority) errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HighestUserDefinablePriority}`));
    }
    if (pc.preemptionPolicy && !['Never', 'PreemptLowerPriority'].includes(pc.preemptionPolicy)) errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
    return errs;
  },
  validateUpdate(pc, old) {
    const errs: FieldErrorList = [];
    if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
    if ((pc.preemptionPolicy ?? '') !== (old.preemptionPolicy ?? '')) errs.push(forbidden('preemptionPolicy', 'may not be changed in an update.'));
    return errs;
  },
  table: table(
    [col('Value', 'integer', 'value represents the integer value of this priority class.'), col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'), ageColumn, col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.')],
    (pc, now) => [pc.value ?? 0, !!pc.globalDefault, age(pc, now), pc.preemptionPolicy ?? ''],
  ),
});
