// NodeRestriction admission (kube's plugin of that name). A kubelet (user system:node:<name> in
// group system:nodes) may only: create, update and delete its own Node, without setting
// node-restriction.kubernetes.io labels or kubernetes.io/k8s.io labels other than the kubelet's
// own (hostname, os, arch, zone, region, instance-type, kubelet.kubernetes.io/*,
// node.kubernetes.io/*), and without changing its taints; create mirror pods bound to itself
// (owned by its Node, referencing no service account, secret, configmap or claim); delete and
// evict pods bound to it and update their status (not their labels); write only status of
// claims; use only its own Lease in kube-node-lease. Messages are kube's.
// Divergence: label and taint checks are skipped for nodes/status writes (keelson's status
// subresource stores only .status, so metadata cannot change there anyway).
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { admissionForbidden, getObject, nameOf, oldObjectOf } from './lookup.js';
import { notFound } from '../status.js';
import { jsonEqual } from '../registry/generic/meta.js';

const kubeletLabels = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
const kubeletNamespaces = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const labelNamespace = (key: string) => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');
const inDomain = (ns: string, d: string) => ns === d || ns.endsWith('.' + d);
const isKubeletLabel = (k: string) => kubeletLabels.has(k) || kubeletNamespaces.some((d) => inDomain(labelNamespace(k), d));
const isKubernetesLabel = (k: string) => inDomain(labelNamespace(k), 'kubernetes.io') || inDomain(labelNamespace(k), 'k8s.io');

/** The node a user is, or undefined for other users (kube's NodeIdentifier). */
export function nodeNameOf(user: { name: string; groups: string[] } | undefined): string | undefined {
  if (!user?.groups?.includes('system:nodes') || !user.name.startsWith('system:node:')) return undefined;
  return user.name.slice('system:node:'.length) || undefined;
}

/** Labels added, removed or changed that a node may not touch, sorted. */
export function forbiddenLabels(next: Record<string, string> = {}, prev: Record<string, string> = {}): string[] {
  const modified = new Set<string>();
  for (const [k, v] of Object.entries(next)) if (prev[k] !== v) modified.add(k);
  for (const [k, v] of Object.entries(prev)) if (next[k] !== v) modified.add(k);
  return [...modified].filter((k) => inDomain(labelNamespace(k), 'node-restriction.kubernetes.io') || (isKubernetesLabel(k) && !isKubeletLabel(k))).sort();
}

function referencesSecrets(spec: KObject): boolean {
  if (spec.imagePullSecrets?.length) return true;
  for (const v of spec.volumes ?? []) {
    if (v.secret || v.cephfs?.secretRef || v.flexVolume?.secretRef || v.iscsi?.secretRef || v.rbd?.secretRef || v.scaleIO?.secretRef || v.storageos?.secretRef || v.csi?.nodePublishSecretRef) return true;
    if ((v.projected?.sources ?? []).some((s: KObject) => s.secret)) return true;
  }
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].some(
    (c: KObject) => (c.envFrom ?? []).some((e: KObject) => e.secretRef) || (c.env ?? []).some((e: KObject) => e.valueFrom?.secretKeyRef),
  );
}

function referencesConfigMaps(spec: KObject): boolean {
  for (const v of spec.volumes ?? []) {
    if (v.configMap) return true;
    if ((v.projected?.sources ?? []).some((s: KObject) => s.configMap)) return true;
  }
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].some(
    (c: KObject) => (c.envFrom ?? []).some((e: KObject) => e.configMapRef) || (c.env ?? []).some((e: KObject) => e.valueFrom?.configMapKeyRef),
  );
}

