// API discovery (legacy form): every served resource with its group/version, kind, scope and
// verbs, as the garbage collector and namespace controller need to reach every kind, CRDs included.
import type { RestClient } from './rest-client.js';
import type { ResourceRef } from './resources.js';

export interface DiscoveredResource extends ResourceRef {
  kind: string;
  verbs: string[];
}

export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  const add = (group: string, version: string, list: any) => {
    for (const r of list?.resources ?? []) {
      if (String(r.name).includes('/')) continue; // subresources
      out.push({ group, version, resource: r.name, namespaced: !!r.namespaced, kind: r.kind, verbs: r.verbs ?? [] });
    }
  };
  const core = await client.get('/api');
  for (const v of core.versions ?? ['v1']) add('', v, await client.get(`/api/${v}`));
  const groups = await client.get('/apis');
  await Promise.all(
    (groups.groups ?? []).map(async (g: any) => {
      const v = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      if (!v) return;
      try {
        add(g.name, v, await client.get(`/apis/${g.name}/${v}`));
      } catch {
        /* a group that vanished (CRD deleted) between the two calls */
      }
    }),
  );
  return out;
}

/** Group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
export const groupOf = (apiVersion: string | undefined): string => (apiVersion && apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
