// VolumeBinding (PreFilter, Filter, Reserve, PreBind), as kube's plugin for pods with
// PersistentVolumeClaims:
//   PreFilter: a claim that is unbound and whose class binds Immediately rejects the pod
//     everywhere ("pod has unbound immediate PersistentVolumeClaims": the PV controller binds
//     those, not the scheduler); pods without claims skip the plugin.
//   Filter: a bound claim's volume must admit the node (spec.nodeAffinity); a claim of a
//     WaitForFirstConsumer class needs, per node, an available volume that fits it (class,
//     access modes, volume mode, selector, size, node affinity; smallest first), or a class
//     with a provisioner (and allowedTopologies admitting the node) to provision one.
//   Reserve: the chosen volumes get the claimRef, the claims to provision get the
//     volume.kubernetes.io/selected-node annotation, in an assume cache the next cycles see.
//   PreBind: writes them (PV claimRef + pv.kubernetes.io/bound-by-controller; the PVC
//     annotation), then waits until the persistent-volume controller has finished each binding
//     (claim.spec.volumeName + pv.kubernetes.io/bind-completed) before the pod is bound.
// Partial: no Score (kube scores only behind the StorageCapacityScoring gate), no
// CSIStorageCapacity checks; the assume cache is per profile.
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, ReservePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, NO_PROVISIONER, claimClassName, compareVolumeSize, volumeFits, volumeNodeAffinityMatches, volumePreboundTo } from '../../../api/volume-fits.js';
import { AssumeCache } from './assume-cache.js';
import { podClaims } from './pod-claims.js';
import { waitForBindings } from './wait-for-bindings.js';

export const name = 'VolumeBinding';
export const reasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';
export const reasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const reasonNodeConflict = 'node(s) had volume node affinity conflict';
export const reasonPVNotExist = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

export interface PodVolumes {
  bindings: Array<{ pv: any; pvc: any }>;
  provisions: any[];
}
interface CycleData {
  bound: any[];
  delayed: any[];
  perNode: Map<string, PodVolumes>;
  reserved?: { volumes: string[]; claims: string[]; bindings: PodVolumes };
}

