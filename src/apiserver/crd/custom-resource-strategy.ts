// The strategy of a custom resource version: the apiextensions module's strategy (schema
// defaulting, pruning, validation, status/scale subresources, printer columns), marked as custom
// for the core (no strategic merge patch, DELETE answers the object) and carrying what the
// handlers need: pruning for fieldValidation and the schema for server-side apply.
import type { KObject, Strategy } from '../registry/strategy.js';
import { crdVersionSchema, pruneCustomResource, strategyForCustomResource } from '../registry/apiextensions/crd-strategy.js';

export type CustomStrategy = Strategy & { custom: true; crdName: string; prune(obj: KObject): string[]; openAPIV3Schema?: Record<string, unknown> };

export function customResourceStrategy(crd: any, version: { name: string }): CustomStrategy {
  const base = strategyForCustomResource(crd, version.name);
  return {
    ...base,
    custom: true,
    crdName: crd.metadata?.name,
    prune: (obj) => pruneCustomResource(crd, version.name, structuredClone(obj)),
    openAPIV3Schema: crdVersionSchema(crd, version.name) as Record<string, unknown> | undefined,
  };
}
