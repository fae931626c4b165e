// One OpenAPI v3 group-version document (/openapi/v3/apis/<group>/<version>): openapi 3.0.0,
// info, the paths of the group-version's resources and, in components.schemas, every schema they
// reach (so `kubectl explain` can walk pod.spec.containers...).
import { refClosure } from './builtin-schemas.js';
import { addResourcePaths, DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA, STATUS_SCHEMA, WATCH_EVENT_SCHEMA, type ServedResource } from './operations.js';
import type { Schema } from './types.js';

export const INT_OR_STRING_SCHEMA = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY_SCHEMA = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const KUBERNETES_VERSION = 'v1.32.0';

export interface V3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, unknown>;
  components: { schemas: Record<string, Schema> };
}

/**
 * Builds the document of one group-version from its resources and a schema pool (built-in plus
 * custom resource schemas; only the reachable ones are included).
 */
export function buildV3Document(resources: ServedResource[], pool: Record<string, Schema>): V3Document {
  const paths: Record<string, unknown> = {};
  const roots = new Set<string>([STATUS_SCHEMA, DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA, WATCH_EVENT_SCHEMA]);
  for (const r of [...resources].sort((a, b) => a.info.resource.localeCompare(b.info.resource))) {
    addResourcePaths(paths, r);
    roots.add(r.schema);
    roots.add(r.listSchema ?? `${r.schema}List`);
    if (r.scale) roots.add('io.k8s.api.autoscaling.v1.Scale');
  }
  const schemas: Record<string, Schema> = {};
  for (const n of [...refClosure(roots, pool)].sort()) schemas[n] = pool[n];
  const sortedPaths: Record<string, unknown> = {};
  for (const p of Object.keys(paths).sort()) sortedPaths[p] = paths[p];
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths: sortedPaths, components: { schemas } };
}

/** 'api/v1' for the core group, 'apis/<group>/<version>' otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}
