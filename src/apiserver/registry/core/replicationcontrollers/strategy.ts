// ReplicationController (core/v1 replicationcontrollers): selector and labels default from the
// template, replicas 1; map selector validation; status and scale subresources; the table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, required } from '../../../../api/field-errors.js';
import { validateLabels, formatMapSelector } from '../../../../api/validation/labels.js';
import { defaultPodTemplate } from '../../core/pods/defaults.js';
import { table, age } from '../../printers/columns.js';
import { nonNegative, validateTemplateForSelector, containersImages } from '../../apps/workload.js';
import { replicaSetColumns, validateReplicaCountsStatus } from '../../apps/replicasets/strategy.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ReplicationController',
    listKind: 'ReplicationControllerList',
    resource: 'replicationcontrollers',
    singular: 'replicationcontroller',
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
    storagePrefix: 'controllers',
  },
  defaults(rc) {
    const spec = (rc.spec ??= {});
    const labels = spec.template?.metadata?.labels;
    if (labels) {
      if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
      rc.metadata ??= {};
      if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
    }
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },
  status: { initialStatus: () => ({ replicas: 0 }), validateUpdate: (rc) => validateReplicaCountsStatus(rc.status) },
  generation: true,
  validate(rc) {
    const spec = rc.spec ?? {};
    const errs: FieldErrorList = [];
    if (!spec.selector || Object.keys(spec.selector).length === 0) errs.push(required('spec.selector', ''));
    else errs.push(...validateLabels(spec.selector, 'spec.selector'));
    errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
    errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
    errs.push(...validateTemplateForSelector(spec.template, spec.selector, { mapSelector: true, kind: 'ReplicationController' }));
    return errs;
  },
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  table: table(replicaSetColumns, (rc, now) => {
    const st = rc.status ?? {};
    const [names, images] = containersImages(rc.spec?.template?.spec);
    return [rc.spec?.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, age(rc, now), names, images, formatMapSelector(rc.spec?.selector)];
  }),
  fieldSelectors: { 'status.replicas': (rc) => String(rc.status?.replicas ?? 0) },
});
