// CSIDriver (storage.k8s.io/v1 csidrivers): SetDefaults_CSIDriver (attachRequired true,
// podInfoOnMount false, storageCapacity false, fsGroupPolicy ReadWriteOnceWithFSType,
// requiresRepublish false, volumeLifecycleModes [Persistent], seLinuxMount false); light
// validation; attachRequired/podInfoOnMount immutable as in 1.32; the csidrivers table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, notSupported } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSIDriver',
    listKind: 'CSIDriverList',
    resource: 'csidrivers',
    singular: 'csidriver',
    namespaced: false,
  },
  defaults(d) {
    const spec = (d.spec ??= {});
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ||= 'ReadWriteOnceWithFSType';
    spec.requiresRepublish ??= false;
    if (!(spec.volumeLifecycleModes ?? []).length) spec.volumeLifecycleModes = ['Persistent'];
    spec.seLinuxMount ??= false;
  },
  validate(d) {
    const errs: FieldErrorList = [];
    const fp = d.spec?.fsGroupPolicy;
    if (fp && !['File', 'None', 'ReadWriteOnceWithFSType'].includes(fp)) errs.push(notSupported('spec.fsGroupPolicy', fp, ['File', 'None', 'ReadWriteOnceWithFSType']));
    (d.spec?.volumeLifecycleModes ?? []).forEach((m: string, i: number) => {
      if (!['Persistent', 'Ephemeral'].includes(m)) errs.push(notSupported(`spec.volumeLifecycleModes[${i}]`, m, ['Ephemeral', 'Persistent']));
    });
    return errs;
  },
  validateUpdate: (d, old) => [...validateImmutableField(d.spec?.attachRequired, old.spec?.attachRequired, 'spec.attachRequired')],
  table: table(
    [
      col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
      col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.'),
      col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.'),
      col('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
      col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
      col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
      ageColumn,
    ],
    (d, now) => {
      const spec = d.spec ?? {};
      const tokens = (spec.tokenRequests ?? []).map((t: any) => t?.audience ?? '').join(',');
      return [!!spec.attachRequired, !!spec.podInfoOnMount, !!spec.storageCapacity, tokens || '<unset>', !!spec.requiresRepublish, (spec.volumeLifecycleModes ?? []).join(',') || '<none>', age(d, now)];
    },
  ),
});
