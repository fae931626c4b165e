// DefaultStorageClass and DefaultIngressClass admission (kube's plugins of those names): a
// PersistentVolumeClaim created without spec.storageClassName (nil, not "") and without the beta
// storage-class annotation gets the default StorageClass; an Ingress created without
// spec.ingressClassName and without the kubernetes.io/ingress.class annotation gets the default
// IngressClass. The default is the class annotated is-default-class=true; when several are,
// the newest wins (then the name), as kube 1.28+.
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { isResource, listObjects } from './lookup.js';

/** The newest class carrying one of the default annotations set to "true". */
export function pickDefault(classes: KObject[], annotations: string[]): KObject | undefined {
  const defaults = classes.filter((c) => annotations.some((k) => c.metadata?.annotations?.[k] === 'true'));
  defaults.sort((x, y) => {
    const tx = Date.parse(x.metadata?.creationTimestamp ?? '') || 0;
    const ty = Date.parse(y.metadata?.creationTimestamp ?? '') || 0;
    if (tx !== ty) return ty - tx;
    return String(x.metadata?.name).localeCompare(String(y.metadata?.name));
  });
  return defaults[0];
}

export function defaultStorageClass(resources: Resources): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(a) {
      if (a.operation !== 'CREATE' || !isResource(a, '', 'persistentvolumeclaims') || !a.object) return;
      const pvc = a.object;
      if (pvc.spec?.storageClassName != null || pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
      const def = pickDefault(await listObjects(resources, ['storage.k8s.io', 'v1', 'storageclasses'], ''), ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class']);
      if (def) (pvc.spec ??= {}).storageClassName = def.metadata!.name;
    },
  };
}

export function defaultIngressClass(resources: Resources): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    async admit(a) {
      if (a.operation !== 'CREATE' || !isResource(a, 'networking.k8s.io', 'ingresses') || !a.object) return;
      const ing = a.object;
      if (ing.spec?.ingressClassName != null || ing.metadata?.annotations?.['kubernetes.io/ingress.class'] !== undefined) return;
      const def = pickDefault(await listObjects(resources, ['networking.k8s.io', 'v1', 'ingressclasses'], ''), ['ingressclass.kubernetes.io/is-default-class']);
      if (def) (ing.spec ??= {}).ingressClassName = def.metadata!.name;
    },
  };
}
