// Component schemas published for a custom resource version, as kube-apiserver's CRD OpenAPI
// builder makes them: the version's openAPIV3Schema with apiVersion/kind/metadata filled in
// (metadata as ObjectMeta), `x-kubernetes-group-version-kind`, and a `<Kind>List` schema; named
// by the reversed group (`stable.example.com` -> `com.example.stable.v1.CronTab`).
import type { Schema } from './types.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const META_DOC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** 'stable.example.com', 'v1', 'CronTab' -> 'com.example.stable.v1.CronTab'. */
export function crdSchemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The kind's schema and its list's schema for one CRD version. */
export function crdComponentSchemas(crd: any, versionName: string): { name: string; listName: string; schemas: Record<string, Schema> } {
  const group: string = crd.spec.group;
  const kind: string = crd.spec.names.kind;
  const listKind: string = crd.spec.names.listKind || `${kind}List`;
  const v = (crd.spec.versions ?? []).find((x: any) => x.name === versionName);
  const src: Schema | undefined = v?.schema?.openAPIV3Schema ?? crd.spec.validation?.openAPIV3Schema;
  const name = crdSchemaName(group, versionName, kind);
  const listName = crdSchemaName(group, versionName, listKind);
  const s: Schema = src ? structuredClone(src) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  s.type = 'object';
  s.properties = {
    apiVersion: { description: API_VERSION_DOC, type: 'string' },
    kind: { description: KIND_DOC, type: 'string' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }], description: META_DOC },
    ...Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata')),
  };
  s['x-kubernetes-group-version-kind'] = [{ group, kind, version: versionName }];
  const list: Schema = {
    description: `${listKind} is a list of ${kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: API_VERSION_DOC, type: 'string' },
      items: { description: `List of ${crd.spec.names.plural}. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md`, type: 'array', items: { $ref: `#/components/schemas/${name}` } },
      kind: { description: KIND_DOC, type: 'string' },
      metadata: { allOf: [{ $ref: `#/components/schemas/${META}.ListMeta` }], description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    'x-kubernetes-group-version-kind': [{ group, kind: listKind, version: versionName }],
  };
  return { name, listName, schemas: { [name]: s, [listName]: list } };
}
