// CustomResourceDefinition defaulting, validation and status, as apiextensions-apiserver does
// them for apiextensions.k8s.io/v1:
// - defaults: names.singular (lower-case kind), names.listKind (<Kind>List), conversion
//   {strategy: None}, preserveUnknownFields false, printer column priority 0.
// - validation (ValidateCustomResourceDefinition): metadata.name = <plural>.<group>, group a DNS
//   subdomain with a dot, names (DNS-1035 labels; kinds "may have mixed case"), scope, versions
//   (unique DNS-1035 names, exactly one storage version, a schema each), conversion, printer
//   columns, subresources (scale paths), and the structural schema rules
//   (validateStructural: types everywhere, object root, metadata only name/generateName, no
//   properties+additionalProperties, no $ref/uniqueItems/..., list types, defaults valid).
// - status: acceptedNames, conditions NamesAccepted (NoConflicts / <X>Conflict) and Established
//   (InitialNamesAccepted), storedVersions, as the naming and establishing controllers set them.
//
// x-kubernetes-validations (CEL) rules are compiled and checked by schema-cel-crd.ts.
// Partial: the rule that value validations (allOf/anyOf/oneOf/not) only mention structurally specified fields
// is not checked; webhook conversion is validated but not performed.
import { type FieldErrorList, forbidden, invalid, notSupported, required } from '../../../api/field-errors.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../api/validation/names.js';
import type { Schema } from '../../openapi/types.js';
import { pruneUnknown } from './schema-prune.js';
import { deepEqual, validateSchema } from './schema-validate.js';
import { validateSchemaCelRules } from './schema-cel-crd.js';
import { parseJsonPath } from './jsonpath.js';
import { arr, isObject } from './json-shape.js';

/** Sets the defaults apiextensions/v1 gives a CRD (in place). */
export function setCrdDefaults(crd: any): void {
  const spec = (crd.spec ??= {});
  if (!isObject(spec)) return; // left to validation
  const names = (spec.names ??= {});
  if (!isObject(names)) return;
  if (!names.singular && names.kind) names.singular = String(names.kind).toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  if (isObject(spec.conversion) && !spec.conversion.strategy) spec.conversion.strategy = 'None';
  if (spec.conversion.strategy === 'Webhook' && spec.conversion.webhook?.clientConfig?.service && spec.conversion.webhook.clientConfig.service.port === undefined)
    spec.conversion.webhook.clientConfig.service.port = 443;
  spec.preserveUnknownFields ??= false;
  for (const v of arr(spec.versions)) {
    for (const c of arr(v?.additionalPrinterColumns)) if (isObject(c)) c.priority ??= 0;
  }
}

const PRINTER_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const LIST_TYPES = ['atomic', 'set', 'map'];
const MAP_TYPES = ['granular', 'atomic'];

