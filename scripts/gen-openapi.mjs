// Generates the OpenAPI v3 component schemas of the built-in kinds from the `kubernetes-types`
// declaration files (their JSDoc carries the field documentation), named as Kubernetes names
// them (`io.k8s.api.core.v1.Pod`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, ...).
//
//   node scripts/gen-openapi.mjs [out.json]     (default: dist/openapi-schemas.json)
//
// `npm run build` runs it (scripts/build.mjs); src/apiserver/openapi/builtin-schemas.ts loads the
// output and, when it is missing (a fresh checkout running tests from src/), calls
// `generateSchemas()` itself. Patch/list-type metadata (x-kubernetes-patch-*, x-kubernetes-list-*)
// is layered on at load time by src/apiserver/openapi/patch-meta.ts, not here.
//
// What the TypeScript declarations cannot tell and how it is decided here:
// - every `number` is an integer (Kubernetes' API conventions forbid floats in built-in kinds);
//   the format is int64 for the fields Kubernetes declares int64 (a name table below), else int32.
// - `number | string` is IntOrString; `Quantity`, `Time`, `MicroTime`, `RawExtension` are the
//   special apimachinery types with the shapes Kubernetes' v3 documents give them.
import ts from 'typescript';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** The Go package prefix of a kubernetes-types module ('apps/v1' -> 'io.k8s.api.apps.v1'). */
function packageOf(mod) {
  if (mod === 'meta/v1') return META;
  if (mod === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (mod === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (mod === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (mod === 'apiextensions/v1') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
  return 'io.k8s.api.' + mod.replace('/', '.');
}

/** Fields Kubernetes declares as int64 (the rest of the integers are int32). */
const INT64_FIELDS = new Set([
  'activeDeadlineSeconds', 'terminationGracePeriodSeconds', 'deletionGracePeriodSeconds', 'gracePeriodSeconds',
  'generation', 'observedGeneration', 'runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups', 'revision',
  'expirationSeconds', 'tolerationSeconds', 'remainingItemCount', 'startingDeadlineSeconds', 'seconds', 'sizeBytes',
  'JSONSchemaProps.maxItems', 'JSONSchemaProps.minItems', 'JSONSchemaProps.maxLength', 'JSONSchemaProps.minLength',
  'JSONSchemaProps.maxProperties', 'JSONSchemaProps.minProperties', 'NamedResourcesAttribute.int', 'NamedResourcesIntSlice.ints',
]);
/** The few floating-point fields (`<Type>.<field>`). */
const DOUBLE_FIELDS = new Set(['JSONSchemaProps.maximum', 'JSONSchemaProps.minimum', 'JSONSchemaProps.multipleOf']);

/** GVKs of meta types that kubernetes-types declares without literal apiVersion/kind. */
const EXTRA_GVK = {
  [`${META}.Status`]: [{ group: '', version: 'v1', kind: 'Status' }],
  [`${META}.APIResourceList`]: [{ group: '', version: 'v1', kind: 'APIResourceList' }],
  [`${META}.APIGroupList`]: [{ group: '', version: 'v1', kind: 'APIGroupList' }],
  [`${META}.APIGroup`]: [{ group: '', version: 'v1', kind: 'APIGroup' }],
  [`${META}.APIVersions`]: [{ group: '', version: 'v1', kind: 'APIVersions' }],
};

function docOf(node) {
  const docs = node.jsDoc;
  if (!docs || docs.length === 0) return undefined;
  const text = ts.getTextOfJSDocComment(docs[docs.length - 1].comment);
  return text ? text.trim() : undefined;
}

/** The schema of a `number` field: `field` is 'Type.field'. */
function numberSchema(field) {
  if (field && DOUBLE_FIELDS.has(field)) return { type: 'number', format: 'double' };
  const bare = field?.slice(field.indexOf('.') + 1);
  return { type: 'integer', format: field && (INT64_FIELDS.has(field) || INT64_FIELDS.has(bare)) ? 'int64' : 'int32' };
}

/**
 * Generates { schemaName: schema } for every declaration in kubernetes-types.
 * @param {{ typesDir?: string }} [opts]
 */
export function generateSchemas(opts = {}) {
  const typesDir = opts.typesDir ?? dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(typesDir);
  const schemas = {};
  for (const file of files) {
    const mod = relative(typesDir, file).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    const pkg = packageOf(mod);
    const sf = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.ES2022, true);
    // Imported names -> their package.
    const imported = new Map();
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !st.importClause?.namedBindings) continue;
      const spec = st.moduleSpecifier.text;
      const target = join(dirname(mod), spec).replace(/\\/g, '/').replace(/^\.\//, '');
      const nb = st.importClause.namedBindings;
      if (ts.isNamedImports(nb)) for (const el of nb.elements) imported.set(el.name.text, packageOf(target));
    }
    const refName = (name) => `${imported.get(name) ?? pkg}.${name}`;
    const typeSchema = (t, field) => schemaForType(t, field, refName);
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) {
        const name = `${pkg}.${st.name.text}`;
        const s = {};
        const d = docOf(st);
        if (d) s.description = d;
        const props = {};
        const required = [];
        let apiVersion;
        let kind;
        for (const m of st.members) {
          if (!ts.isPropertySignature(m) || !m.type) continue;
          const pn = m.name.text ?? m.name.getText(sf);
          const ps = typeSchema(m.type, `${st.name.text}.${pn}`);
          const pd = docOf(m);
          if (pd) {
            if (ps.$ref) props[pn] = { allOf: [{ $ref: ps.$ref }], description: pd };
            else props[pn] = { description: pd, ...ps };
          } else props[pn] = ps;
          if (!m.questionToken) required.push(pn);
          if (pn === 'apiVersion' && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) apiVersion = m.type.literal.text;
          if (pn === 'kind' && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) kind = m.type.literal.text;
        }
        if (st.members.length === 0) {
          // Opaque JSON holders: RawExtension, FieldsV1, Patch are objects; apiextensions JSON is any.
          if (st.name.text !== 'JSON') s.type = 'object';
        } else {
          s.type = 'object';
          s.properties = props;
          if (required.length) s.required = required;
        }
        for (const p of ['apiVersion', 'kind']) if (props[p]) props[p] = { description: props[p].description, type: 'string' };
        if (apiVersion && kind) {
          const i = apiVersion.indexOf('/');
          s['x-kubernetes-group-version-kind'] = [{ group: i < 0 ? '' : apiVersion.slice(0, i), kind, version: i < 0 ? apiVersion : apiVersion.slice(i + 1) }];
        } else if (EXTRA_GVK[name]) s['x-kubernetes-group-version-kind'] = EXTRA_GVK[name];
        schemas[name] = s;
      } else if (ts.isTypeAliasDeclaration(st)) {
        const name = `${pkg}.${st.name.text}`;
        const d = docOf(st);
        let s;
        if (name === QUANTITY) s = { oneOf: [{ type: 'string' }, { type: 'number' }] };
        else if (st.name.text === 'Time' || st.name.text === 'MicroTime') s = { type: 'string', format: 'date-time' };
        else if (st.type.kind === ts.SyntaxKind.StringKeyword) s = { type: 'string' };
        else s = {}; // JSONSchemaPropsOr*: a union Kubernetes leaves untyped
        schemas[name] = d ? { description: d, ...s } : s;
      }
    }
  }
  schemas[INT_OR_STRING] = {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  };
  // kubernetes-types drops the fields of the inlined admissionregistration Rule (resources,
  // scope) from RuleWithOperations and NamedRuleWithOperations: put them back.
  for (const [k, s] of Object.entries(schemas))
    if (/^io\.k8s\.api\.admissionregistration\.v[^.]+\.(Named)?RuleWithOperations$/.test(k) && s.properties) {
      s.properties.resources ??= { description: "Resources is a list of resources this rule applies to. '*' means all resources, 'pods/*' all subresources of pods.", type: 'array', items: { type: 'string' } };
      s.properties.scope ??= { description: 'scope specifies the scope of this rule: "Cluster", "Namespaced" or "*" (default).', type: 'string' };
    }
  // kubernetes-types has no x-kubernetes-* fields in JSONSchemaProps (their names are not
  // identifiers): put kube's back, or strict field validation refuses every CRD that uses them.
  const props = schemas['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps']?.properties;
  if (props) {
    const bool = (description) => ({ description, type: 'boolean' });
    Object.assign(props, {
      'x-kubernetes-embedded-resource': bool('x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta.'),
      'x-kubernetes-int-or-string': bool('x-kubernetes-int-or-string specifies that this value is either an integer or a string.'),
      'x-kubernetes-list-map-keys': { description: 'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.', type: 'array', items: { type: 'string' } },
      'x-kubernetes-list-type': { description: 'x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.', type: 'string' },
      'x-kubernetes-map-type': { description: 'x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.', type: 'string' },
      'x-kubernetes-preserve-unknown-fields': bool('x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.'),
      'x-kubernetes-validations': { description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.', type: 'array', items: { $ref: '#/components/schemas/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule' } },
    });
  }
  const sorted = {};
  for (const k of Object.keys(schemas).sort()) sorted[k] = schemas[k];
  return sorted;
}

