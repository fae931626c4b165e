// The PersistentVolumeClaims a pod uses (spec.volumes[].persistentVolumeClaim, and the claims
// generic ephemeral volumes get, named <pod>-<volume>), looked up through the listers, with the
// UnschedulableAndUnresolvable status kube gives when one is missing or going away.
import type { Listers } from '../../framework/listers.js';
import { Status } from '../../framework/status.js';

export interface PodClaimRef {
  name: string;
  ephemeral: boolean;
}

export function podClaimRefs(pod: any): PodClaimRef[] {
  const out: PodClaimRef[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata?.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

/** The pod's claims, or the status that rejects the pod when one cannot be used. */
export function podClaims(pod: any, listers: Listers): { claims: any[]; status?: Status } {
  const ns = pod.metadata?.namespace ?? 'default';
  const claims: any[] = [];
  for (const ref of podClaimRefs(pod)) {
    const pvc = listers.claim(ns, ref.name);
    if (!pvc) {
      const msg = ref.ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${ref.name}"` : `persistentvolumeclaim "${ref.name}" not found`;
      return { claims, status: Status.unresolvable(msg) };
    }
    if (pvc.metadata?.deletionTimestamp) return { claims, status: Status.unresolvable(`persistentvolumeclaim "${ref.name}" is being deleted`) };
    if (ref.ephemeral && !(pvc.metadata?.ownerReferences ?? []).some((o: any) => o.controller && o.uid === pod.metadata?.uid))
      return { claims, status: Status.unresolvable(`PVC ${ns}/${ref.name} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)`) };
    claims.push(pvc);
  }
  return { claims };
}
