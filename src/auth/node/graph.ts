// The Node authorizer's graph (kube's plugin/pkg/auth/authorizer/node graph, reduced to what it
// needs): for every node, the secrets, configmaps, persistent volume claims and service accounts
// referenced by the pods bound to it, counted so a reference disappears with its last pod; and
// each claim's bound volume. Fed by the pods and persistentvolumeclaims informers.
import type { KObject } from '../../apiserver/registry/strategy.js';
import type { InformerHandler } from '../authz/cache-informer.js';

export type RefKind = 'secret' | 'configmap' | 'pvc' | 'serviceaccount';

/** Every object a pod references that its node may read, as `kind/namespace/name`. */
export function podReferences(pod: KObject): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const out = new Set<string>();
  const add = (kind: RefKind, name: unknown) => typeof name === 'string' && name && out.add(`${kind}/${ns}/${name}`);
  const spec = pod.spec ?? {};
  add('serviceaccount', spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add('secret', s?.name);
  for (const v of spec.volumes ?? []) {
    add('secret', v?.secret?.secretName);
    add('configmap', v?.configMap?.name);
    add('pvc', v?.persistentVolumeClaim?.claimName);
    if (v?.ephemeral) add('pvc', `${pod.metadata?.name}-${v.name}`);
    for (const src of v?.projected?.sources ?? []) {
      add('secret', src?.secret?.name);
      add('configmap', src?.configMap?.name);
    }
    add('secret', v?.csi?.nodePublishSecretRef?.name);
    for (const k of ['azureFile', 'cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos']) add('secret', v?.[k]?.secretRef?.name ?? v?.[k]?.secretName);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c?.env ?? []) {
      add('secret', e?.valueFrom?.secretKeyRef?.name);
      add('configmap', e?.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c?.envFrom ?? []) {
      add('secret', e?.secretRef?.name);
      add('configmap', e?.configMapRef?.name);
    }
  }
  return [...out];
}

export class NodeGraph {
  /** node -> reference -> number of the node's pods holding it. */
  private refs = new Map<string, Map<string, number>>();
  /** pod namespace/name -> node and references. */
  private pods = new Map<string, { node: string; refs: string[] }>();
  /** claim namespace/name -> volumeName. */
  private claimVolumes = new Map<string, string>();

  readonly podHandler: InformerHandler = {
    upsert: (pod) => this.setPod(pod),
    remove: (pod) => this.removePod(`${pod.metadata?.namespace}/${pod.metadata?.name}`),
    clear: () => {
      this.refs.clear();
      this.pods.clear();
    },
  };

  readonly claimHandler: InformerHandler = {
    upsert: (pvc) => {
      const k = `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
      if (pvc.spec?.volumeName) this.claimVolumes.set(k, pvc.spec.volumeName);
      else this.claimVolumes.delete(k);
    },
    remove: (pvc) => void this.claimVolumes.delete(`${pvc.metadata?.namespace}/${pvc.metadata?.name}`),
    clear: () => this.claimVolumes.clear(),
  };

  setPod(pod: KObject): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.removePod(key);
    const node = pod.spec?.nodeName;
    if (!node) return;
    // A finished pod keeps no access to what it referenced (kube drops terminal pods from the
    // graph) but stays known as the node's pod (its status may still be written).
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const refs = terminal ? [] : podReferences(pod);
    this.pods.set(key, { node, refs });
    let m = this.refs.get(node);
    if (!m) this.refs.set(node, (m = new Map()));
    for (const r of refs) m.set(r, (m.get(r) ?? 0) + 1);
  }

  removePod(key: string): void {
    const p = this.pods.get(key);
    if (!p) return;
    this.pods.delete(key);
    const m = this.refs.get(p.node);
    if (!m) return;
    for (const r of p.refs) {
      const n = (m.get(r) ?? 0) - 1;
      if (n > 0) m.set(r, n);
      else m.delete(r);
    }
    if (!m.size) this.refs.delete(p.node);
  }

  /** Whether a pod bound to `node` references kind/namespace/name. */
  references(node: string, kind: RefKind, namespace: string, name: string): boolean {
    return !!this.refs.get(node)?.has(`${kind}/${namespace}/${name}`);
  }

  /** The node a pod is bound to (undefined: unknown or not bound). */
  podNode(namespace: string, name: string): string | undefined {
    return this.pods.get(`${namespace}/${name}`)?.node;
  }

  /** Whether a claim used by a pod of `node` is bound to volume `pv`. */
  referencesVolume(node: string, pv: string): boolean {
    for (const r of this.refs.get(node)?.keys() ?? []) {
      if (!r.startsWith('pvc/')) continue;
      if (this.claimVolumes.get(r.slice(4)) === pv) return true;
    }
    return false;
  }
}
