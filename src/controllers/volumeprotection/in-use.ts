// When a claim or a volume still counts as in use for the protection controllers (kube's
// pvc-protection podUsesPVC and pv-protection isPVUsed).
import type { K } from '../pod-util.js';

/** The claim names a pod's volumes reference (generic ephemeral volumes: <pod>-<volume>). */
export function claimsOf(pod: K): string[] {
  const out: string[] = [];
  for (const v of (pod.spec?.volumes ?? []) as K[]) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

/** A scheduled pod that has not finished uses its claims (the kubelet only sees scheduled pods,
 * and will not start one whose claim is being deleted). */
export function podUsesClaim(pod: K, claim: string): boolean {
  if (!pod.spec?.nodeName) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return claimsOf(pod).includes(claim);
}

/** A volume is in use while Bound to a claim that still exists (kube's binder marks a volume
 * Released before reclaiming it; ours deletes a Delete-policy volume straight from Bound, so the
 * claim's existence is checked too). */
export function volumeInUse(pv: K, claimExists: (namespace: string, name: string, uid?: string) => boolean): boolean {
  if (pv.status?.phase !== 'Bound') return false;
  const ref = pv.spec?.claimRef;
  return !!ref && claimExists(ref.namespace, ref.name, ref.uid);
}
