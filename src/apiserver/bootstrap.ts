// What kube-apiserver creates on start: the system namespaces and the `kubernetes` Service in
// default (first IP of the service range, port 443 -> the apiserver) with its Endpoints.
import type { Resources } from './resources.js';
import { newContext } from './registry/generic/context.js';
import { ApiError } from './status.js';
import type { KObject } from './registry/strategy.js';
import { logger } from '../util/log.js';

const log = logger('bootstrap');

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(resources: Resources, resource: string, ns: string, obj: KObject): Promise<void> {
  const s = resources.storeFor('', resource);
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
}
