// Patch metadata of the built-in kinds, from the struct tags of k8s.io/api (v0.32):
// `patchStrategy`/`patchMergeKey` (strategic merge patch) and `+listType`/`+listMapKey`/
// `+mapType`/`+structType` (server-side apply). One tree serves both, and the openapi publisher
// can emit x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key / x-kubernetes-list-type /
// x-kubernetes-list-map-keys / x-kubernetes-map-type from it.
//
// Coverage: ObjectMeta of every object; core/v1, apps/v1 and batch/v1 kinds field by field where
// a tag exists (fields without tags need no entry: maps merge, lists are replaced / atomic).
// Other built-in groups get ObjectMeta plus status.conditions merged by type.

/** Patch/apply metadata of one field. An absent node means "no tags": maps merge, lists replace. */
export interface FieldSchema {
  /** Known fields of a struct. */
  fields?: Record<string, FieldSchema>;
  /** Values of a map with arbitrary keys (labels, data, resources.limits, ...). */
  values?: FieldSchema;
  /** Elements of a list. */
  items?: FieldSchema;
  /** x-kubernetes-patch-strategy: "merge", "retainKeys", "merge,retainKeys", "replace". */
  patchStrategy?: string;
  /** x-kubernetes-patch-merge-key. */
  patchMergeKey?: string;
  /** x-kubernetes-list-type. When absent, SSA derives it: merge+key -> map, merge -> set, else atomic. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys. */
  listMapKeys?: string[];
  /** x-kubernetes-map-type (also +structType): atomic = owned and replaced as a whole by SSA. */
  mapType?: 'atomic' | 'granular';
  /** Defaults of list-map key fields (ports' protocol is "TCP"): SSA uses them in item keys. */
  keyDefaults?: Record<string, unknown>;
  /**
   * How the field looks in the Go zero value of a built-in kind: 'struct' for non-pointer structs
   * (present as {}), 'null' for lists without omitempty (present as null). Kubernetes computes
   * managedFields on typed objects, so these never show up as newly added nodes (no "." entry).
   */
  zero?: 'struct' | 'null';
}

/** Finds the schema of an object kind: the root node (fields metadata, spec, status, ...). */
export type SchemaLookup = (apiVersion: string, kind: string) => FieldSchema | undefined;

const struct = (fields: Record<string, FieldSchema>, extra: Partial<FieldSchema> = {}): FieldSchema => ({ fields, ...extra });
/** A non-pointer Go struct field (always present in typed objects). */
const valueStruct = (fields: Record<string, FieldSchema>, extra: Partial<FieldSchema> = {}): FieldSchema => ({ fields, zero: 'struct', ...extra });
const mapOf = (extra: Partial<FieldSchema> = {}): FieldSchema => ({ values: {}, ...extra });
const atomic: FieldSchema = { mapType: 'atomic' };
const atomicList: FieldSchema = { listType: 'atomic' };
/** A list merged by `key` (SMP) and keyed by `keys` (SSA, default [key]). */
const mergeList = (
  key: string,
  items: FieldSchema = {},
  opts: { strategy?: string; keys?: string[]; listType?: 'atomic' | 'map'; keyDefaults?: Record<string, unknown> } = {},
): FieldSchema => ({
  items,
  patchStrategy: opts.strategy ?? 'merge',
  patchMergeKey: key,
  listType: opts.listType ?? 'map',
  ...(opts.listType === 'atomic' ? {} : { listMapKeys: opts.keys ?? [key] }),
  ...(opts.keyDefaults ? { keyDefaults: opts.keyDefaults } : {}),
});
/** A list of primitives merged as a set (finalizers). */
const primitiveMergeList: FieldSchema = { patchStrategy: 'merge', listType: 'set' };
const conditions = mergeList('type');

export const objectMetaSchema: FieldSchema = valueStruct({
  labels: mapOf(),
  annotations: mapOf(),
  finalizers: primitiveMergeList,
  ownerReferences: mergeList('uid', atomic),
  managedFields: atomicList,
});

export const labelSelectorSchema: FieldSchema = atomic;

const envVar = struct({
  valueFrom: struct({ configMapKeyRef: atomic, secretKeyRef: atomic, fieldRef: atomic, resourceFieldRef: atomic }),
});

