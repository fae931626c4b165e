// The one-line plugins of kube-apiserver: AlwaysPullImages (every container's imagePullPolicy
// becomes Always on pod create and update) and AlwaysDeny (refuses every write; testing only).
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { KObject } from '../registry/strategy.js';
import { admissionForbidden, isResource } from './lookup.js';

export function alwaysPullImages(): AdmissionPlugin {
  return {
    name: 'AlwaysPullImages',
    admit(a) {
      if (!isResource(a, '', 'pods') || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const s = a.object.spec ?? {};
      for (const c of [...(s.initContainers ?? []), ...(s.containers ?? []), ...(s.ephemeralContainers ?? [])] as KObject[]) c.imagePullPolicy = 'Always';
    },
  };
}

export function alwaysDeny(): AdmissionPlugin {
  return {
    name: 'AlwaysDeny',
    admit(a) {
      throw admissionForbidden(a, 'admission control is denying all modifications');
    },
  };
}
