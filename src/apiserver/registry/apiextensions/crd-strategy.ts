// The Strategy of a custom resource version (apiextensions-apiserver's customresource strategy):
// - info from the CRD's names and scope, stored under /registry/<group>/<plural>/...
// - defaults: pruning of unknown fields, then the schema's defaults
// - validation: apiVersion/kind, ObjectMeta (names are DNS subdomains), the version's schema,
//   then its x-kubernetes-validations CEL rules (schema-cel.ts) with the old object on updates
// - status subresource (subresources.status): status dropped on create and kept from the old
//   object on main-resource updates; /status changes only status
// - scale subresource: the CRD's specReplicasPath/statusReplicasPath/labelSelectorPath
// - generation: 1 on create, +1 when anything but metadata (and status, with the subresource)
//   changes
// - table: Name + additionalPrinterColumns (default Age), evaluated with the JSONPath subset of
//   jsonpath.ts; selectableFields as field selectors.
import type { FieldErrorList } from '../../../api/field-errors.js';
import { invalid } from '../../../api/field-errors.js';
import { nameIsDNSSubdomain } from '../../../api/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../api/validation/object-meta.js';
import type { Schema } from '../../openapi/types.js';
import { nameColumn } from '../printers/columns.js';
import { translateTimestampSince } from '../printers/duration.js';
import type { KObject, Strategy, StrategyContext, TableColumn, TableConvertor } from '../strategy.js';
import { resourceInfoForCrd } from './crd-resource-info.js';
import { dottedPath, evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { applyDefaults } from './schema-default.js';
import { pruneUnknown } from './schema-prune.js';
import { validateSchema } from './schema-validate.js';
import { hasRules, validateCelRules } from './schema-cel.js';
import { arr } from './json-shape.js';

/** Schema errors after which kube does not run the CEL rules (hasBlockingErr). */
const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The version entry of a CRD, or undefined. */
export function crdVersion(crd: any, version: string): any | undefined {
  return arr(crd.spec?.versions).find((v: any) => v?.name === version);
}

/** The structural schema of a CRD version (undefined = everything preserved). */
export function crdVersionSchema(crd: any, version: string): Schema | undefined {
  return crdVersion(crd, version)?.schema?.openAPIV3Schema;
}

/**
 * Prunes unknown fields from a custom resource (in place) and returns their paths, for the
 * apiserver's fieldValidation handling: Warn -> `unknown field "<path>"` warnings, Strict -> 400
 * `strict decoding error: unknown field "<path>"`.
 */
export function pruneCustomResource(crd: any, version: string, obj: KObject): string[] {
  const schema = crdVersionSchema(crd, version);
  if (!schema) return [];
  return pruneUnknown(obj, schema, { isResourceRoot: true });
}

/** conversion strategy None: the object in another version is the same object with that apiVersion. */
export function convertCustomResource(obj: KObject, crd: any, toVersion: string): KObject {
  return { ...obj, apiVersion: `${crd.spec.group}/${toVersion}` };
}

const nonMetadata = (o: KObject, withoutStatus: boolean): Record<string, unknown> => {
  const { metadata: _m, ...rest } = o;
  if (withoutStatus) delete rest.status;
  return rest;
};

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as any)[k])]));
  return v;
}

/** The Table of a CRD version: Name + additionalPrinterColumns (default: Age). */
export function crdTable(crd: any, version: string): TableConvertor {
  const v = crdVersion(crd, version);
  const defs: any[] = v?.additionalPrinterColumns?.length
    ? v.additionalPrinterColumns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }];
  const columns: TableColumn[] = [
    nameColumn,
    ...defs.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }) as TableColumn),
  ];
  const paths = defs.map((c) => parseJsonPath(c.jsonPath));
  return {
    columns,
    cells(obj, now) {
      const cells: unknown[] = [obj.metadata?.name ?? ''];
      defs.forEach((c, i) => {
        const segs = paths[i];
        const found = segs ? evaluateJsonPath(obj, segs) : [];
        if (!found.length || found[0] === undefined || found[0] === null) {
          cells.push(null);
          return;
        }
        const val = found[0];
        if (c.type === 'date') cells.push(typeof val === 'string' ? translateTimestampSince(val, now) : null);
        else if (c.type === 'string') cells.push(typeof val === 'string' ? val : JSON.stringify(val));
        else cells.push(val);
      });
      return cells;
    },
  };
}

