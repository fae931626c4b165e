// PodDisruptionBudget (policy/v1 poddisruptionbudgets): minAvailable xor maxUnavailable (int or
// percent), selector, unhealthyPodEvictionPolicy; status starts zeroed (disruptionsAllowed,
// currentHealthy, desiredHealthy, expectedPods); status subresource; generation;
// NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported } from '../../../../api/field-errors.js';
import { validateLabelSelector } from '../../../../api/validation/labels.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import { validateIntOrPercent, nonNegative } from '../../apps/workload.js';

export const strategy = defineStrategy({
  info: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    listKind: 'PodDisruptionBudgetList',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
  },
  status: {
    initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
    validateUpdate(pdb) {
      const st = pdb.status ?? {};
      const errs: FieldErrorList = [];
      for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...nonNegative(st[f], `status.${f}`));
      return errs;
    },
  },
  generation: true,
  validate(pdb) {
    const spec = pdb.spec ?? {};
    const errs: FieldErrorList = [];
    if (spec.minAvailable != null && spec.maxUnavailable != null) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
    errs.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable', true));
    errs.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', true));
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    const p = spec.unhealthyPodEvictionPolicy;
    if (p != null && !['AlwaysAllow', 'IfHealthyBudget'].includes(p)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', p, ['AlwaysAllow', 'IfHealthyBudget']));
    return errs;
  },
  table: table(
    [
      col('Min Available', 'string', 'The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'),
      col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      ageColumn,
    ],
    (pdb, now) => [pdb.spec?.minAvailable != null ? String(pdb.spec.minAvailable) : 'N/A', pdb.spec?.maxUnavailable != null ? String(pdb.spec.maxUnavailable) : 'N/A', pdb.status?.disruptionsAllowed ?? 0, age(pdb, now)],
  ),
});
