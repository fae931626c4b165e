// StatefulSet (apps/v1 statefulsets): SetDefaults_StatefulSet (OrderedReady, RollingUpdate with
// partition 0, PVC retention Retain/Retain, replicas 1, history 10, claim templates), validation
// with the limited set of mutable spec fields, status and scale subresources, and the table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported, forbidden, required } from '../../../../api/field-errors.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { isDNS1123Label, nameIsDNSLabel } from '../../../../api/validation/names.js';
import { defaultPodTemplate, defaultPVCSpec } from '../../core/pods/defaults.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { nonNegative, validateSelectorAndTemplate, containersImages, containersColumnDescription, imagesColumnDescription } from '../workload.js';

export function defaultStatefulSet(s: any): void {
  const spec = (s.spec ??= {});
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const rp = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  rp.whenDeleted ||= 'Retain';
  rp.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
  for (const t of spec.volumeClaimTemplates ?? []) {
    if (!t || typeof t !== 'object') continue;
    t.apiVersion ??= 'v1';
    t.kind ??= 'PersistentVolumeClaim';
    defaultPVCSpec((t.spec ??= {}));
    t.status ??= { phase: 'Pending' };
  }
}

const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    listKind: 'StatefulSetList',
    resource: 'statefulsets',
    singular: 'statefulset',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
  },
  // Pod names and hostnames derive from it, so it is a DNS label (subdomains cannot create pods).
  nameFn: nameIsDNSLabel,
  defaults: defaultStatefulSet,
  status: {
    initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
    validateUpdate(s) {
      const st = s.status ?? {};
      const errs: FieldErrorList = [];
      for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']) errs.push(...nonNegative(st[f], `status.${f}`));
      if ((st.readyReplicas ?? 0) > (st.replicas ?? 0)) errs.push(invalid('status.readyReplicas', st.readyReplicas, 'cannot be greater than status.replicas'));
      return errs;
    },
  },
  generation: true,
  validate(s) {
    const spec = s.spec ?? {};
    const errs: FieldErrorList = [];
    const pmp = spec.podManagementPolicy;
    if (!pmp) errs.push(required('spec.podManagementPolicy', ''));
    else if (!['OrderedReady', 'Parallel'].includes(pmp)) errs.push(invalid('spec.podManagementPolicy', pmp, 'must be \'OrderedReady\' or \'Parallel\''));
    const us = spec.updateStrategy ?? {};
    if (!us.type) errs.push(required('spec.updateStrategy', ''));
    else if (us.type === 'OnDelete') {
      if (us.rollingUpdate != null) errs.push(invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
    } else if (us.type === 'RollingUpdate') {
      if (us.rollingUpdate) errs.push(...nonNegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
    } else errs.push(invalid('spec.updateStrategy', us, 'must be \'RollingUpdate\' or \'OnDelete\''));
    const rp = spec.persistentVolumeClaimRetentionPolicy ?? {};
    for (const f of ['whenDeleted', 'whenScaled'])
      if (rp[f] && !['Retain', 'Delete'].includes(rp[f])) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, rp[f], ['Retain', 'Delete']));
    errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
    errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
    if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
    if (spec.serviceName) for (const m of isDNS1123Label(spec.serviceName)) errs.push(invalid('spec.serviceName', spec.serviceName, m));
    errs.push(...validateSelectorAndTemplate(spec, 'statefulset', { kind: 'StatefulSet' }));
    (spec.volumeClaimTemplates ?? []).forEach((t: any, i: number) => {
      if (!t?.metadata?.name) errs.push(required(`spec.volumeClaimTemplates[${i}].metadata.name`, ''));
    });
    return errs;
  },
  validateUpdate(s, old) {
    const a = { ...(s.spec ?? {}) };
    const b = { ...(old.spec ?? {}) };
    for (const f of mutableSpecFields) {
      delete a[f];
      delete b[f];
    }
    if (deepEqual(a, b)) return [];
    return [forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
  },
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  table: table(
    [
      col('Ready', 'string', 'Number of the pod with ready state'),
      ageColumn,
      wide('Containers', 'string', containersColumnDescription),
      wide('Images', 'string', imagesColumnDescription),
    ],
    (s, now) => {
      const [names, images] = containersImages(s.spec?.template?.spec);
      return [`${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, age(s, now), names, images];
    },
  ),
});
