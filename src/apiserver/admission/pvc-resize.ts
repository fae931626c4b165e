// PersistentVolumeClaimResize admission (kube's plugin of that name): a bound claim's storage
// request may grow only when its StorageClass sets allowVolumeExpansion, with kube's message.
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import { tryParseQuantity } from '../../api/quantity.js';
import { admissionForbidden, getObject, isResource, oldObjectOf } from './lookup.js';

export function pvcResize(resources: Resources): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    async validate(a) {
      if (a.operation !== 'UPDATE' || !isResource(a, '', 'persistentvolumeclaims') || !a.object) return;
      const old = await oldObjectOf(resources, a);
      if (!old) return;
      const before = tryParseQuantity(old.spec?.resources?.requests?.storage);
      const after = tryParseQuantity(a.object.spec?.resources?.requests?.storage);
      if (!before || !after || after.nano <= before.nano) return;
      if (old.status?.phase !== 'Bound') throw admissionForbidden(a, 'Only bound persistent volume claims can be expanded');
      const cls = old.spec?.storageClassName;
      const sc = cls ? await getObject(resources, ['storage.k8s.io', 'v1', 'storageclasses'], '', cls) : undefined;
      if (!sc?.allowVolumeExpansion) throw admissionForbidden(a, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    },
  };
}