const containerFields: Record<string, FieldSchema> = {
  command: atomicList,
  args: atomicList,
  ports: mergeList('containerPort', {}, { keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
  envFrom: atomicList,
  env: mergeList('name', envVar),
  resources: struct({ limits: mapOf(), requests: mapOf(), claims: { items: {}, listType: 'map', listMapKeys: ['name'] } }),
  resizePolicy: atomicList,
  volumeMounts: mergeList('mountPath'),
  volumeDevices: mergeList('devicePath'),
  securityContext: struct({ capabilities: struct({ add: atomicList, drop: atomicList }) }),
};
const container = struct(containerFields);

const volume = struct({
  configMap: struct({ items: atomicList }),
  secret: struct({ items: atomicList }),
  projected: struct({ sources: atomicList }),
  downwardAPI: struct({ items: atomicList }),
});

export const podSpecSchema: FieldSchema = valueStruct({
  volumes: mergeList('name', volume, { strategy: 'merge,retainKeys' }),
  initContainers: mergeList('name', container),
  containers: { ...mergeList('name', container), zero: 'null' },
  ephemeralContainers: mergeList('name', container),
  imagePullSecrets: mergeList('name', atomic),
  nodeSelector: mapOf({ mapType: 'atomic' }),
  tolerations: atomicList,
  hostAliases: mergeList('ip', struct({ hostnames: atomicList })),
  topologySpreadConstraints: mergeList('topologyKey', struct({ labelSelector: labelSelectorSchema, matchLabelKeys: atomicList }), {
    keys: ['topologyKey', 'whenUnsatisfiable'],
  }),
  readinessGates: atomicList,
  resourceClaims: mergeList('name', {}, { strategy: 'merge,retainKeys' }),
  schedulingGates: mergeList('name'),
  overhead: mapOf(),
  affinity: struct({
    nodeAffinity: struct({ requiredDuringSchedulingIgnoredDuringExecution: atomic, preferredDuringSchedulingIgnoredDuringExecution: atomicList }),
  }),
});

const podStatus = valueStruct({
  conditions,
  podIPs: mergeList('ip'),
  hostIPs: mergeList('ip', {}, { listType: 'atomic' }),
  initContainerStatuses: atomicList,
  containerStatuses: atomicList,
  ephemeralContainerStatuses: atomicList,
  resourceClaimStatuses: mergeList('name', {}, { strategy: 'merge,retainKeys' }),
});

export const podTemplateSpecSchema: FieldSchema = valueStruct({ metadata: objectMetaSchema, spec: podSpecSchema });

/** A kind: ObjectMeta plus its fields; spec and status are non-pointer structs in every built-in kind. */
const withMeta = (fields: Record<string, FieldSchema>): FieldSchema => {
  const out: Record<string, FieldSchema> = { metadata: objectMetaSchema, ...fields };
  for (const k of ['spec', 'status']) if (out[k]) out[k] = { ...out[k], zero: 'struct' };
  return struct(out);
};
const statusWithConditions = struct({ conditions });

const workloadSpec = (extra: Record<string, FieldSchema> = {}): FieldSchema =>
  valueStruct({ selector: labelSelectorSchema, template: podTemplateSpecSchema, ...extra });

const jobSpec = workloadSpec({ podFailurePolicy: struct({ rules: atomicList }) });

const kinds: Record<string, Record<string, FieldSchema>> = {
  v1: {
    Pod: withMeta({ spec: podSpecSchema, status: podStatus }),
    PodTemplate: withMeta({ template: podTemplateSpecSchema }),
    ReplicationController: withMeta({ spec: struct({ selector: mapOf({ mapType: 'atomic' }), template: podTemplateSpecSchema }), status: statusWithConditions }),
    Service: withMeta({
      spec: struct({
        ports: mergeList('port', {}, { keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
        selector: mapOf({ mapType: 'atomic' }),
        clusterIPs: atomicList,
        externalIPs: atomicList,
        ipFamilies: atomicList,
        loadBalancerSourceRanges: atomicList,
      }),
      status: struct({ conditions, loadBalancer: valueStruct({ ingress: atomicList }) }),
    }),
    Node: withMeta({
      spec: struct({ podCIDRs: primitiveMergeList, taints: atomicList }),
      status: struct({
        conditions,
        addresses: mergeList('type'),
        capacity: mapOf(),
        allocatable: mapOf(),
        images: atomicList,
        volumesInUse: atomicList,
        volumesAttached: atomicList,
        daemonEndpoints: valueStruct({ kubeletEndpoint: valueStruct({}) }),
        nodeInfo: valueStruct({}),
      }),
    }),
    Namespace: withMeta({ spec: struct({ finalizers: atomicList }), status: statusWithConditions }),
    PersistentVolumeClaim: withMeta({
      spec: struct({ accessModes: atomicList, selector: labelSelectorSchema, resources: valueStruct({ limits: mapOf(), requests: mapOf() }) }),
      status: struct({ conditions, accessModes: atomicList, capacity: mapOf() }),
    }),
    PersistentVolume: withMeta({ spec: struct({ accessModes: atomicList, capacity: mapOf(), mountOptions: atomicList }) }),
    ServiceAccount: withMeta({ secrets: mergeList('name'), imagePullSecrets: atomicList }),
    ConfigMap: withMeta({ data: mapOf(), binaryData: mapOf() }),
    Secret: withMeta({ data: mapOf(), stringData: mapOf() }),
    Endpoints: withMeta({ subsets: atomicList }),
    Event: withMeta({}),
    LimitRange: withMeta({ spec: struct({ limits: atomicList }) }),
    ResourceQuota: withMeta({ spec: struct({ hard: mapOf(), scopes: atomicList }), status: struct({ hard: mapOf(), used: mapOf() }) }),
    ComponentStatus: withMeta({ conditions: mergeList('type') }),
    Binding: withMeta({ target: struct({}) }),
  },
  'apps/v1': {
    Deployment: withMeta({ spec: workloadSpec({ strategy: valueStruct({}, { patchStrategy: 'retainKeys' }) }), status: statusWithConditions }),
    ReplicaSet: withMeta({ spec: workloadSpec(), status: statusWithConditions }),
    StatefulSet: withMeta({ spec: workloadSpec({ volumeClaimTemplates: atomicList, updateStrategy: valueStruct({}) }), status: statusWithConditions }),
    DaemonSet: withMeta({ spec: workloadSpec({ updateStrategy: valueStruct({}) }), status: statusWithConditions }),
    ControllerRevision: withMeta({}),
  },
  'admissionregistration.k8s.io/v1': {
    ValidatingWebhookConfiguration: withMeta({ webhooks: mergeList('name', struct({ rules: atomicList, namespaceSelector: labelSelectorSchema, objectSelector: labelSelectorSchema })) }),
    MutatingWebhookConfiguration: withMeta({ webhooks: mergeList('name', struct({ rules: atomicList, namespaceSelector: labelSelectorSchema, objectSelector: labelSelectorSchema })) }),
  },
  'storage.k8s.io/v1': {
    CSINode: withMeta({ spec: struct({ drivers: mergeList('name', struct({ topologyKeys: atomicList })) }) }),
  },
  'batch/v1': {
    Job: withMeta({ spec: jobSpec, status: struct({ conditions: mergeList('type', {}, { listType: 'atomic' }) }) }),
    CronJob: withMeta({ spec: struct({ jobTemplate: valueStruct({ metadata: objectMetaSchema, spec: jobSpec }) }), status: struct({ active: atomicList }) }),
  },
};

/** API groups whose kinds are compiled into Kubernetes (strategic merge patch applies to them). */
const builtinGroups = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'coordination.k8s.io',
  'storage.k8s.io',
  'networking.k8s.io',
  'scheduling.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'certificates.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'internal.apiserver.k8s.io',
  'storagemigration.k8s.io',
]);

const genericBuiltin = withMeta({ status: statusWithConditions });

/**
 * The object as a typed Go value would show it: missing non-pointer structs as {}, missing
 * non-omitempty lists as null (recursively through structs). Used only to compute field sets.
 */
export function withGoZeroValues(v: unknown, schema: FieldSchema | undefined): unknown {
  if (!schema?.fields || typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  for (const [k, f] of zeroRelevantFields(schema)) {
    if (out[k] === undefined && f.zero) out[k] = f.zero === 'struct' ? {} : null;
    if (f.fields && out[k] !== undefined) out[k] = withGoZeroValues(out[k], f);
  }
  return out;
}

const zeroRelevant = new WeakMap<FieldSchema, [string, FieldSchema][]>();

/** The fields withGoZeroValues acts on (a Go zero value, or nested fields), computed once per schema node. */
function zeroRelevantFields(schema: FieldSchema): [string, FieldSchema][] {
  let r = zeroRelevant.get(schema);
  if (!r) zeroRelevant.set(schema, (r = Object.entries(schema.fields ?? {}).filter(([, f]) => f.zero || f.fields)));
  return r;
}

/** The group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/**
 * The patch metadata of a kind, or undefined when the kind is not built in (custom resources:
 * strategic merge patch is not supported for them; server-side apply then needs the CRD schema).
 */
export function mergeInfoFor(apiVersion: string, kind: string): FieldSchema | undefined {
  const byKind = kinds[apiVersion];
  if (byKind?.[kind]) return byKind[kind];
  if (builtinGroups.has(groupOf(apiVersion))) return genericBuiltin;
  return undefined;
}

/** The schema of a named field of a struct/map node (undefined = no metadata). */
export function childSchema(node: FieldSchema | undefined, key: string): FieldSchema | undefined {
  if (!node) return undefined;
  return node.fields?.[key] ?? node.values;
}

/** Server-side apply's view of a list: atomic, set, or map keyed by listMapKeys. */
export function effectiveListType(node: FieldSchema | undefined): { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] } {
  if (!node) return { type: 'atomic' };
  if (node.listType === 'map') return { type: 'map', keys: node.listMapKeys ?? (node.patchMergeKey ? [node.patchMergeKey] : []) };
  if (node.listType === 'set') return { type: 'set' };
  if (node.listType === 'atomic') return { type: 'atomic' };
  if (node.patchStrategy?.split(',').includes('merge')) {
    return node.patchMergeKey ? { type: 'map', keys: [node.patchMergeKey] } : { type: 'set' };
  }
  return { type: 'atomic' };
}

/**
 * Converts a CRD's structural OpenAPI v3 schema (spec.versions[].schema.openAPIV3Schema) into a
 * FieldSchema for server-side apply: properties -> fields, additionalProperties -> values,
 * items, x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type.
 * ObjectMeta is always added for `metadata`.
 */
export function schemaFromOpenAPI(s: Record<string, any> | undefined, root = true): FieldSchema {
  const out: FieldSchema = {};
  if (!s) return root ? { fields: { metadata: objectMetaSchema } } : out;
  if (s.properties && typeof s.properties === 'object') {
    out.fields = {};
    for (const [k, v] of Object.entries(s.properties as Record<string, any>)) out.fields[k] = schemaFromOpenAPI(v, false);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.values = schemaFromOpenAPI(s.additionalProperties, false);
  if (s.items && typeof s.items === 'object') out.items = schemaFromOpenAPI(s.items, false);
  if (s.type === 'array') out.listType = s['x-kubernetes-list-type'] ?? 'atomic';
  if (Array.isArray(s['x-kubernetes-list-map-keys'])) {
    out.listMapKeys = s['x-kubernetes-list-map-keys'];
    const props = s.items?.properties ?? {};
    for (const k of out.listMapKeys!) {
      if (props[k] && props[k].default !== undefined) (out.keyDefaults ??= {})[k] = props[k].default;
    }
  }
  if (s['x-kubernetes-map-type']) out.mapType = s['x-kubernetes-map-type'];
  if (s['x-kubernetes-patch-strategy']) out.patchStrategy = s['x-kubernetes-patch-strategy'];
  if (s['x-kubernetes-patch-merge-key']) out.patchMergeKey = s['x-kubernetes-patch-merge-key'];
  if (root) out.fields = { ...(out.fields ?? {}), metadata: objectMetaSchema };
  return out;
}

/**
 * The OpenAPI vendor extensions of one field, for the openapi publisher:
 * x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key, x-kubernetes-list-type,
 * x-kubernetes-list-map-keys, x-kubernetes-map-type.
 */
export function openAPIExtensions(node: FieldSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!node) return out;
  if (node.patchStrategy) out['x-kubernetes-patch-strategy'] = node.patchStrategy;
  if (node.patchMergeKey) out['x-kubernetes-patch-merge-key'] = node.patchMergeKey;
  if (node.listType) out['x-kubernetes-list-type'] = node.listType;
  if (node.listType === 'map' && node.listMapKeys) out['x-kubernetes-list-map-keys'] = node.listMapKeys;
  if (node.mapType) out['x-kubernetes-map-type'] = node.mapType;
  return out;
}
