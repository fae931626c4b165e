// OpenApiService: the /openapi/v3 index, the per group-version v3 documents and /openapi/v2,
// built from the served resources (built-in strategies) plus the CustomResourceDefinitions added
// and removed while the server runs. Documents are built on first request and cached until the
// resources of their group-version change; each carries its hash (SHA-512, upper-case hex, as
// kube-apiserver) used for the index's `?hash=` URLs and the ETag.
import { createHash } from 'node:crypto';
import type { ResourceInfo, Strategy } from '../registry/strategy.js';
import { resourceInfoForCrd, servedVersions } from '../registry/apiextensions/crd-resource-info.js';
import { builtinSchemaName, builtinSchemas } from './builtin-schemas.js';
import { crdComponentSchemas } from './crd-schema.js';
import type { ServedResource } from './operations.js';
import type { Schema } from './types.js';
import { toV2Definitions, toV2Paths } from './v2-document.js';
import { encodeV2Protobuf } from './v2-protobuf.js';
import { buildV3Document, groupVersionPath, KUBERNETES_VERSION, type V3Document } from './v3-document.js';

/** What setResources accepts: a ResourceInfo, or a Strategy (its status/scale add subresource paths). */
export type ResourceSource = ResourceInfo | Pick<Strategy, 'info' | 'status' | 'scale'>;

export interface CachedDocument {
  /** The JSON text. */
  body: string;
  /** SHA-512 of the body, upper-case hex (the index's `?hash=`). */
  hash: string;
  /** `"<hash>"`. */
  etag: string;
}

/** The protobuf v2 document. */
export interface BinaryDocument {
  body: Buffer;
  hash: string;
  etag: string;
}

interface CrdEntry {
  resources: Map<string, ServedResource>; // gv path -> resource
  schemas: Record<string, Schema>;
}

const isStrategy = (s: ResourceSource): s is Pick<Strategy, 'info' | 'status' | 'scale'> => 'info' in s && typeof (s as any).info === 'object';

