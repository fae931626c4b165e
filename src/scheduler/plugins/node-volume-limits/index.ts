// NodeVolumeLimits (PreFilter, Filter), as kube's CSI volume limits: a node takes at most the
// number of volumes per CSI driver its CSINode reports (spec.drivers[].allocatable.count), or,
// without one, its allocatable attachable-volumes-csi-<driver>. A volume counts once per node
// (pods sharing it attach it once): bound claims by the volume's CSI handle, unbound claims by
// the claim (driver: their class's provisioner), inline CSI volumes by pod and volume.
// Over the limit -> "node(s) exceed max volume count" (Unschedulable).
// Partial: in-tree volume plugins migrated to CSI (kube's translation) are not counted.
import type { FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interface.js';
import type { Listers } from '../../framework/listers.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { claimClassName } from '../../../api/volume-fits.js';

export const name = 'NodeVolumeLimits';
export const reason = 'node(s) exceed max volume count';

const stateKey = 'PreFilter' + name;

/** The CSI volumes a pod uses: unique handle -> driver. */
export function csiVolumes(pod: any, listers: Listers): Map<string, string> {
  const out = new Map<string, string>();
  const ns = pod.metadata?.namespace ?? 'default';
  for (const v of pod.spec?.volumes ?? []) {
    if (v.csi?.driver) {
      out.set(`${v.csi.driver}/${ns}/${pod.metadata?.name}/${v.name}`, v.csi.driver);
      continue;
    }
    const claimName = v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${pod.metadata?.name}-${v.name}` : undefined);
    if (!claimName) continue;
    const pvc = listers.claim(ns, claimName);
    if (!pvc) continue;
    if (pvc.spec?.volumeName) {
      const csi = listers.volume(pvc.spec.volumeName)?.spec?.csi;
      if (csi?.driver) out.set(`${csi.driver}/${csi.volumeHandle}`, csi.driver);
      continue;
    }
    const driver = listers.storageClass(claimClassName(pvc))?.provisioner;
    if (driver) out.set(`${driver}/${ns}/${claimName}`, driver);
  }
  return out;
}

/** The node's limit for a driver, or undefined when it has none. */
function limitOf(node: NodeInfo, driver: string, listers: Listers): number | undefined {
  const d = (listers.csiNode?.(node.name)?.spec?.drivers ?? []).find((x: any) => x.name === driver);
  if (d?.allocatable?.count !== undefined) return d.allocatable.count;
  const v = node.node?.status?.allocatable?.[`attachable-volumes-csi-${driver}`];
  return v === undefined ? undefined : Number(v);
}

export function factory(_args: Record<string, any>, handle: Handle): PreFilterPlugin & FilterPlugin {
  return {
    name,
    preFilter(state, pod) {
      const listers = handle.listers;
      if (!listers || !(pod.spec?.volumes ?? []).some((v: any) => v.csi || v.persistentVolumeClaim || v.ephemeral)) return { status: Status.skip() };
      const mine = csiVolumes(pod, listers);
      if (mine.size === 0) return { status: Status.skip() };
      state.write(stateKey, mine);
      return { status: Status.success() };
    },
    filter(state, _pod, node) {
      const mine = state.read<Map<string, string>>(stateKey);
      const listers = handle.listers;
      if (!mine || !listers) return Status.success();
      const attached = new Map<string, string>();
      for (const pi of node.pods.values()) for (const [h, d] of csiVolumes(pi.pod, listers)) attached.set(h, d);
      const adding = new Map<string, number>();
      for (const [h, d] of mine) if (!attached.has(h)) adding.set(d, (adding.get(d) ?? 0) + 1);
      for (const [driver, n] of adding) {
        const limit = limitOf(node, driver, listers);
        if (limit === undefined) continue;
        let used = 0;
        for (const d of attached.values()) if (d === driver) used++;
        if (used + n > limit) return Status.unschedulable(reason);
      }
      return Status.success();
    },
  };
}
