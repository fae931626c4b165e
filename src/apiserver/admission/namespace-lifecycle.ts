// NamespaceLifecycle admission (kube's plugin of that name): no new objects in a namespace that
// does not exist (404 NotFound) or is being terminated (403 Forbidden), and the system
// namespaces cannot be deleted.
// Divergence: kube-node-lease is immortal too (kube protects only default, kube-system and
// kube-public, and re-creates kube-node-lease; keelson's issue asks for all four).
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import { ApiError, forbidden, notFound, qualified } from '../status.js';

const immortal = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export function namespaceLifecycle(resources: Resources): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a) {
      const info = a.info;
      if (a.operation === 'DELETE' && info.resource === 'namespaces' && info.group === '' && immortal.has(info.name)) {
        throw forbidden({ group: '', resource: 'namespaces' }, info.name, 'this namespace may not be deleted');
      }
      if (a.operation !== 'CREATE' || !info.namespace || (info.resource === 'namespaces' && info.group === '')) return;
      if (info.subresource && info.subresource !== '') return;
      const served = resources.lookup('', 'v1', 'namespaces');
      if (!served) return;
      const ns = served.store;
      // The namespace from the watch cache (as kube's informer), else from the store.
      let obj = ns.watchCache?.getByKey(ns.key('', info.namespace).toString('utf8'));
      try {
        obj ??= await ns.get('', info.namespace);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) throw notFound({ group: '', resource: 'namespaces' }, info.namespace);
        throw e;
      }
      if (obj.metadata?.deletionTimestamp || obj.status?.phase === 'Terminating') {
        const name = a.object?.metadata?.name ?? '';
        const gr = { group: info.group, resource: info.resource };
        const msg = `unable to create new content in namespace ${info.namespace} because it is being terminated`;
        const what = name ? `${qualified(gr)} "${name}"` : qualified(gr);
        throw new ApiError(403, 'Forbidden', `${what} is forbidden: ${msg}`, {
          name: name || undefined,
          group: info.group || undefined,
          kind: info.resource,
          causes: [{ reason: 'NamespaceTerminating', message: msg, field: 'metadata.namespace' }],
        });
      }
    },
  };
}
