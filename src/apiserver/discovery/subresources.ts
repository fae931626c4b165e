// The subresources each resource serves, as discovery lists them (`pods/status`, `pods/eviction`
// with kind policy/v1 Eviction, `deployments/scale` with autoscaling/v1 Scale, ...).
import type { Strategy } from '../registry/strategy.js';

export interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const rw = ['get', 'patch', 'update'];

export function subresourcesFor(s: Strategy): SubresourceInfo[] {
  const { group, resource, kind } = s.info;
  const out: SubresourceInfo[] = [];
  if (group === '' && resource === 'pods') {
    out.push({ name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] });
    out.push({ name: 'binding', kind: 'Binding', verbs: ['create'] });
    out.push({ name: 'ephemeralcontainers', kind: 'Pod', verbs: rw });
    out.push({ name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    out.push({ name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] });
    out.push({ name: 'log', kind: 'Pod', verbs: ['get'] });
    out.push({ name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
    out.push({ name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
  }
  if (group === '' && resource === 'namespaces') out.push({ name: 'finalize', kind: 'Namespace', verbs: ['update'] });
  if (group === '' && resource === 'serviceaccounts') out.push({ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] });
  if (group === '' && (resource === 'nodes' || resource === 'services')) out.push({ name: 'proxy', kind: resource === 'nodes' ? 'NodeProxyOptions' : 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
  if (group === 'certificates.k8s.io' && resource === 'certificatesigningrequests') out.push({ name: 'approval', kind, verbs: ['get', 'update'] });
  if (s.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: rw });
  if (s.status) out.push({ name: 'status', kind, verbs: rw });
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
