// What kube-apiserver creates on start: the system namespaces, the `kubernetes` Service in
// default (first IP of the service range, port 443 -> the apiserver) with its Endpoints and
// EndpointSlice (the advertise address), and the
// system-node-critical / system-cluster-critical PriorityClasses.
import type { Resources } from './resources.js';
import { newContext } from './registry/generic/context.js';
import { ApiError } from './status.js';
import type { KObject } from './registry/strategy.js';
import { logger } from '../util/log.js';

const log = logger('bootstrap');

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(resources: Resources, resource: string, ns: string, obj: KObject, group = ''): Promise<void> {
  const s = resources.storeFor(group, resource);
  if (!s) return;
  if (await s.readKv(ns, obj.metadata!.name)) return;
  try {
    await s.create(newContext(ns), obj);
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
  }
}

export async function bootstrap(resources: Resources, opts: { serviceIP: string; advertiseAddress: string; port: number }): Promise<void> {
  for (const name of systemNamespaces) await ensure(resources, 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await ensure(resources, 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: opts.serviceIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }], sessionAffinity: 'None' },
  });
  // The system PriorityClasses kube-apiserver creates (scheduling post-start hook).
  for (const [name, value, description] of [
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
  ] as const) {
    await ensure(resources, 'priorityclasses', '', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description, preemptionPolicy: 'PreemptLowerPriority' }, 'scheduling.k8s.io').catch((e) =>
      log.warn({ err: e, name }, 'priority class not created'),
    );
  }
  const eps = resources.storeFor('', 'endpoints');
  if (eps) {
    const want = { subsets: [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }] };
    await eps
      .guaranteedUpdate(
        newContext('default'),
        'kubernetes',
        (cur) => {
          const o: KObject = cur ?? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } };
          o.subsets = want.subsets;
          return o;
        },
        { allowCreate: true },
      )
      .catch((e) => log.warn({ err: e }, 'kubernetes endpoints not written'));
  }
  // ... and its EndpointSlice, which service proxies read (kube's endpoint reconciler writes both).
  const slices = resources.storeFor('discovery.k8s.io', 'endpointslices');
  if (slices) {
    await slices
      .guaranteedUpdate(
        newContext('default'),
        'kubernetes',
        (cur) => {
          const o: KObject = cur ?? { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } } };
          o.addressType = opts.advertiseAddress.includes(':') ? 'IPv6' : 'IPv4';
          o.endpoints = [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }];
          o.ports = [{ name: 'https', port: opts.port, protocol: 'TCP' }];
          return o;
        },
        { allowCreate: true },
      )
      .catch((e) => log.warn({ err: e }, 'kubernetes endpointslice not written'));
  }
}
