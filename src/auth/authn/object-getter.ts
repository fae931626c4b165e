// Reads of the objects token authenticators check (service accounts, pods, secrets, nodes,
// bootstrap-token secrets) from the apiserver's own watch caches, falling back to the store on a
// miss (kube's authenticators read through informers of the same apiserver).
import type { Resources } from '../../apiserver/resources.js';
import type { KObject } from '../../apiserver/registry/strategy.js';
import { ApiError } from '../../apiserver/status.js';

export type ObjectGetter = (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string) => Promise<KObject | undefined>;

export function cachedGetter(resources: Resources): ObjectGetter {
  return async (resource, namespace, name) => {
    const served = resources.lookup('', 'v1', resource);
    if (!served) return undefined;
    const s = served.store;
    const ns = resource === 'nodes' ? '' : namespace;
    const cached = s.watchCache?.getByKey(s.key(ns, name).toString('utf8'));
    if (cached) return cached;
    try {
      return await s.get(ns, name);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  };
}
