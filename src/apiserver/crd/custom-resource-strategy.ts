// The strategy of a custom resource version, built from its CRD: OpenAPI v3 schema defaulting,
// pruning (unknown fields become fieldValidation warnings / strict errors) and validation,
// status and scale subresources, and the table columns of additionalPrinterColumns.
import type { KObject, Strategy, TableColumn } from '../registry/strategy.js';
import { resourceInfoForCrd } from '../registry/apiextensions/crd-resource-info.js';
import { applyDefaults } from '../registry/apiextensions/schema-default.js';
import { pruneUnknown } from '../registry/apiextensions/schema-prune.js';
import { validateSchema } from '../registry/apiextensions/schema-validate.js';
import { evaluateJsonPath, parseJsonPath } from '../registry/apiextensions/jsonpath.js';
import { ageColumn, nameColumn } from '../registry/printers/columns.js';
import { translateTimestampSince } from '../registry/printers/duration.js';
import { validateObjectMeta } from '../registry/generic/meta.js';
import type { FieldErrorList } from '../../api/field-errors.js';

export type CustomStrategy = Strategy & { custom: true; crdName: string; prune(obj: KObject): string[]; openAPIV3Schema?: Record<string, unknown> };

const dotted = (p: string) => p.replace(/^\./, '');

function tableFor(cols: any[] | undefined): Strategy['table'] {
  if (!cols?.length) return undefined;
  const parsed = cols.map((c) => ({ c, path: parseJsonPath(c.jsonPath) }));
  const columns: TableColumn[] = [nameColumn, ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description ?? '', priority: c.priority ?? 0 }))];
  const hasAge = cols.some((c) => c.jsonPath === '.metadata.creationTimestamp');
  if (!hasAge) columns.push(ageColumn);
  return {
    columns,
    cells(obj: KObject, now: Date) {
      const out: unknown[] = [obj.metadata?.name ?? ''];
      for (const { c, path } of parsed) {
        const v = path ? evaluateJsonPath(obj, path)[0] : undefined;
        if (v === undefined || v === null) out.push(null);
        else if (c.type === 'date') out.push(translateTimestampSince(v, now));
        else if (typeof v === 'object') out.push(JSON.stringify(v));
        else out.push(v);
      }
      if (!hasAge) out.push(translateTimestampSince(obj.metadata?.creationTimestamp, now));
      return out;
    },
  };
}

export function customResourceStrategy(crd: any, version: any): CustomStrategy {
  const info = resourceInfoForCrd(crd, version.name);
  const schema = version.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema;
  const subs = version.subresources ?? crd.spec?.subresources ?? {};
  const hasStatus = !!subs.status;
  const validate = (obj: KObject): FieldErrorList => {
    const errs = validateObjectMeta(obj.metadata ?? {}, info.namespaced);
    if (schema) {
      const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
      const sch = { ...schema, properties: { ...(schema.properties ?? {}) } };
      delete sch.properties.metadata;
      delete sch.properties.apiVersion;
      delete sch.properties.kind;
      sch.required = (sch.required ?? []).filter((r: string) => !['metadata', 'apiVersion', 'kind'].includes(r));
      errs.push(...validateSchema(rest, sch));
    }
    return errs;
  };
  const s: CustomStrategy = {
    custom: true,
    openAPIV3Schema: schema,
    crdName: crd.metadata?.name,
    prune: (obj) => (schema ? pruneUnknown(obj, schema, { isResourceRoot: true }) : []),
    info: { ...info, verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'] },
    generationOnSpecChange: true,
    defaults(obj) {
      if (schema) applyDefaults(obj, schema);
    },
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
    },
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = structuredClone(old.status);
      }
    },
    validate,
    validateUpdate: (obj) => validate(obj),
    table: tableFor(version.additionalPrinterColumns ?? crd.spec?.additionalPrinterColumns),
  };
  if (hasStatus)
    s.status = {
      prepareForUpdate(obj, old) {
        const st = obj.status;
        const keep = structuredClone(old);
        for (const k of Object.keys(obj)) delete obj[k];
        Object.assign(obj, keep, { status: st });
      },
      validateUpdate: (obj) => validate(obj),
    };
  if (subs.scale)
    s.scale = { specReplicasPath: dotted(subs.scale.specReplicasPath), statusReplicasPath: dotted(subs.scale.statusReplicasPath), labelSelectorPath: subs.scale.labelSelectorPath ? dotted(subs.scale.labelSelectorPath) : undefined };
  return s;
}

