// StorageClass (storage.k8s.io/v1 storageclasses): reclaimPolicy Delete, volumeBindingMode
// Immediate; provisioner required; parameters/provisioner/reclaimPolicy/volumeBindingMode
// immutable; NAME (with " (default)") PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE
// ALLOWVOLUMEEXPANSION AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, forbidden } from '../../../../api/field-errors.js';
import { isQualifiedName } from '../../../../api/validation/names.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { nameColumn, col, ageColumn, age } from '../../printers/columns.js';

export const isDefaultClass = (obj: any): boolean =>
  obj.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' || obj.metadata?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    listKind: 'StorageClassList',
    resource: 'storageclasses',
    singular: 'storageclass',
    namespaced: false,
    shortNames: ['sc'],
  },
  defaults(sc) {
    sc.reclaimPolicy ||= 'Delete';
    sc.volumeBindingMode ||= 'Immediate';
  },
  validate(sc) {
    const errs: FieldErrorList = [];
    if (!sc.provisioner) errs.push(required('provisioner', ''));
    else {
      for (const m of isQualifiedName(String(sc.provisioner).toLowerCase())) errs.push(invalid('provisioner', sc.provisioner, m));
      if (sc.provisioner.length > 63) errs.push(invalid('provisioner', sc.provisioner, 'must be no more than 63 characters'));
    }
    if (!['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
    if (!['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
    return errs;
  },
  validateUpdate(sc, old) {
    const errs: FieldErrorList = [];
    if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(forbidden('volumeBindingMode', 'field is immutable'));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
      col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
      col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
      col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
      ageColumn,
    ],
    cells: (sc, now) => [(sc.metadata?.name ?? '') + (isDefaultClass(sc) ? ' (default)' : ''), sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', !!sc.allowVolumeExpansion, age(sc, now)],
  },
});
