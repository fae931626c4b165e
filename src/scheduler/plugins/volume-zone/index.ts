// VolumeZone (PreFilter, Filter), as kube's plugin: a pod whose bound PersistentVolumes carry
// zone or region labels (topology.kubernetes.io/zone|region, or the beta
// failure-domain.beta.kubernetes.io/zone|region; a value may list several zones joined by "__")
// only fits nodes in one of those zones/regions. A node without any zone or region label is
// unconstrained; a node label missing for a beta PV label is looked up under its GA name.
// Mismatch -> "node(s) had no available volume zone" (UnschedulableAndUnresolvable). Unbound
// claims of a WaitForFirstConsumer class are skipped (VolumeBinding decides them); other unbound
// claims, missing claims, volumes and classes reject the pod in PreFilter with kube's texts.
import type { FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interface.js';
import type { Listers } from '../../framework/listers.js';
import { Status } from '../../framework/status.js';
import { claimClassName } from '../../../api/volume-fits.js';
import { podClaimRefs } from '../volume-binding/pod-claims.js';

export const name = 'VolumeZone';
export const reasonConflict = 'node(s) had no available volume zone';

const BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
const BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'topology.kubernetes.io/region';
const topologyLabels = [BETA_ZONE, BETA_REGION, ZONE, REGION];
const gaLabel: Record<string, string> = { [BETA_ZONE]: ZONE, [BETA_REGION]: REGION };

const stateKey = 'PreFilter' + name;

interface PvTopology {
  key: string;
  values: Set<string>;
}

/** The zone/region constraints of the pod's volumes, or the status that rejects the pod. */
export function podVolumeTopologies(pod: any, listers: Listers): { topologies: PvTopology[]; status?: Status } {
  const ns = pod.metadata?.namespace ?? 'default';
  const topologies: PvTopology[] = [];
  for (const ref of podClaimRefs(pod)) {
    const pvc = listers.claim(ns, ref.name);
    if (!pvc) return { topologies, status: Status.unresolvable(`persistentvolumeclaim "${ref.name}" not found`) };
    const pvName = pvc.spec?.volumeName;
    if (!pvName) {
      const scName = claimClassName(pvc);
      if (!scName) return { topologies, status: Status.unresolvable('PersistentVolumeClaim had no pv name and storageClass name') };
      const sc = listers.storageClass(scName);
      if (!sc) return { topologies, status: Status.unresolvable(`storageclass.storage.k8s.io "${scName}" not found`) };
      if (!sc.volumeBindingMode) return { topologies, status: Status.unresolvable(`VolumeBindingMode not set for StorageClass "${scName}"`) };
      if (sc.volumeBindingMode === 'WaitForFirstConsumer') continue;
      return { topologies, status: Status.unresolvable('PersistentVolume had no name') };
    }
    const pv = listers.volume(pvName);
    if (!pv) return { topologies, status: Status.unresolvable(`persistentvolume "${pvName}" not found`) };
    const labels: Record<string, string> = pv.metadata?.labels ?? {};
    for (const key of topologyLabels) {
      const v = labels[key];
      if (v === undefined) continue;
      // kube's LabelZonesToSet: "a__b" -> {a, b}; a malformed value is ignored.
      const values = v.split('__');
      if (values.some((z) => z === '')) continue;
      topologies.push({ key, values: new Set(values) });
    }
  }
  return { topologies };
}

export function factory(_args: Record<string, any>, handle: Handle): PreFilterPlugin & FilterPlugin {
  return {
    name,
    preFilter(state, pod) {
      const listers = handle.listers;
      if (!listers || podClaimRefs(pod).length === 0) return { status: Status.skip() };
      const r = podVolumeTopologies(pod, listers);
      if (r.status) return { status: r.status };
      if (r.topologies.length === 0) return { status: Status.skip() };
      state.write(stateKey, r.topologies);
      return { status: Status.success() };
    },
    filter(state, _pod, node) {
      const topologies = state.read<PvTopology[]>(stateKey);
      if (!topologies?.length) return Status.success();
      const labels: Record<string, string> = node.node?.metadata?.labels ?? {};
      if (!topologyLabels.some((k) => k in labels)) return Status.success();
      for (const t of topologies) {
        const v = labels[t.key] ?? (gaLabel[t.key] ? labels[gaLabel[t.key]] : undefined);
        if (v === undefined || !t.values.has(v)) return Status.unresolvable(reasonConflict);
      }
      return Status.success();
    },
  };
}
