// The ResourceInfo of a custom resource version: discovery names and scope from the CRD, stored
// as kube-apiserver stores custom resources (/registry/<group>/<plural>/<namespace>/<name>).
import type { ResourceInfo } from '../strategy.js';
import { arr } from './json-shape.js';

export function resourceInfoForCrd(crd: any, version: string): ResourceInfo {
  const names = crd.spec.names ?? {};
  const info: ResourceInfo = {
    group: crd.spec.group,
    version,
    kind: names.kind,
    listKind: names.listKind || `${names.kind}List`,
    resource: names.plural,
    singular: names.singular || String(names.kind ?? '').toLowerCase(),
    namespaced: crd.spec.scope !== 'Cluster',
    storagePrefix: `${crd.spec.group}/${names.plural}`,
  };
  if (names.shortNames?.length) info.shortNames = [...names.shortNames];
  if (names.categories?.length) info.categories = [...names.categories];
  return info;
}

/** The served versions of a CRD, in the order the CRD lists them. */
export function servedVersions(crd: any): any[] {
  return arr(crd.spec?.versions).filter((v: any) => v?.served);
}
