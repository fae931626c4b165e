// Well-known finalizer names shared by the apiserver (admission sets them) and the controllers
// (which remove them), as Kubernetes spells them.

/** Set on every PersistentVolumeClaim by StorageObjectInUseProtection; pvc-protection removes it once no pod uses the claim. */
export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
/** Set on every PersistentVolume by StorageObjectInUseProtection; pv-protection removes it once the volume is no longer bound. */
export const PV_PROTECTION = 'kubernetes.io/pv-protection';
