// Where objects live in the store and how they are encoded (kube-apiserver's etcd3 layout):
// `/registry/<prefix>/<namespace>/<name>` (cluster-scoped: `/registry/<prefix>/<name>`), JSON
// values without resourceVersion (the store's modRevision is the resourceVersion).
import type { KeyValue } from '../../../storage/store.js';
import type { KObject, ResourceInfo } from '../strategy.js';
import { transformError } from '../../encryption/stored-value.js';

export function storagePrefix(info: ResourceInfo): string {
  return `/registry/${info.storagePrefix ?? (info.group && !isBuiltinGroup(info.group) ? `${info.group}/${info.resource}` : info.resource)}/`;
}

/** Groups Kubernetes itself serves (their resources keep the bare resource prefix). */
function isBuiltinGroup(group: string): boolean {
  return group === '' || group.endsWith('.k8s.io') || !group.includes('.') || group === 'apiextensions.k8s.io';
}

/** The key prefix of one namespace's objects, or of all objects when ns is ''. */
export function keyPrefix(info: ResourceInfo, ns: string): string {
  const p = storagePrefix(info);
  return info.namespaced && ns ? `${p}${ns}/` : p;
}

export function objectKey(info: ResourceInfo, ns: string, name: string): string {
  return info.namespaced ? `${storagePrefix(info)}${ns}/${name}` : `${storagePrefix(info)}${name}`;
}

export function encodeObject(obj: KObject): Buffer {
  const meta = obj.metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const rv = meta.resourceVersion;
    delete meta.resourceVersion;
    const b = Buffer.from(JSON.stringify(obj));
    meta.resourceVersion = rv;
    return b;
  }
  return Buffer.from(JSON.stringify(obj));
}

/** The stored object; a value the encryption layer could not decrypt throws its InternalError. */
export function decodeObject(kv: KeyValue): KObject {
  const failed = transformError(kv);
  if (failed) throw failed;
  const obj = JSON.parse(kv.value.toString('utf8')) as KObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}
