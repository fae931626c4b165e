// Resource references and their REST paths (/api/v1/namespaces/ns/pods/name/status, ...).

export interface ResourceRef {
  group: string; // '' = core
  version: string;
  resource: string; // plural
  namespaced: boolean;
}

/** The path of a collection (name undefined) or an object, optionally a subresource. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

const r = (group: string, version: string, resource: string, namespaced = true): ResourceRef => ({ group, version, resource, namespaced });

/** The built-in resources components use. */
export const Resources = {
  namespaces: r('', 'v1', 'namespaces', false),
  nodes: r('', 'v1', 'nodes', false),
  pods: r('', 'v1', 'pods'),
  services: r('', 'v1', 'services'),
  endpoints: r('', 'v1', 'endpoints'),
  configmaps: r('', 'v1', 'configmaps'),
  secrets: r('', 'v1', 'secrets'),
  serviceaccounts: r('', 'v1', 'serviceaccounts'),
  events: r('', 'v1', 'events'),
  persistentvolumes: r('', 'v1', 'persistentvolumes', false),
  persistentvolumeclaims: r('', 'v1', 'persistentvolumeclaims'),
  replicationcontrollers: r('', 'v1', 'replicationcontrollers'),
  resourcequotas: r('', 'v1', 'resourcequotas'),
  limitranges: r('', 'v1', 'limitranges'),
  deployments: r('apps', 'v1', 'deployments'),
  replicasets: r('apps', 'v1', 'replicasets'),
  statefulsets: r('apps', 'v1', 'statefulsets'),
  daemonsets: r('apps', 'v1', 'daemonsets'),
  controllerrevisions: r('apps', 'v1', 'controllerrevisions'),
  jobs: r('batch', 'v1', 'jobs'),
  cronjobs: r('batch', 'v1', 'cronjobs'),
  leases: r('coordination.k8s.io', 'v1', 'leases'),
  endpointslices: r('discovery.k8s.io', 'v1', 'endpointslices'),
  priorityclasses: r('scheduling.k8s.io', 'v1', 'priorityclasses', false),
  poddisruptionbudgets: r('policy', 'v1', 'poddisruptionbudgets'),
  storageclasses: r('storage.k8s.io', 'v1', 'storageclasses', false),
  csinodes: r('storage.k8s.io', 'v1', 'csinodes', false),
  horizontalpodautoscalers: r('autoscaling', 'v2', 'horizontalpodautoscalers'),
} as const;

/** `namespace/name` (or `name` for cluster-scoped objects): the key informers and queues use. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : String(obj.metadata?.name);
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