/** Strategy for one served version of a CRD. */
export function strategyForCustomResource(crd: any, version: string): Strategy {
  const v = crdVersion(crd, version);
  if (!v) throw new Error(`CustomResourceDefinition ${crd.metadata?.name} has no version ${version}`);
  const info = { verbs: DEFAULT_VERBS, ...resourceInfoForCrd(crd, version) };
  const schema: Schema | undefined = v.schema?.openAPIV3Schema;
  const sub = v.subresources ?? {};
  const hasStatus = !!sub.status;
  const apiVersion = `${info.group}/${version}`;
  const metaOpts = { namespaced: info.namespaced, nameFn: nameIsDNSSubdomain };

  const validateBody = (obj: KObject, old?: KObject, ctx?: StrategyContext): FieldErrorList => {
    const errs: FieldErrorList = [];
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) errs.push(invalid('apiVersion', obj.apiVersion, `must be ${apiVersion}`));
    if (obj.kind !== undefined && obj.kind !== info.kind) errs.push(invalid('kind', obj.kind, `must be ${info.kind}`));
    if (schema) {
      // apiVersion/kind/metadata are the apiserver's (ObjectMeta rules); of metadata the schema
      // may only constrain name and generateName.
      const m = obj.metadata ?? {};
      const view: Record<string, unknown> = { ...obj, metadata: Object.fromEntries(['name', 'generateName'].filter((k) => m[k] !== undefined).map((k) => [k, m[k]])) };
      const props: Record<string, Schema> = { ...(schema.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' } };
      if (!props.metadata) props.metadata = { type: 'object' };
      errs.push(...validateSchema(view, { ...schema, properties: props }));
      // x-kubernetes-validations, unless the value does not have the shape its rules expect.
      if (!hasRules(schema)) return errs;
      if (errs.some((e) => BLOCKING.has(e.type))) errs.push({ type: 'FieldValueInvalid', field: '<nil>', badValue: 'null', detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' });
      else errs.push(...validateCelRules(schema, obj, { old, warnings: (ctx as { warnings?: string[] } | undefined)?.warnings }));
    }
    return errs;
  };

  const s: Strategy = {
    info,
    generationOnSpecChange: false,
    defaults(obj) {
      if (!schema) return;
      pruneUnknown(obj, schema, { isResourceRoot: true });
      applyDefaults(obj, schema);
    },
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
      (obj.metadata ??= {}).generation = 1;
    },
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = structuredClone(old.status);
      }
      const oldGen = old.metadata?.generation ?? 1;
      (obj.metadata ??= {}).generation = deepEqual(nonMetadata(obj, false), nonMetadata(old, false)) ? oldGen : oldGen + 1;
    },
    validate(obj, ctx) {
      return [...validateObjectMeta(obj.metadata, metaOpts), ...validateBody(obj, undefined, ctx)];
    },
    validateUpdate(obj, old, ctx) {
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaOpts), ...validateBody(obj, old, ctx)];
    },
    table: crdTable(crd, version),
  };

  const selectable: any[] = arr(v.selectableFields);
  if (selectable.length) {
    s.fieldSelectors = {};
    for (const f of selectable) {
      const segs = parseJsonPath(f.jsonPath);
      const name = dottedPath(f.jsonPath);
      if (!segs || !name) continue;
      s.fieldSelectors[name] = (obj) => {
        const found = evaluateJsonPath(obj, segs);
        return found.length && found[0] !== null && found[0] !== undefined ? String(found[0]) : undefined;
      };
    }
  }

  if (hasStatus) {
    s.status = {
      prepareForUpdate(obj, old) {
        // Only .status (and metadata, handled by the store) changes through /status.
        for (const k of Object.keys(obj)) if (k !== 'metadata' && k !== 'status') delete obj[k];
        for (const [k, x] of Object.entries(old)) if (k !== 'metadata' && k !== 'status') obj[k] = structuredClone(x);
        (obj.metadata ??= {}).generation = old.metadata?.generation;
      },
      validateUpdate(obj, old, ctx) {
        return [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaOpts), ...validateBody(obj, old, ctx)];
      },
    };
  }

  if (sub.scale) {
    const spec = dottedPath(sub.scale.specReplicasPath ?? '');
    const status = dottedPath(sub.scale.statusReplicasPath ?? '');
    if (spec && status) {
      s.scale = { specReplicasPath: spec, statusReplicasPath: status };
      const sel = sub.scale.labelSelectorPath ? dottedPath(sub.scale.labelSelectorPath) : undefined;
      if (sel) s.scale.labelSelectorPath = sel;
    }
  }
  return s;
}

/** Strategies for every served version of a CRD, keyed by version. */
export function strategiesForCrd(crd: any): Map<string, Strategy> {
  const out = new Map<string, Strategy>();
  for (const v of arr(crd.spec?.versions)) if (v?.served) out.set(v.name, strategyForCustomResource(crd, v.name));
  return out;
}
