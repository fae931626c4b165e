// groupPriorityMinimum / versionPriority of the Local APIServices, as kube-apiserver's
// autoregister sets them (DefaultGenericAPIServicePriorities plus kube-apiserver's own groups).
// CRD group versions get 1000/100 as kube's crdregistration controller gives them; a group
// version kube has no entry for (metrics.k8s.io, which keelson serves itself) gets 100/100, what
// metrics-server's APIService asks for.
export interface APIServicePriority {
  group: number;
  version: number;
}

const table: Record<string, APIServicePriority> = {
  'v1': { group: 18000, version: 1 },
  'apiregistration.k8s.io/v1': { group: 18000, version: 15 },
  'events.k8s.io/v1': { group: 17750, version: 15 },
  'authentication.k8s.io/v1': { group: 17700, version: 15 },
  'authorization.k8s.io/v1': { group: 17600, version: 15 },
  'apps/v1': { group: 17800, version: 15 },
  'autoscaling/v1': { group: 17500, version: 15 },
  'autoscaling/v2': { group: 17500, version: 30 },
  'batch/v1': { group: 17400, version: 15 },
  'certificates.k8s.io/v1': { group: 17300, version: 15 },
  'networking.k8s.io/v1': { group: 17200, version: 15 },
  'policy/v1': { group: 17100, version: 15 },
  'rbac.authorization.k8s.io/v1': { group: 17000, version: 15 },
  'storage.k8s.io/v1': { group: 16800, version: 15 },
  'apiextensions.k8s.io/v1': { group: 16700, version: 15 },
  'admissionregistration.k8s.io/v1': { group: 16700, version: 15 },
  'scheduling.k8s.io/v1': { group: 16600, version: 15 },
  'coordination.k8s.io/v1': { group: 16500, version: 15 },
  'node.k8s.io/v1': { group: 16300, version: 15 },
  'discovery.k8s.io/v1': { group: 16200, version: 15 },
  'flowcontrol.apiserver.k8s.io/v1': { group: 16100, version: 21 },
};

export const crdPriority: APIServicePriority = { group: 1000, version: 100 };
export const otherPriority: APIServicePriority = { group: 100, version: 100 };

/** The priority of a built-in group version, or undefined when kube's table has none. */
export function builtinPriority(group: string, version: string): APIServicePriority | undefined {
  return table[group ? `${group}/${version}` : version];
}