function schemaForType(t, field, refName) {
  switch (t.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return numberSchema(field);
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return {};
    case ts.SyntaxKind.LiteralType:
      return { type: 'string' };
    case ts.SyntaxKind.ParenthesizedType:
      return schemaForType(t.type, field, refName);
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: schemaForType(t.elementType, field, refName) };
    case ts.SyntaxKind.UnionType: {
      const kinds = t.types.map((x) => x.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) return { $ref: INT_OR_STRING };
      return {};
    }
    case ts.SyntaxKind.TypeLiteral: {
      const idx = t.members.find((m) => ts.isIndexSignatureDeclaration(m));
      if (idx) return { type: 'object', additionalProperties: schemaForType(idx.type, field, refName) };
      return { type: 'object' };
    }
    case ts.SyntaxKind.TypeReference: {
      const n = t.typeName.getText();
      if (n === 'Array' && t.typeArguments?.length === 1) return { type: 'array', items: schemaForType(t.typeArguments[0], field, refName) };
      if (n === 'Record' && t.typeArguments?.length === 2) return { type: 'object', additionalProperties: schemaForType(t.typeArguments[1], field, refName) };
      return { $ref: refName(n) };
    }
    default:
      return {};
  }
}

/** Converts `{$ref: name}` forms to OpenAPI v3 component references. */
export function toComponentRefs(schemas) {
  const fix = (v) => {
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v)) o[k] = k === '$ref' && typeof x === 'string' && !x.startsWith('#') ? `#/components/schemas/${x}` : fix(x);
      return o;
    }
    return v;
  };
  return fix(schemas);
}

/** Writes the generated schemas (component refs) to `out` atomically. */
export function writeSchemas(out) {
  const json = JSON.stringify(toComponentRefs(generateSchemas()));
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, json);
  renameSync(tmp, out);
  return json.length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'openapi-schemas.json');
  const n = writeSchemas(out);
  console.log(`wrote ${out} (${Math.round(n / 1024)} KiB)`);
}
