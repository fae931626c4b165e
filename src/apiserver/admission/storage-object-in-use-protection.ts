// StorageObjectInUseProtection (kube's plugin of that name): a PersistentVolumeClaim is created
// with the kubernetes.io/pvc-protection finalizer and a PersistentVolume with
// kubernetes.io/pv-protection, so deleting one that is still in use leaves it Terminating until
// the pvc-protection / pv-protection controllers see it unused and remove the finalizer.
import type { AdmissionPlugin } from '../filters/pipeline.js';
import { isResource } from './lookup.js';
import { PVC_PROTECTION, PV_PROTECTION } from '../../api/finalizers.js';

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    admit(a) {
      if (a.operation !== 'CREATE' || !a.object) return;
      const finalizer = isResource(a, '', 'persistentvolumeclaims') ? PVC_PROTECTION : isResource(a, '', 'persistentvolumes') ? PV_PROTECTION : undefined;
      if (!finalizer) return;
      const m = (a.object.metadata ??= {});
      const list: string[] = m.finalizers ?? [];
      if (!list.includes(finalizer)) m.finalizers = [...list, finalizer];
    },
  };
}