const claimKey = (pvc: any) => `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
const stateKey = 'PreFilter' + name;

/** Kube's StorageClass allowedTopologies: some term whose every label expression the node satisfies. */
function topologyAdmits(sc: any, node: any): boolean {
  const terms: any[] = sc?.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  const labels = node?.metadata?.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e: any) => (e.values ?? []).includes(labels[e.key])));
}

export function factory(args: Record<string, any>, handle: Handle): PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin {
  const bindTimeoutMs = (args.bindTimeoutSeconds ?? 600) * 1000;
  const pollMs = args.pollIntervalMs ?? 100;
  const listers = handle.listers;
  const volumes = new AssumeCache((n) => listers?.volume(n));
  const claims = new AssumeCache((k) => {
    const i = k.indexOf('/');
    return listers?.claim(k.slice(0, i), k.slice(i + 1));
  });
  const delayed = (pvc: any): boolean | Status => {
    const cls = claimClassName(pvc);
    if (!cls) return false;
    const sc = listers!.storageClass(cls);
    if (!sc) return Status.unresolvable(`storageclass.storage.k8s.io "${cls}" not found`);
    return sc.volumeBindingMode === 'WaitForFirstConsumer';
  };

  /** The smallest available volume that fits the claim on this node, not already `taken`. */
  function findVolume(pvc: any, node: any, taken: Set<string>): any | undefined {
    const cls = claimClassName(pvc);
    let best: any;
    for (const live of listers!.volumes()) {
      const pv = volumes.get(live.metadata?.name) ?? live;
      if (pv.metadata?.deletionTimestamp || taken.has(pv.metadata?.name)) continue;
      if (!volumeNodeAffinityMatches(pv, node)) continue;
      if (volumePreboundTo(pv, pvc) && volumeFits(pv, pvc, cls)) return pv;
      if (pv.spec?.claimRef || !['Available', 'Pending'].includes(pv.status?.phase ?? 'Available')) continue;
      if (!volumeFits(pv, pvc, cls)) continue;
      if (!best || compareVolumeSize(pv, best) < 0) best = pv;
    }
    return best;
  }

  return {
    name,
    preFilter(state: CycleState, pod) {
      if (!listers) return { status: Status.skip() };
      const found = podClaims(pod, listers);
      if (found.status) return { status: found.status };
      if (found.claims.length === 0) return { status: Status.skip() };
      const data: CycleData = { bound: [], delayed: [], perNode: new Map() };
      let unboundImmediate = false;
      for (const live of found.claims) {
        const pvc = claims.get(claimKey(live)) ?? live;
        if (pvc.spec?.volumeName) {
          data.bound.push(pvc);
          continue;
        }
        const d = delayed(pvc);
        if (d instanceof Status) return { status: d };
        if (d) data.delayed.push(pvc);
        else unboundImmediate = true;
      }
      if (unboundImmediate) return { status: Status.unresolvable(reasonUnboundImmediate) };
      state.write(stateKey, data);
      return { status: Status.success() };
    },
    filter(state, _pod, node: NodeInfo) {
      const data = state.read<CycleData>(stateKey);
      if (!data) return Status.success();
      const reasons: string[] = [];
      for (const pvc of data.bound) {
        const pv = volumes.get(pvc.spec.volumeName);
        if (!pv) {
          reasons.push(reasonPVNotExist);
          break;
        }
        if (!volumeNodeAffinityMatches(pv, node.node)) {
          reasons.push(reasonNodeConflict);
          break;
        }
      }
      const pick: PodVolumes = { bindings: [], provisions: [] };
      const taken = new Set<string>();
      let bindConflict = false;
      for (const pvc of data.delayed) {
        const pv = findVolume(pvc, node.node, taken);
        if (pv) {
          taken.add(pv.metadata.name);
          pick.bindings.push({ pv, pvc });
          continue;
        }
        const sc = listers!.storageClass(claimClassName(pvc));
        if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER || !topologyAdmits(sc, node.node)) {
          bindConflict = true;
          break;
        }
        pick.provisions.push(pvc);
      }
      if (bindConflict) reasons.push(reasonBindConflict);
      if (reasons.length) return Status.unresolvable(...reasons);
      data.perNode.set(node.name, pick);
      return Status.success();
    },
    reserve(state, _pod, nodeName) {
      const data = state.read<CycleData>(stateKey);
      const pick = data?.perNode.get(nodeName);
      if (!data || !pick) return Status.success();
      const reserved = { volumes: [] as string[], claims: [] as string[], bindings: { bindings: [] as PodVolumes['bindings'], provisions: [] as any[] } };
      for (const { pv, pvc } of pick.bindings) {
        const next = structuredClone(pv);
        next.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
        next.metadata.annotations = { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
        volumes.assume(pv.metadata.name, next, listers!.volume(pv.metadata.name)?.metadata?.resourceVersion);
        reserved.volumes.push(pv.metadata.name);
        reserved.bindings.bindings.push({ pv: next, pvc });
      }
      for (const pvc of pick.provisions) {
        const next = structuredClone(pvc);
        next.metadata.annotations = { ...next.metadata.annotations, [ANN_SELECTED_NODE]: nodeName };
        const key = claimKey(pvc);
        claims.assume(key, next, listers!.claim(pvc.metadata.namespace, pvc.metadata.name)?.metadata?.resourceVersion);
        reserved.claims.push(key);
        reserved.bindings.provisions.push(next);
      }
      data.reserved = reserved;
      return Status.success();
    },
    unreserve(state) {
      const r = state.read<CycleData>(stateKey)?.reserved;
      if (!r) return;
      for (const v of r.volumes) volumes.restore(v);
      for (const c of r.claims) claims.restore(c);
    },
    async preBind(state, _pod, nodeName) {
      const r = state.read<CycleData>(stateKey)?.reserved?.bindings;
      if (!r || (r.bindings.length === 0 && r.provisions.length === 0)) return Status.success();
      if (!handle.updateVolume || !handle.updateClaim) return Status.error('volume binding needs API access');
      try {
        // The assumptions stay until the informers show these writes (a newer resourceVersion).
        for (const b of r.bindings) await handle.updateVolume(b.pv);
        for (const pvc of r.provisions) await handle.updateClaim(pvc);
      } catch (e) {
        return Status.error(`binding volumes: ${(e as Error).message}`);
      }
      return waitForBindings({ bindings: r.bindings, provisions: r.provisions, nodeName, listers: listers!, handle, claims, timeoutMs: bindTimeoutMs, pollMs });
    },
  };
}
