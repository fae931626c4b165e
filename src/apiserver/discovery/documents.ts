// Discovery documents: /api (APIVersions), /apis (APIGroupList), /apis/<g> (APIGroup),
// /api/v1 and /apis/<g>/<v> (APIResourceList), and aggregated discovery (apidiscovery.k8s.io
// v2 / v2beta1 APIGroupDiscoveryList) for /api and /apis.
import type { Resources } from '../resources.js';
import type { Strategy } from '../registry/strategy.js';
import { subresourcesFor } from './subresources.js';

const defaultVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const verbsOf = (s: Strategy) => s.info.verbs ?? defaultVerbs;

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(r: Resources, g: string) {
  const versions = r.versions(g).map((v) => ({ groupVersion: `${g}/${v}`, version: v }));
  return { name: g, versions, preferredVersion: versions[0] };
}

export function apiGroupList(r: Resources) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: r.groups().filter((g) => g !== '').map((g) => groupDoc(r, g)) };
}

export function apiGroup(r: Resources, g: string) {
  if (!r.groups().includes(g) || g === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(r, g) };
}

export function apiResourceList(r: Resources, g: string, v: string) {
  const served = r.resources(g, v);
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const { strategy: s } of served) {
    const i = s.info;
    const e: Record<string, unknown> = { name: i.resource, singularName: i.singular, namespaced: i.namespaced, kind: i.kind, verbs: verbsOf(s) };
    if (i.shortNames?.length) e.shortNames = i.shortNames;
    if (i.categories?.length) e.categories = i.categories;
    resources.push(e);
    for (const sub of subresourcesFor(s)) {
      const se: Record<string, unknown> = { name: `${i.resource}/${sub.name}`, singularName: '', namespaced: i.namespaced, kind: sub.kind, verbs: sub.verbs };
      if (sub.group !== undefined) se.group = sub.group;
      if (sub.version !== undefined) se.version = sub.version;
      resources.push(se);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: g ? `${g}/${v}` : v, resources };
}

/** Aggregated discovery for the core group (`/api`) or every other group (`/apis`). */
export function aggregated(r: Resources, legacy: boolean, version: 'v2' | 'v2beta1') {
  const groups = legacy ? [''] : r.groups().filter((g) => g !== '');
  const items = groups.map((g) => ({
    metadata: { name: g, creationTimestamp: null },
    versions: r.versions(g).map((v) => ({
      version: v,
      resources: r.resources(g, v).map(({ strategy: s }) => {
        const i = s.info;
        const e: Record<string, unknown> = {
          resource: i.resource,
          responseKind: { group: g, version: v, kind: i.kind },
          scope: i.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: i.singular,
          verbs: verbsOf(s),
        };
        if (i.shortNames?.length) e.shortNames = i.shortNames;
        if (i.categories?.length) e.categories = i.categories;
        const subs = subresourcesFor(s);
        if (subs.length)
          e.subresources = subs.map((sub) => ({ subresource: sub.name, responseKind: { group: sub.group ?? g, version: sub.version ?? v, kind: sub.kind }, verbs: sub.verbs }));
        return e;
      }),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export const aggregatedContentType = (version: 'v2' | 'v2beta1') => `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
