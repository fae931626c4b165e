// Reads the admission plugins make: objects from the watch cache (kube's plugins read shared
// informers), falling back to the store when the cache is not running. Also the small helpers
// every plugin shares (is this a pod create? the Forbidden error admission.NewForbidden gives).
import type { Resources } from '../resources.js';
import type { AdmissionAttributes } from '../filters/pipeline.js';
import type { KObject } from '../registry/strategy.js';
import type { Predicate } from '../registry/generic/filter.js';
import { decodeObject } from '../registry/generic/keys.js';
import { prefixEnd } from '../../storage/store.js';
import { type ApiError, forbidden } from '../status.js';

const everything: Predicate = { labels: [], fields: [], empty: true, matches: () => true };

/** Where a resource is served, preferring the given version (the cache is started on first use). */
function served(resources: Resources, group: string, version: string, resource: string) {
  return resources.lookup(group, version, resource) ?? (resources.storeFor(group, resource) ? { store: resources.storeFor(group, resource)! } : undefined);
}

/** One object, or undefined when it does not exist (or the kind is not served). */
export async function getObject(resources: Resources, gvr: [string, string, string], ns: string, name: string): Promise<KObject | undefined> {
  const s = served(resources, ...gvr);
  if (!s) return undefined;
  const cached = s.store.watchCache?.getByKey(s.store.key(ns, name).toString('utf8'));
  if (cached) return cached;
  const kv = await s.store.readKv(ns, name);
  return kv ? s.store.typed(decodeObject(kv)) : undefined;
}

/** Every object of a kind in a namespace ('' = all). Callers must not mutate them. */
export async function listObjects(resources: Resources, gvr: [string, string, string], ns: string): Promise<KObject[]> {
  const s = served(resources, ...gvr);
  if (!s) return [];
  if (s.store.watchCache) {
    try {
      return (await s.store.watchCache.list(ns, everything, 0)).items;
    } catch {
      /* not ready: read the store */
    }
  }
  const key = s.store.prefix(ns);
  const r = await s.store.store.range({ key, rangeEnd: prefixEnd(key) });
  return r.kvs.map((kv) => s.store.typed(decodeObject(kv)));
}

/** The request is about the main resource (no subresource) of group/resource. */
export function isResource(a: AdmissionAttributes, group: string, resource: string): boolean {
  return a.info.group === group && a.info.resource === resource && !a.info.subresource;
}

/** The object's name (from the object, else the URL). */
export function nameOf(a: AdmissionAttributes): string {
  return a.object?.metadata?.name || a.info.name || '';
}

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>` (403). */
export function admissionForbidden(a: AdmissionAttributes, why: string): ApiError {
  return forbidden({ group: a.info.group, resource: a.info.resource }, nameOf(a), why);
}

/** The object an UPDATE replaces or a DELETE removes (a PUT or DELETE does not pass it to admission: read it, as kube's handler has it). */
export async function oldObjectOf(resources: Resources, a: AdmissionAttributes): Promise<KObject | undefined> {
  if (a.oldObject || a.operation === 'CREATE' || a.operation === 'CONNECT' || !a.info.name) return a.oldObject;
  const s = resources.storeFor(a.info.group, a.info.resource);
  if (!s) return undefined;
  const kv = await s.readKv(a.info.namespace, a.info.name);
  a.oldObject = kv ? s.typed(decodeObject(kv)) : undefined;
  return a.oldObject;
}