export function hashOf(body: string | Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

function cached<B extends string | Buffer = string>(body: B): { body: B; hash: string; etag: string } {
  const hash = hashOf(body);
  return { body, hash, etag: `"${hash}"` };
}

export class OpenApiService {
  private builtin = new Map<string, ServedResource[]>();
  private pending?: ResourceSource[];
  private crds = new Map<string, CrdEntry>();
  private docs = new Map<string, CachedDocument>();
  private index?: CachedDocument;
  private v2Doc?: CachedDocument;
  private v2Pb?: BinaryDocument;

  constructor(resources: ResourceSource[] = []) {
    if (resources.length) this.setResources(resources);
  }

  /**
   * Replaces the built-in resources (subresource entries such as 'pods/status' are ignored).
   * Cheap: schemas are looked up (and loaded) on the first document request.
   */
  setResources(resources: ResourceSource[]): void {
    this.pending = [...resources];
    this.builtin.clear();
    this.invalidate();
  }

  private resolveBuiltin(): void {
    if (!this.pending) return;
    const resources = this.pending;
    this.pending = undefined;
    for (const src of resources) {
      const info = isStrategy(src) ? src.info : src;
      if (info.resource.includes('/')) continue;
      const gv = groupVersionPath(info.group, info.version);
      const schema = builtinSchemaName(info.group, info.version, info.kind) ?? fallbackSchemaName(info);
      const r: ServedResource = {
        info,
        schema,
        listSchema: builtinSchemaName(info.group, info.version, info.listKind) ?? `${schema}List`,
        status: isStrategy(src) && !!src.status,
        scale: isStrategy(src) && !!src.scale,
        strategicMergePatch: true,
      };
      const list = this.builtin.get(gv) ?? [];
      list.push(r);
      this.builtin.set(gv, list);
    }
  }

  /** Adds or replaces a CustomResourceDefinition's served versions (schemas and paths). */
  addCrd(crd: any): void {
    const name: string = crd.metadata.name;
    const entry: CrdEntry = { resources: new Map(), schemas: {} };
    for (const v of servedVersions(crd)) {
      const info = resourceInfoForCrd(crd, v.name);
      const { name: schema, listName, schemas } = crdComponentSchemas(crd, v.name);
      Object.assign(entry.schemas, schemas);
      const sub = v.subresources ?? crd.spec.subresources ?? {};
      entry.resources.set(groupVersionPath(info.group, v.name), {
        info,
        schema,
        listSchema: listName,
        status: !!sub.status,
        scale: !!sub.scale,
        strategicMergePatch: false,
      });
    }
    const old = this.crds.get(name);
    this.crds.set(name, entry);
    this.invalidate([...(old?.resources.keys() ?? []), ...entry.resources.keys()]);
  }

  /** Removes a CustomResourceDefinition by name (`crontabs.stable.example.com`). */
  removeCrd(name: string): void {
    const old = this.crds.get(name);
    if (!old) return;
    this.crds.delete(name);
    this.invalidate([...old.resources.keys()]);
  }

  /** The group-version paths served ('api/v1', 'apis/apps/v1', ...), sorted. */
  groupVersions(): string[] {
    this.resolveBuiltin();
    const s = new Set(this.builtin.keys());
    for (const e of this.crds.values()) for (const gv of e.resources.keys()) s.add(gv);
    return [...s].sort();
  }

  /** GET /openapi/v3: `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."}}}`. */
  v3Index(): CachedDocument {
    if (!this.index) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const gv of this.groupVersions()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${this.v3Document(gv)!.hash}` };
      this.index = cached(JSON.stringify({ paths }));
    }
    return this.index;
  }

  /** GET /openapi/v3/<gv> ('api/v1', 'apis/apps/v1'); undefined when not served. */
  v3Document(gv: string): CachedDocument | undefined {
    const hit = this.docs.get(gv);
    if (hit) return hit;
    const doc = this.v3Object(gv);
    if (!doc) return undefined;
    const c = cached(JSON.stringify(doc));
    this.docs.set(gv, c);
    return c;
  }

  /** The document object of a group-version (not serialized). */
  v3Object(gv: string): V3Document | undefined {
    const resources = this.resourcesOf(gv);
    if (!resources.length) return undefined;
    return buildV3Document(resources, this.pool());
  }

  /** GET /openapi/v2 (Swagger 2.0, every group-version in one document). */
  v2(): CachedDocument {
    if (!this.v2Doc) {
      const paths: Record<string, unknown> = {};
      const schemas: Record<string, Schema> = {};
      for (const gv of this.groupVersions()) {
        const d = this.v3Object(gv)!;
        Object.assign(paths, d.paths);
        Object.assign(schemas, d.components.schemas);
      }
      const sortedDefs = toV2Definitions(Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]])));
      const doc = { swagger: '2.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths: toV2Paths(paths), definitions: sortedDefs };
      this.v2Doc = cached(JSON.stringify(doc));
    }
    return this.v2Doc;
  }

  /** GET /openapi/v2 as gnostic protobuf (what kubectl asks for). */
  v2Protobuf(): BinaryDocument {
    if (!this.v2Pb) this.v2Pb = cached(Buffer.from(encodeV2Protobuf(JSON.parse(this.v2().body))));
    return this.v2Pb;
  }

  /**
   * The published schema of a kind with its references resolvable in `schemas` (for explain-like
   * lookups and tests): built-in or custom.
   */
  schemaFor(group: string, version: string, kind: string): { name: string; schemas: Record<string, Schema> } | undefined {
    const pool = this.pool();
    for (const [name, s] of Object.entries(pool)) {
      if (s['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version && g.kind === kind)) return { name, schemas: pool };
    }
    return undefined;
  }

  private resourcesOf(gv: string): ServedResource[] {
    this.resolveBuiltin();
    const out = [...(this.builtin.get(gv) ?? [])];
    for (const e of this.crds.values()) {
      const r = e.resources.get(gv);
      if (r) out.push(r);
    }
    return out;
  }

  private pool(): Record<string, Schema> {
    this.resolveBuiltin();
    const extra: Record<string, Schema> = {};
    for (const list of this.builtin.values()) {
      for (const r of list) if (!builtinSchemas()[r.schema]) Object.assign(extra, fallbackSchemas(r));
    }
    for (const e of this.crds.values()) Object.assign(extra, e.schemas);
    return Object.keys(extra).length ? { ...builtinSchemas(), ...extra } : builtinSchemas();
  }

  private invalidate(gvs?: string[]): void {
    if (gvs) for (const gv of gvs) this.docs.delete(gv);
    else this.docs.clear();
    this.index = undefined;
    this.v2Doc = undefined;
    this.v2Pb = undefined;
  }
}

/** Name for a served kind kubernetes-types does not declare (published schema-less). */
function fallbackSchemaName(info: ResourceInfo): string {
  return `io.k8s.api.${info.group || 'core'}.${info.version}.${info.kind}`;
}

function fallbackSchemas(r: ServedResource): Record<string, Schema> {
  const { group, version, kind, listKind } = r.info;
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
  return {
    [r.schema]: {
      type: 'object',
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { allOf: [{ $ref: `#/components/schemas/${meta}.ObjectMeta` }] } },
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-group-version-kind': [{ group, version, kind }],
    },
    [r.listSchema ?? `${r.schema}List`]: {
      type: 'object',
      required: ['items'],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, items: { type: 'array', items: { $ref: `#/components/schemas/${r.schema}` } }, metadata: { allOf: [{ $ref: `#/components/schemas/${meta}.ListMeta` }] } },
      'x-kubernetes-group-version-kind': [{ group, version, kind: listKind }],
    },
  };
}