function kindErrors(path: string, kind: unknown, requiredField: boolean): FieldErrorList {
  if (!kind) return requiredField ? [required(path, '')] : [];
  if (isDNS1035Label(String(kind).toLowerCase()).length) return [invalid(path, kind, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?')];
  return [];
}

function labelErrors(path: string, v: unknown, requiredField: boolean): FieldErrorList {
  if (v === undefined || v === '') return requiredField ? [required(path, '')] : [];
  return isDNS1035Label(String(v)).map((m) => invalid(path, v, m));
}

/** ValidateCustomResourceDefinitionNames. */
export function validateCrdNames(names: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const n = names ?? {};
  errs.push(...labelErrors(`${path}.plural`, n.plural, true));
  errs.push(...labelErrors(`${path}.singular`, n.singular, false));
  errs.push(...kindErrors(`${path}.kind`, n.kind, true));
  errs.push(...kindErrors(`${path}.listKind`, n.listKind, true));
  if (n.kind && n.kind === n.listKind) errs.push(invalid(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  arr(n.shortNames).forEach((s: unknown, i: number) => errs.push(...labelErrors(`${path}.shortNames[${i}]`, s, true)));
  arr(n.categories).forEach((s: unknown, i: number) => errs.push(...labelErrors(`${path}.categories[${i}]`, s, true)));
  return errs;
}

/** ValidateCustomResourceDefinition (create). */
export function validateCrd(crd: any): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!isObject(crd.spec)) return [required('spec', '')];
  const spec = crd.spec;
  const name = crd.metadata?.name;
  if (spec.names?.plural && spec.group && name !== `${spec.names.plural}.${spec.group}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  errs.push(...validateCrdSpec(spec, 'spec'));
  return errs;
}

/** ValidateCustomResourceDefinitionUpdate: the create rules plus immutable fields. */
export function validateCrdUpdate(crd: any, old: any): FieldErrorList {
  const errs = validateCrd(crd);
  if (old?.spec?.group !== undefined && crd.spec?.group !== old.spec.group) errs.push(invalid('spec.group', crd.spec?.group, 'field is immutable'));
  const established = arr(old?.status?.conditions).some((c: any) => c.type === 'Established' && c.status === 'True');
  if (established && old?.spec?.scope !== undefined && crd.spec?.scope !== old.spec.scope) errs.push(invalid('spec.scope', crd.spec?.scope, 'field is immutable'));
  if (established && old?.spec?.names?.plural !== undefined && crd.spec?.names?.plural !== old.spec.names.plural)
    errs.push(invalid('spec.names.plural', crd.spec?.names?.plural, 'field is immutable'));
  // A stored version may not be removed from spec.versions while it is in status.storedVersions.
  const versions = new Set(arr(crd.spec?.versions).map((v: any) => v.name));
  arr(old?.status?.storedVersions).forEach((sv: string, i: number) => {
    if (!versions.has(sv)) errs.push(invalid(`status.storedVersions[${i}]`, sv, 'must appear in spec.versions'));
  });
  return errs;
}

function validateCrdSpec(spec: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!isObject(spec.names)) spec = { ...spec, names: {} };
  if (!spec.group) errs.push(required(`${path}.group`, ''));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(invalid(`${path}.group`, spec.group, m));
    if (String(spec.group).split('.').length < 2) errs.push(invalid(`${path}.group`, spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(required(`${path}.scope`, ''));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported(`${path}.scope`, spec.scope, ['Cluster', 'Namespaced']));
  errs.push(...validateCrdNames(spec.names, `${path}.names`));

  if (spec.versions !== undefined && !Array.isArray(spec.versions)) errs.push(invalid(`${path}.versions`, spec.versions, 'must be a list of versions'));
  if (spec.names !== undefined && !isObject(spec.names)) errs.push(invalid(`${path}.names`, spec.names, 'must be an object'));
  const versions: any[] = arr(spec.versions).map((v) => (isObject(v) ? v : {}));
  if (versions.length === 0) errs.push(required(`${path}.versions`, 'must have at least one version'));
  const seen = new Set<string>();
  const sameSchemas = versions.every((v) => deepEqual(v.schema, versions[0].schema));
  let storage = 0;
  let unique = true;
  versions.forEach((v, i) => {
    const vp = `${path}.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    if (!v.name) errs.push(required(`${vp}.name`, ''));
    else for (const m of isDNS1035Label(v.name)) errs.push(invalid(`${vp}.name`, v.name, m));
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errs.push(required(`${vp}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      const structural = validateStructuralSchema(schema, `${vp}.schema.openAPIV3Schema`);
      errs.push(...structural);
      // CEL rules, at the path kube reports them: spec.validation when every version has the
      // same schema (its internal version holds one schema then), else the version's.
      if (!structural.length && (!sameSchemas || i === 0)) errs.push(...validateSchemaCelRules(schema, sameSchemas ? `${path}.validation.openAPIV3Schema` : `${vp}.schema.openAPIV3Schema`));
    }
    errs.push(...validateSubresources(v.subresources, schema, `${vp}.subresources`));
    arr(v.additionalPrinterColumns).forEach((c: any, j: number) => errs.push(...validatePrinterColumn(c, `${vp}.additionalPrinterColumns[${j}]`)));
    if (v.deprecationWarning !== undefined && !v.deprecated) errs.push(forbidden(`${vp}.deprecationWarning`, 'can only be set for deprecated versions'));
    if (typeof v.deprecationWarning === 'string' && v.deprecationWarning.length > 256) errs.push({ type: 'FieldValueTooLong', field: `${vp}.deprecationWarning`, detail: 'may not be more than 256 bytes' });
  });
  if (!unique) errs.push(invalid(`${path}.versions`, versions, 'must contain unique version names'));
  if (versions.length && storage !== 1) errs.push(invalid(`${path}.versions`, versions, 'must have exactly one version marked as storage version'));

  const conv = isObject(spec.conversion) ? spec.conversion : {};
  if (conv.strategy !== 'None' && conv.strategy !== 'Webhook') errs.push(notSupported(`${path}.conversion.strategy`, conv.strategy, ['None', 'Webhook']));
  else if (conv.strategy === 'None' && conv.webhook !== undefined) errs.push(forbidden(`${path}.conversion.webhook`, 'should not be set when strategy is not set to Webhook'));
  else if (conv.strategy === 'Webhook') {
    if (!conv.webhook) errs.push(required(`${path}.conversion.webhook`, 'required when strategy is set to Webhook'));
    else {
      const cc = conv.webhook.clientConfig;
      if (!cc) errs.push(required(`${path}.conversion.webhook.clientConfig`, 'required when strategy is set to Webhook'));
      else if (!cc.url === !cc.service) errs.push(required(`${path}.conversion.webhook.clientConfig`, 'exactly one of url or service is required'));
      const crv: unknown[] = arr(conv.webhook.conversionReviewVersions);
      if (!crv.length) errs.push(required(`${path}.conversion.webhook.conversionReviewVersions`, 'must include at least one of v1, v1beta1'));
    }
  }
  if (spec.preserveUnknownFields === true)
    errs.push(invalid(`${path}.preserveUnknownFields`, true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  return errs;
}

function validatePrinterColumn(c0: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const c = isObject(c0) ? c0 : {};
  if (!c.name) errs.push(required(`${path}.name`, ''));
  if (!c.type) errs.push(required(`${path}.type`, ''));
  else if (!PRINTER_TYPES.includes(c.type)) errs.push(notSupported(`${path}.type`, c.type, PRINTER_TYPES));
  if (c.format && !['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'].includes(c.format))
    errs.push(notSupported(`${path}.format`, c.format, ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password']));
  if (!c.jsonPath) errs.push(required(`${path}.jsonPath`, ''));
  else if (!parseJsonPath(c.jsonPath)) errs.push(invalid(`${path}.jsonPath`, c.jsonPath, 'must be a simple json path'));
  return errs;
}

function validateSubresources(sub: any, schema: Schema | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const scale = sub?.scale;
  if (!isObject(scale)) return errs;
  const check = (field: string, prefixes: string[], req: boolean) => {
    const v = scale[field];
    if (v === undefined || v === '') {
      if (req) errs.push(required(`${path}.scale.${field}`, ''));
      return;
    }
    const parsed = parseJsonPath(v);
    const segs = parsed?.every((x) => x.kind === 'field') ? parsed.map((x) => (x as { name: string }).name) : undefined;
    if (!segs) errs.push(invalid(`${path}.scale.${field}`, v, 'should be a json path without array notation'));
    else if (!prefixes.includes(segs[0]) || segs.length < 2) errs.push(invalid(`${path}.scale.${field}`, v, `should be a json path under ${prefixes.map((x) => '.' + x).join(' or ')}`));
    else if (schema) {
      // The field, when the schema specifies it, must be an integer.
      let s: Schema | undefined = schema;
      for (const seg of segs) s = s?.properties?.[seg];
      if (s && s.type && s.type !== 'integer' && field !== 'labelSelectorPath') errs.push(invalid(`${path}.scale.${field}`, v, 'should be a json path to an integer field'));
    }
  };
  check('specReplicasPath', ['spec'], true);
  check('statusReplicasPath', ['status'], true);
  check('labelSelectorPath', ['spec', 'status'], false);
  return errs;
}

// ---- structural schema rules ----

const FORBIDDEN_KEYS: Record<string, string> = {
  $ref: '$ref is not supported',
  additionalItems: 'additionalItems cannot be set to false',
  patternProperties: 'patternProperties is not supported',
  dependencies: 'dependencies is not supported',
  definitions: 'definitions is not supported',
  id: 'id is not supported',
  $schema: '$schema is not supported',
};

const VALID_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** validateStructural + the CRD schema checks, for a version's openAPIV3Schema. */
export function validateStructuralSchema(schema: Schema, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!isObject(schema)) return [invalid(path, schema, 'must be a schema object')];
  if (schema.type !== 'object' && !(schema.type === undefined && schema['x-kubernetes-preserve-unknown-fields'])) {
    if (schema.type === undefined) errs.push(required(`${path}.type`, 'must not be empty at the root'));
    else errs.push(invalid(`${path}.type`, schema.type, 'must be object at the root'));
  }
  if (schema.nullable) errs.push(forbidden(`${path}.nullable`, 'must be false at the root'));
  if (schema['x-kubernetes-embedded-resource']) errs.push(forbidden(`${path}.x-kubernetes-embedded-resource`, 'must be false at the root'));
  if (schema['x-kubernetes-int-or-string']) errs.push(forbidden(`${path}.x-kubernetes-int-or-string`, 'must be false at the root'));
  const meta = schema.properties?.metadata;
  if (meta) {
    if (meta.type !== undefined && meta.type !== 'object') errs.push(invalid(`${path}.properties[metadata].type`, meta.type, 'must be object'));
    const extra = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
    const props = Object.keys(meta.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
    if (extra.length || props.length) errs.push(forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  for (const k of ['apiVersion', 'kind']) {
    const p = schema.properties?.[k];
    if (p?.type !== undefined && p.type !== 'string') errs.push(invalid(`${path}.properties[${k}].type`, p.type, 'must be string'));
  }
  visitStructural(schema, path, 'root', errs);
  return errs;
}

function visitStructural(s: Schema, path: string, where: 'root' | 'property' | 'items' | 'additionalProperties', errs: FieldErrorList): void {
  if (!isObject(s)) {
    errs.push(invalid(path, s, 'must be a schema object'));
    return;
  }
  if (s.properties !== undefined && !isObject(s.properties)) {
    errs.push(invalid(`${path}.properties`, s.properties, 'must be an object of schemas'));
    return;
  }
  if (s.required !== undefined && !Array.isArray(s.required)) errs.push(invalid(`${path}.required`, s.required, 'must be a list of field names'));
  for (const [k, msg] of Object.entries(FORBIDDEN_KEYS)) if (s[k] !== undefined) errs.push(forbidden(`${path}.${k}`, msg));
  if (s.uniqueItems === true) errs.push(forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties === false) errs.push(forbidden(`${path}.additionalProperties`, 'additionalProperties cannot be set to false'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (s.type !== undefined && !VALID_TYPES.includes(s.type)) errs.push(notSupported(`${path}.type`, s.type, VALID_TYPES));

  const intOrString = !!s['x-kubernetes-int-or-string'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  if (intOrString && s.type !== undefined) errs.push(invalid(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (!s.type && !intOrString && !preserve && where !== 'root') {
    const detail = where === 'items' ? 'must not be empty for specified array items' : where === 'additionalProperties' ? 'must not be empty for specified additionalProperties' : 'must not be empty for specified object fields';
    errs.push(required(`${path}.type`, detail));
  }
  if (s['x-kubernetes-embedded-resource']) {
    if (s.type !== 'object') errs.push(required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    if (!preserve && !s.properties) errs.push(required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  if (s.type === 'array' && !s.items) errs.push(required(`${path}.items`, 'must be specified'));
  if (s.items && Array.isArray(s.items)) errs.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));

  // list and map types
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined) {
    if (!LIST_TYPES.includes(lt)) errs.push(notSupported(`${path}.x-kubernetes-list-type`, lt, LIST_TYPES));
    else if (s.type !== 'array') errs.push(invalid(`${path}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    else if (lt === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      if (!keys.length) errs.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
      if (s.items && s.items.type !== 'object') errs.push(invalid(`${path}.items.type`, s.items.type ?? '', 'must be object for an array of list-type map'));
      for (const k of keys) {
        const ks = s.items?.properties?.[k];
        if (!ks) errs.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, `entries must all be names of item properties`));
        else if (!arr(s.items?.required).includes(k) && ks.default === undefined)
          errs.push(required(`${path}.items.properties[${k}]`, 'all map keys must be required or have a default value'));
      }
    } else if (lt === 'set' && s.items?.type === 'object' && s.items['x-kubernetes-map-type'] !== 'atomic')
      errs.push(invalid(`${path}.items.x-kubernetes-map-type`, s.items['x-kubernetes-map-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
  }
  if (s['x-kubernetes-list-map-keys'] !== undefined && lt !== 'map') errs.push(forbidden(`${path}.x-kubernetes-list-map-keys`, 'must only be set if x-kubernetes-list-type is map'));
  const mt = s['x-kubernetes-map-type'];
  if (mt !== undefined && !MAP_TYPES.includes(mt)) errs.push(notSupported(`${path}.x-kubernetes-map-type`, mt, MAP_TYPES));

  // default: must validate and contain no unknown fields.
  if (s.default !== undefined) {
    const d = structuredClone(s.default);
    const dropped = pruneUnknown(d, s, {});
    for (const f of dropped) errs.push(invalid(`${path}.default`, s.default, `must not have unknown fields: ${f}`));
    errs.push(...validateSchema(s.default, withoutDefaults(s), `${path}.default`));
  }

  for (const [k, p] of Object.entries(s.properties ?? {})) visitStructural(p, `${path}.properties[${k}]`, 'property', errs);
  if (s.items && !Array.isArray(s.items)) visitStructural(s.items, `${path}.items`, 'items', errs);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') visitStructural(s.additionalProperties, `${path}.additionalProperties`, 'additionalProperties', errs);
  // Value validations under junctors: no type/default/description/nullable/x-kubernetes-* there;
  // except the int-or-string forms `anyOf: [{type: integer}, {type: string}]` (also as the first
  // allOf entry) that generators emit next to x-kubernetes-int-or-string.
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) {
    arr(s[j]).forEach((x, i) => {
      if (intOrString && j === 'anyOf' && isIntOrStringType(x)) return;
      if (intOrString && j === 'allOf' && i === 0 && Array.isArray(x.anyOf) && x.anyOf.length === 2 && x.anyOf.every(isIntOrStringType) && Object.keys(x).length === 1) return;
      visitJunctor(x, `${path}.${j}[${i}]`, errs);
    });
  }
  if (s.not) visitJunctor(s.not, `${path}.not`, errs);
}

function isIntOrStringType(x: Schema): boolean {
  return !!x && Object.keys(x).length === 1 && (x.type === 'integer' || x.type === 'string');
}

function visitJunctor(s: Schema, path: string, errs: FieldErrorList): void {
  if (!s || typeof s !== 'object') return;
  for (const k of ['type', 'default', 'description', 'title']) if (s[k] !== undefined) errs.push(forbidden(`${path}.${k}`, 'must be empty to be structural'));
  if (s.nullable) errs.push(forbidden(`${path}.nullable`, 'must be false to be structural'));
  for (const k of Object.keys(s)) if (k.startsWith('x-kubernetes-') && s[k] !== undefined && s[k] !== false) errs.push(forbidden(`${path}.${k}`, 'must be false to be structural'));
  for (const [k, p] of Object.entries(s.properties ?? {})) visitJunctor(p, `${path}.properties[${k}]`, errs);
  if (s.items && !Array.isArray(s.items)) visitJunctor(s.items, `${path}.items`, errs);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) arr(s[j]).forEach((x, i) => visitJunctor(x, `${path}.${j}[${i}]`, errs));
  if (s.not) visitJunctor(s.not, `${path}.not`, errs);
}

function withoutDefaults(s: Schema): Schema {
  const { default: _d, ...rest } = s;
  return rest;
}


// ---- status ----

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

function setCondition(conds: CrdCondition[], c: CrdCondition): void {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) conds.push(c);
  else if (conds[i].status === c.status) conds[i] = { ...c, lastTransitionTime: conds[i].lastTransitionTime };
  else conds[i] = c;
}

/**
 * The status a CRD gets from the naming and establishing controllers: acceptedNames and the
 * NamesAccepted/Established conditions. `others` are the other CRDs of the cluster: a plural,
 * singular, short name, kind or listKind another CRD of the same group already uses is a
 * conflict (NamesAccepted False, reason <Plural|Singular|ShortNames|Kind|ListKind>Conflict) and
 * the CRD is not established. Returns a new status; storedVersions gains the storage version.
 */
export function computeCrdStatus(crd: any, others: any[], now: Date = new Date()): any {
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const status = structuredClone(crd.status ?? {});
  const conds: CrdCondition[] = status.conditions ?? [];
  const names = crd.spec?.names ?? {};
  const group = crd.spec?.group;
  const taken = { plural: new Set<string>(), singular: new Set<string>(), shortNames: new Set<string>(), kind: new Set<string>(), listKind: new Set<string>() };
  for (const o of others) {
    if (o?.metadata?.name === crd.metadata?.name || o?.spec?.group !== group) continue;
    const an = o.status?.acceptedNames ?? {};
    const all = [an.plural, an.singular, ...arr(an.shortNames)].filter(Boolean);
    for (const x of all) {
      taken.plural.add(x);
      taken.singular.add(x);
      taken.shortNames.add(x);
    }
    if (an.kind) taken.kind.add(an.kind);
    if (an.listKind) taken.listKind.add(an.listKind);
    if (an.kind) taken.listKind.add(an.kind);
    if (an.listKind) taken.kind.add(an.listKind);
  }
  let conflict: { reason: string; message: string } | undefined;
  if (taken.plural.has(names.plural)) conflict = { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
  else if (names.singular && taken.singular.has(names.singular)) conflict = { reason: 'SingularConflict', message: `"${names.singular}" is already in use` };
  else if (arr(names.shortNames).some((s: string) => taken.shortNames.has(s)))
    conflict = { reason: 'ShortNamesConflict', message: `"${(names.shortNames as string[]).find((s) => taken.shortNames.has(s))}" is already in use` };
  else if (taken.kind.has(names.kind)) conflict = { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
  else if (names.listKind && taken.listKind.has(names.listKind)) conflict = { reason: 'ListKindConflict', message: `"${names.listKind}" is already in use` };

  if (conflict) {
    setCondition(conds, { type: 'NamesAccepted', status: 'False', lastTransitionTime: ts, ...conflict });
    if (!conds.some((c) => c.type === 'Established' && c.status === 'True'))
      setCondition(conds, { type: 'Established', status: 'False', lastTransitionTime: ts, reason: 'NotAccepted', message: 'not all names are accepted' });
    status.acceptedNames ??= { plural: '', kind: '' };
  } else {
    const accepted: any = { plural: names.plural, singular: names.singular, kind: names.kind, listKind: names.listKind };
    if (names.shortNames?.length) accepted.shortNames = [...names.shortNames];
    if (names.categories?.length) accepted.categories = [...names.categories];
    status.acceptedNames = accepted;
    setCondition(conds, { type: 'NamesAccepted', status: 'True', lastTransitionTime: ts, reason: 'NoConflicts', message: 'no conflicts found' });
    setCondition(conds, { type: 'Established', status: 'True', lastTransitionTime: ts, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
  }
  status.conditions = conds;
  const storageVersion = arr(crd.spec?.versions).find((v: any) => v?.storage)?.name;
  const stored: string[] = status.storedVersions ?? [];
  if (storageVersion && !stored.includes(storageVersion)) stored.push(storageVersion);
  status.storedVersions = stored;
  return status;
}

/** Whether a CRD is established (its resources are served). */
export function isEstablished(crd: any): boolean {
  return arr(crd?.status?.conditions).some((c: any) => c.type === 'Established' && c.status === 'True');
}
