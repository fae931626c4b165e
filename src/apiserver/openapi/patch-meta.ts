// Patch and list-type metadata of the built-in kinds, as Kubernetes' OpenAPI documents carry it
// (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`,
// `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`). The values are the Go struct tags of
// k8s.io/api (`patchStrategy:"merge" patchMergeKey:"name"`, `+listType=map`, `+listMapKey=name`).
// kubectl reads them from the documents for client-side apply (strategic merge patch); server-side
// apply uses the list-type metadata. Applied to the generated schemas by builtin-schemas.ts:
// first this file's table (by schema name), then the patch engine's own tree
// (../patch/merge-keys.ts, mergeInfoFor per kind), so what kubectl reads is what the server's
// strategic merge patch and server-side apply do.
import { mergeInfoFor, openAPIExtensions, type FieldSchema } from '../patch/merge-keys.js';
import { refTarget } from './schema-ref.js';
import type { Schema } from './types.js';

export interface FieldPatchMeta {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const mapBy = (keys: string[], merge = true, strategy = 'merge'): FieldPatchMeta => ({
  ...(merge ? { patchStrategy: strategy, patchMergeKey: keys[0] } : {}),
  listType: 'map',
  listMapKeys: keys,
});
const atomic: FieldPatchMeta = { listType: 'atomic' };
const conditions = mapBy(['type']);

const containerLists: Record<string, FieldPatchMeta> = {
  containers: mapBy(['name']),
  initContainers: mapBy(['name']),
  ephemeralContainers: mapBy(['name']),
};

/** schema name -> property -> metadata. */
export const PATCH_META: Record<string, Record<string, FieldPatchMeta>> = {
  [`${CORE}.PodSpec`]: {
    ...containerLists,
    volumes: mapBy(['name'], true, 'merge,retainKeys'),
    imagePullSecrets: mapBy(['name']),
    hostAliases: mapBy(['ip']),
    topologySpreadConstraints: { patchStrategy: 'merge', patchMergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    resourceClaims: mapBy(['name'], true, 'merge,retainKeys'),
    schedulingGates: mapBy(['name']),
    tolerations: atomic,
    readinessGates: atomic,
  },
  [`${CORE}.Container`]: {
    env: mapBy(['name']),
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
    volumeMounts: mapBy(['mountPath']),
    volumeDevices: mapBy(['devicePath']),
    envFrom: atomic,
    command: atomic,
    args: atomic,
    resizePolicy: atomic,
  },
  [`${CORE}.EphemeralContainer`]: {
    env: mapBy(['name']),
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
    volumeMounts: mapBy(['mountPath']),
    volumeDevices: mapBy(['devicePath']),
    envFrom: atomic,
    command: atomic,
    args: atomic,
  },
  [`${CORE}.PodStatus`]: {
    conditions,
    podIPs: mapBy(['ip']),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
  },
  [`${CORE}.NodeStatus`]: { conditions, addresses: mapBy(['type']), images: atomic, volumesInUse: atomic, volumesAttached: atomic },
  [`${CORE}.NodeSpec`]: { taints: atomic, podCIDRs: { patchStrategy: 'merge', listType: 'set' } },
  [`${CORE}.ServiceSpec`]: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
    clusterIPs: atomic,
    ipFamilies: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
    selector: { mapType: 'atomic' },
  },
  [`${CORE}.ServiceStatus`]: { conditions: mapBy(['type']) },
  [`${CORE}.PersistentVolumeClaimStatus`]: { conditions: mapBy(['type']) },
  [`${CORE}.NamespaceStatus`]: { conditions: mapBy(['type']) },
  [`${CORE}.ReplicationControllerStatus`]: { conditions: mapBy(['type']) },
  [`${CORE}.Endpoints`]: { subsets: atomic },
  [`${CORE}.EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${CORE}.ServiceAccount`]: { secrets: mapBy(['name']), imagePullSecrets: atomic },
  [`${CORE}.ConfigMap`]: {},
  [`${META}.ObjectMeta`]: {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: mapBy(['uid']),
    managedFields: atomic,
  },
  [`${META}.LabelSelector`]: { matchExpressions: atomic, matchLabels: {} },
  [`${META}.LabelSelectorRequirement`]: { values: atomic },
  [`${APPS}.DeploymentSpec`]: { strategy: { patchStrategy: 'retainKeys' } },
  [`${APPS}.DeploymentStatus`]: { conditions },
  [`${APPS}.ReplicaSetStatus`]: { conditions },
  [`${APPS}.StatefulSetStatus`]: { conditions },
  [`${APPS}.DaemonSetStatus`]: { conditions },
  [`${APPS}.StatefulSetSpec`]: { volumeClaimTemplates: atomic },
  ['io.k8s.api.batch.v1.JobStatus']: { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  ['io.k8s.api.batch.v1.CronJobStatus']: { active: atomic },
  ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus']: { conditions: mapBy(['type']), currentMetrics: atomic },
  ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec']: { metrics: atomic },
  ['io.k8s.api.policy.v1.PodDisruptionBudgetStatus']: { conditions: mapBy(['type']) },
  ['io.k8s.api.networking.v1.IngressSpec']: { rules: atomic, tls: atomic },
  ['io.k8s.api.discovery.v1.EndpointSlice']: { endpoints: atomic, ports: atomic },
  ['io.k8s.api.rbac.v1.ClusterRole']: { rules: atomic },
  ['io.k8s.api.rbac.v1.Role']: { rules: atomic },
  ['io.k8s.api.rbac.v1.RoleBinding']: { subjects: atomic },
  ['io.k8s.api.rbac.v1.ClusterRoleBinding']: { subjects: atomic },
};

/** Writes the extensions of `meta` onto a property schema. */
export function applyFieldPatchMeta(prop: Schema, meta: FieldPatchMeta): void {
  if (meta.patchStrategy) prop['x-kubernetes-patch-strategy'] = meta.patchStrategy;
  if (meta.patchMergeKey) prop['x-kubernetes-patch-merge-key'] = meta.patchMergeKey;
  if (meta.listType) prop['x-kubernetes-list-type'] = meta.listType;
  if (meta.listMapKeys) prop['x-kubernetes-list-map-keys'] = [...meta.listMapKeys];
  if (meta.mapType) prop['x-kubernetes-map-type'] = meta.mapType;
}

/** Applies PATCH_META to a set of component schemas (in place). */
export function applyPatchMeta(schemas: Record<string, Schema>): void {
  for (const [name, fields] of Object.entries(PATCH_META)) {
    const s = schemas[name];
    if (!s?.properties) continue;
    for (const [field, meta] of Object.entries(fields)) {
      const p = s.properties[field];
      if (p) applyFieldPatchMeta(p, meta);
    }
  }
}

/** The component a property schema points at (`$ref`, or `allOf: [{$ref}]`), if any. */
function target(prop: Schema | undefined, schemas: Record<string, Schema>): Schema | undefined {
  if (!prop) return undefined;
  const ref = prop.$ref ?? (prop.allOf?.length === 1 ? prop.allOf[0].$ref : undefined);
  return ref ? schemas[refTarget(ref)] : prop;
}

function walkMergeInfo(schema: Schema | undefined, node: FieldSchema, schemas: Record<string, Schema>, depth: number): void {
  if (!schema?.properties || !node.fields || depth > 30) return;
  for (const [field, fnode] of Object.entries(node.fields)) {
    const prop = schema.properties[field];
    if (!prop) continue;
    Object.assign(prop, openAPIExtensions(fnode));
    const t = target(prop, schemas);
    if (fnode.fields) walkMergeInfo(t, fnode, schemas, depth + 1);
    if (fnode.items?.fields) walkMergeInfo(target(t?.items, schemas), fnode.items, schemas, depth + 1);
    if (fnode.values?.fields) walkMergeInfo(target(typeof t?.additionalProperties === 'object' ? t.additionalProperties : undefined, schemas), fnode.values, schemas, depth + 1);
  }
}

/** Applies the patch engine's per-kind metadata (mergeInfoFor) to the component schemas (in place). */
export function applyMergeInfo(schemas: Record<string, Schema>): void {
  for (const s of Object.values(schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      if (!g.kind || g.kind.endsWith('List')) continue;
      const node = mergeInfoFor(g.group ? `${g.group}/${g.version}` : g.version, g.kind);
      if (node) walkMergeInfo(s, node, schemas, 0);
    }
  }
}
