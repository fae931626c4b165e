// VolumeBinding's PreBind wait (kube's checkBindings, polled): after the scheduler's writes, the
// persistent-volume controller finishes each binding; the pod is bound only once every claim
// is (claim.spec.volumeName + pv.kubernetes.io/bind-completed), and a provisioned volume admits
// the node. A claim that goes away, binds elsewhere or loses its selected-node annotation (the
// provisioner gave up) fails the wait; so does the timeout (args.bindTimeoutSeconds).
import type { Handle } from '../../framework/interface.js';
import type { Listers } from '../../framework/listers.js';
import { Status } from '../../framework/status.js';
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE, volumeNodeAffinityMatches } from '../../../api/volume-fits.js';
import type { AssumeCache } from './assume-cache.js';

export interface WaitInput {
  bindings: Array<{ pv: any; pvc: any }>;
  provisions: any[];
  nodeName: string;
  listers: Listers;
  handle: Handle;
  /** The claims as assumed in Reserve (our annotation write may not be in the informer yet). */
  claims: AssumeCache;
  timeoutMs: number;
  pollMs: number;
}

const claimKey = (pvc: any) => `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
const fullyBound = (pvc: any | undefined) => !!pvc?.spec?.volumeName && pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined;

/** Pending bindings left, or the Status that ends the wait. */
function check(w: WaitInput): number | Status {
  let pending = 0;
  for (const { pv, pvc } of w.bindings) {
    const live = w.listers.claim(pvc.metadata.namespace, pvc.metadata.name);
    if (!live || live.metadata?.uid !== pvc.metadata?.uid) return Status.error(`PVC ${claimKey(pvc)} was deleted while binding`);
    if (!fullyBound(live)) pending++;
    else if (live.spec.volumeName !== pv.metadata.name) return Status.error(`PVC ${claimKey(pvc)} was bound to ${live.spec.volumeName}, not ${pv.metadata.name}`);
  }
  for (const pvc of w.provisions) {
    const live = w.claims.get(claimKey(pvc));
    if (!live || live.metadata?.uid !== pvc.metadata?.uid) return Status.error(`PVC ${claimKey(pvc)} was deleted while provisioning`);
    if (fullyBound(live)) {
      const pv = w.listers.volume(live.spec.volumeName);
      if (!pv) pending++;
      else if (!volumeNodeAffinityMatches(pv, w.handle.node(w.nodeName)?.node)) return Status.error(`pv "${pv.metadata.name}" node affinity doesn't match node "${w.nodeName}"`);
    } else if (!live.metadata?.annotations?.[ANN_SELECTED_NODE]) return Status.error(`provisioning failed for PVC "${live.metadata.name}"`);
    else pending++;
  }
  return pending;
}

export async function waitForBindings(w: WaitInput): Promise<Status> {
  const deadline = Date.now() + w.timeoutMs;
  for (;;) {
    const r = check(w);
    if (r instanceof Status) return r;
    if (r === 0) return Status.success();
    if (Date.now() >= deadline) return Status.error('binding volumes: timed out waiting for the condition');
    await new Promise((res) => setTimeout(res, w.pollMs));
  }
}