export function nodeRestriction(resources: Resources): AdmissionPlugin {
  const existingPod = async (a: AdmissionAttributes, name: string) => {
    const pod = await getObject(resources, ['', 'v1', 'pods'], a.info.namespace, name);
    if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
    return pod;
  };

  async function podCreate(node: string, a: AdmissionAttributes): Promise<void> {
    const pod = a.object ?? {};
    const f = (why: string) => admissionForbidden(a, why);
    if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] === undefined) throw f(`pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
    if (pod.spec?.nodeName !== node) throw f(`node "${node}" can only create pods with spec.nodeName set to itself`);
    const owners: KObject[] = pod.metadata?.ownerReferences ?? [];
    if (owners.length > 1) throw f(`node "${node}" can only create pods with a single owner reference set to itself`);
    if (owners.length === 0) throw f(`node "${node}" can only create pods with an owner reference set to itself`);
    const o = owners[0];
    if (o.apiVersion !== 'v1' || o.kind !== 'Node' || o.name !== node) throw f(`node "${node}" can only create pods with an owner reference set to itself`);
    if (!o.controller) throw f(`node "${node}" can only create pods with a controller owner reference set to itself`);
    if (o.blockOwnerDeletion) throw f(`node "${node}" must not set blockOwnerDeletion on an owner reference`);
    const n = await getObject(resources, ['', 'v1', 'nodes'], '', node);
    if (!n) throw notFound({ group: '', resource: 'nodes' }, node);
    if (o.uid !== n.metadata?.uid) throw f(`node ${node} UID mismatch: expected ${o.uid} got ${n.metadata?.uid}`);
    const spec = pod.spec ?? {};
    if (spec.serviceAccountName) throw f(`node "${node}" can not create pods that reference a service account`);
    if (referencesSecrets(spec)) throw f(`node "${node}" can not create pods that reference secrets`);
    if (referencesConfigMaps(spec)) throw f(`node "${node}" can not create pods that reference configmaps`);
    if ((spec.volumes ?? []).some((v: KObject) => (v.projected?.sources ?? []).some((s: KObject) => s.clusterTrustBundle))) throw f(`node "${node}" can not create pods that reference clustertrustbundles`);
    if ((spec.volumes ?? []).some((v: KObject) => v.persistentVolumeClaim)) throw f(`node "${node}" can not create pods that reference persistentvolumeclaims`);
  }

  async function pods(node: string, a: AdmissionAttributes): Promise<void> {
    const sub = a.info.subresource;
    if (sub === '') {
      if (a.operation === 'CREATE') return podCreate(node, a);
      if (a.operation === 'DELETE') {
        const pod = await existingPod(a, a.info.name);
        if (pod.spec?.nodeName !== node) throw admissionForbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
        return;
      }
      throw admissionForbidden(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
    }
    if (sub === 'status') {
      if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation "${a.operation}"`);
      const old = (await oldObjectOf(resources, a)) ?? (await existingPod(a, a.info.name));
      if (old.spec?.nodeName !== node) throw admissionForbidden(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
      if (a.object?.metadata?.labels !== undefined && !jsonEqual(a.object.metadata.labels ?? {}, old.metadata?.labels ?? {})) throw admissionForbidden(a, `node "${node}" cannot update labels through pod status`);
      return;
    }
    if (sub === 'eviction') {
      if (a.operation !== 'CREATE') throw admissionForbidden(a, `unexpected operation ${a.operation}`);
      const name = a.info.name || a.object?.metadata?.name;
      if (!name) throw admissionForbidden(a, 'could not determine pod from request data');
      const pod = await existingPod(a, name);
      if (pod.spec?.nodeName !== node) throw admissionForbidden(a, `node ${node} can only evict pods with spec.nodeName set to itself`);
      return;
    }
    throw admissionForbidden(a, `unexpected pod subresource "${sub}", only 'status' and 'eviction' are allowed`);
  }

  async function nodes(node: string, a: AdmissionAttributes): Promise<void> {
    const requested = nameOf(a);
    if (requested !== node) throw admissionForbidden(a, `node "${node}" is not allowed to modify node "${requested}"`);
    if (a.info.subresource) return;
    if (a.operation === 'CREATE') {
      if (a.object?.spec?.configSource) throw admissionForbidden(a, `node "${node}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenLabels(a.object?.metadata?.labels, undefined);
      if (bad.length) throw admissionForbidden(a, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (a.operation === 'UPDATE') {
      const old = await oldObjectOf(resources, a);
      if (!old || !a.object) return;
      if (a.object.spec?.configSource && !jsonEqual(a.object.spec.configSource, old.spec?.configSource)) throw admissionForbidden(a, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
      if (!jsonEqual(a.object.spec?.taints ?? [], old.spec?.taints ?? [])) throw admissionForbidden(a, `node "${node}" is not allowed to modify taints`);
      const bad = forbiddenLabels(a.object.metadata?.labels, old.metadata?.labels);
      if (bad.length) throw admissionForbidden(a, `is not allowed to modify labels: ${bad.join(', ')}`);
    }
  }

  async function claims(node: string, a: AdmissionAttributes): Promise<void> {
    if (a.info.subresource !== 'status') return;
    if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation "${a.operation}"`);
    const old = await oldObjectOf(resources, a);
    if (!old || !a.object) return;
    const strip = (c: KObject) => {
      const x = structuredClone(c);
      delete x.metadata?.resourceVersion;
      delete x.metadata?.managedFields;
      if (x.status) {
        delete x.status.capacity;
        delete x.status.conditions;
        delete x.status.allocatedResources;
        delete x.status.allocatedResourceStatuses;
      }
      delete x.apiVersion;
      delete x.kind;
      return x;
    };
    if (!jsonEqual(strip(a.object), strip(old))) throw admissionForbidden(a, `node "${node}" is not allowed to update fields other than status.capacity and status.conditions`);
  }

  function leases(node: string, a: AdmissionAttributes): void {
    if (a.info.namespace !== 'kube-node-lease') throw admissionForbidden(a, `can only access leases in the "kube-node-lease" system namespace`);
    if (nameOf(a) !== node) throw admissionForbidden(a, 'can only access node lease with the same name as the requesting node');
  }

  return {
    name: 'NodeRestriction',
    async validate(a) {
      const node = nodeNameOf(a.ctx.user);
      if (!node) return;
      const { group, resource } = a.info;
      if (group === '' && resource === 'pods') return pods(node, a);
      if (group === '' && resource === 'nodes') return nodes(node, a);
      if (group === '' && resource === 'persistentvolumeclaims') return claims(node, a);
      if (group === 'coordination.k8s.io' && resource === 'leases') return leases(node, a);
    },
  };
}
