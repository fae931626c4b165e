// ReplicaSet (apps/v1 replicasets): replicas default 1, selector/template validation, immutable
// selector, status and scale subresources, the replicasets table and status.replicas selector.
import { defineStrategy } from '../../define.js';
import type { FieldErrorList } from '../../../../api/field-errors.js';
import { invalid } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { defaultPodTemplate } from '../../core/pods/defaults.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { nonNegative, validateSelectorAndTemplate, containersImages, formatLabelSelector, containersColumnDescription, imagesColumnDescription } from '../workload.js';

export function validateReplicaCountsStatus(st: any): FieldErrorList {
  const errs: FieldErrorList = [];
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) errs.push(...nonNegative(st?.[f], `status.${f}`));
  if ((st?.fullyLabeledReplicas ?? 0) > (st?.replicas ?? 0)) errs.push(invalid('status.fullyLabeledReplicas', st.fullyLabeledReplicas, 'cannot be greater than status.replicas'));
  if ((st?.readyReplicas ?? 0) > (st?.replicas ?? 0)) errs.push(invalid('status.readyReplicas', st.readyReplicas, 'cannot be greater than status.replicas'));
  if ((st?.availableReplicas ?? 0) > (st?.replicas ?? 0)) errs.push(invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than status.replicas'));
  if ((st?.availableReplicas ?? 0) > (st?.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export const replicaSetColumns = [
  col('Desired', 'integer', 'Number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'),
  col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
  col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  ageColumn,
  wide('Containers', 'string', containersColumnDescription),
  wide('Images', 'string', imagesColumnDescription),
  wide('Selector', 'string', 'Selector is a label query over pods that should match the replica count.'),
];

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    listKind: 'ReplicaSetList',
    resource: 'replicasets',
    singular: 'replicaset',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
  },
  defaults(rs) {
    const spec = (rs.spec ??= {});
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },
  status: { initialStatus: () => ({ replicas: 0 }), validateUpdate: (rs) => validateReplicaCountsStatus(rs.status) },
  generation: true,
  validate(rs) {
    const spec = rs.spec ?? {};
    return [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(spec, 'deployment')];
  },
  validateUpdate: (rs, old) => validateImmutableField(rs.spec?.selector, old.spec?.selector, 'spec.selector'),
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  table: table(replicaSetColumns, (rs, now) => {
    const st = rs.status ?? {};
    const [names, images] = containersImages(rs.spec?.template?.spec);
    return [rs.spec?.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, age(rs, now), names, images, formatLabelSelector(rs.spec?.selector)];
  }),
  fieldSelectors: { 'status.replicas': (rs) => String(rs.status?.replicas ?? 0) },
});
