// Whether a PersistentVolume can serve a PersistentVolumeClaim, and the few claim/volume facts
// both the persistent-volume controller and the scheduler's VolumeBinding plugin read (so the
// two agree on which volume a claim may take).
import { compareQuantities, tryParseQuantity } from './quantity.js';
import { matchesLabelSelector, matchesNodeSelector } from './selectors/selector-objects.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** A class whose volumes are created by hand (kube's kubernetes.io/no-provisioner). */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** Whether volume `pv` can serve claim `pvc` (class, volume mode, access modes, selector, size). */
export function volumeFits(pv: any, pvc: any, className: string): boolean {
  if ((pv.spec?.storageClassName ?? '') !== className) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m: string) => modes.includes(m))) return false;
  if (pvc.spec?.selector && !matchesLabelSelector(pvc.spec.selector, pv.metadata?.labels)) return false;
  const want = tryParseQuantity(pvc.spec?.resources?.requests?.storage);
  const have = tryParseQuantity(pv.spec?.capacity?.storage);
  return !want || (!!have && compareQuantities(have, want) >= 0);
}

/** The volume's size for ordering (smallest fitting volume first); unparsable sizes sort last. */
export function compareVolumeSize(a: any, b: any): number {
  const qa = tryParseQuantity(a.spec?.capacity?.storage);
  const qb = tryParseQuantity(b.spec?.capacity?.storage);
  if (!qa || !qb) return qa ? -1 : qb ? 1 : 0;
  return compareQuantities(qa, qb);
}

/** The volume is reserved for this claim (claimRef names it, with its uid or without one). */
export function volumePreboundTo(pv: any, pvc: any): boolean {
  const ref = pv.spec?.claimRef;
  return !!ref && ref.namespace === pvc.metadata?.namespace && ref.name === pvc.metadata?.name && (!ref.uid || ref.uid === pvc.metadata?.uid);
}

/** The claim's class: the beta annotation wins over spec.storageClassName, as kube reads it. */
export function claimClassName(pvc: any): string {
  return pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';
}

/** Whether the volume's spec.nodeAffinity.required (if any) admits the node. */
export function volumeNodeAffinityMatches(pv: any, node: any): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  return !required || matchesNodeSelector(required, node);
}
