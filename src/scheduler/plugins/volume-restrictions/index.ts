// VolumeRestrictions (PreFilter, Filter), as kube's plugin:
//   - ReadWriteOncePod: a claim with that access mode may be used by one pod in the whole
//     cluster; while another (scheduled or assumed) pod uses it, every node rejects the pod with
//     "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access
//     mode" (Unschedulable, so preempting that pod can help: the dry run recounts without it).
//   - Disk conflicts: the same GCE PD (unless both read-only), AWS EBS volume, iSCSI IQN or RBD
//     image already in use on the node -> "node(s) had no available disk".
// A pod with neither kind of volume skips the plugin.
import type { FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { podClaimRefs, podClaims } from '../volume-binding/pod-claims.js';

export const name = 'VolumeRestrictions';
export const reasonDiskConflict = 'node(s) had no available disk';
export const reasonRWOPConflict = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

const stateKey = 'PreFilter' + name;

const needsDiskCheck = (v: any) => !!(v.gcePersistentDisk || v.awsElasticBlockStore || v.iscsi || v.rbd);

/** Whether volume `a` of the incoming pod conflicts with volume `b` of a pod on the node. */
function diskConflict(a: any, b: any): boolean {
  if (a.gcePersistentDisk && b.gcePersistentDisk)
    return a.gcePersistentDisk.pdName === b.gcePersistentDisk.pdName && !(a.gcePersistentDisk.readOnly && b.gcePersistentDisk.readOnly);
  if (a.awsElasticBlockStore && b.awsElasticBlockStore) return a.awsElasticBlockStore.volumeID === b.awsElasticBlockStore.volumeID;
  if (a.iscsi && b.iscsi) return a.iscsi.iqn === b.iscsi.iqn && !(a.iscsi.readOnly && b.iscsi.readOnly);
  if (a.rbd && b.rbd) {
    const mons = new Set<string>(a.rbd.monitors ?? []);
    const shared = (b.rbd.monitors ?? []).some((m: string) => mons.has(m));
    return shared && (a.rbd.pool ?? 'rbd') === (b.rbd.pool ?? 'rbd') && a.rbd.image === b.rbd.image && !(a.rbd.readOnly && b.rbd.readOnly);
  }
  return false;
}

interface State {
  diskVolumes: any[];
  rwopConflicts: number;
}

export function factory(_args: Record<string, any>, handle: Handle): PreFilterPlugin & FilterPlugin {
  return {
    name,
    preFilter(state, pod, nodes: NodeInfo[]) {
      const diskVolumes = (pod.spec?.volumes ?? []).filter(needsDiskCheck);
      let rwopConflicts = 0;
      if (handle.listers && podClaimRefs(pod).length) {
        const found = podClaims(pod, handle.listers);
        if (found.status) return { status: found.status };
        const ns = pod.metadata?.namespace ?? 'default';
        const rwop = new Set(found.claims.filter((c) => (c.spec?.accessModes ?? []).includes('ReadWriteOncePod')).map((c) => c.metadata.name));
        if (rwop.size) {
          const self = `${ns}/${pod.metadata?.name}`;
          for (const n of nodes)
            for (const pi of n.pods.values()) {
              if (pi.key === self || pi.pod.metadata?.namespace !== ns) continue;
              for (const ref of podClaimRefs(pi.pod)) if (rwop.has(ref.name)) rwopConflicts++;
            }
        }
      }
      if (diskVolumes.length === 0 && rwopConflicts === 0) return { status: Status.skip() };
      state.write(stateKey, { diskVolumes, rwopConflicts } satisfies State);
      return { status: Status.success() };
    },
    filter(state, _pod, node) {
      const s = state.read<State>(stateKey);
      if (!s) return Status.success();
      if (s.diskVolumes.length)
        for (const pi of node.pods.values())
          for (const theirs of pi.pod.spec?.volumes ?? []) if (needsDiskCheck(theirs) && s.diskVolumes.some((mine) => diskConflict(mine, theirs))) return Status.unschedulable(reasonDiskConflict);
      if (s.rwopConflicts > 0) return Status.unschedulable(reasonRWOPConflict);
      return Status.success();
    },
  };
}
