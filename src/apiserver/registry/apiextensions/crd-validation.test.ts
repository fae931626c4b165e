import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../api/field-errors.js';
import { crontabCrd } from './fixtures.js';
import { computeCrdStatus, setCrdDefaults, validateCrd, validateCrdUpdate } from './crd-validation.js';

const errors = (crd: any) => {
  setCrdDefaults(crd);
  return validateCrd(crd).map(fieldErrorString);
};

test('defaults: singular, listKind, conversion None, preserveUnknownFields false', () => {
  const crd: any = crontabCrd();
  delete crd.spec.names.singular;
  setCrdDefaults(crd);
  assert.deepEqual(crd.spec.names, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
  assert.deepEqual(crd.spec.conversion, { strategy: 'None' });
  assert.equal(crd.spec.preserveUnknownFields, false);
  assert.deepEqual(errors(crontabCrd()), []);
});

test('names: metadata.name, group, plural/kind/listKind, short names', () => {
  const c1: any = crontabCrd();
  c1.metadata.name = 'crontab.stable.example.com';
  assert.deepEqual(errors(c1), ['metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group']);

  const c2: any = crontabCrd();
  c2.spec.group = 'example';
  c2.metadata.name = 'crontabs.example';
  assert.deepEqual(errors(c2), ['spec.group: Invalid value: "example": should be a domain with at least one dot']);

  const c3: any = crontabCrd();
  c3.spec.names.kind = 'Cron_Tab';
  c3.spec.names.listKind = 'Cron_Tab';
  c3.spec.names.shortNames = ['CT'];
  assert.deepEqual(errors(c3), [
    'spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
    'spec.names.listKind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
    'spec.names.listKind: Invalid value: "Cron_Tab": kind and listKind may not be the same',
    `spec.names.shortNames[0]: Invalid value: "CT": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
  ]);

  const c4: any = crontabCrd();
  delete c4.spec.names.plural;
  c4.spec.scope = 'Global';
  assert.deepEqual(errors(c4), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"', 'spec.names.plural: Required value']);
});

test('versions: exactly one storage version, unique names, schemas required', () => {
  const c1: any = crontabCrd();
  c1.spec.versions.push({ ...c1.spec.versions[0], name: 'v2' });
  assert.deepEqual(
    errors(c1).map((e) => e.replace(/Invalid value: .*: must/, 'Invalid value: <versions>: must')),
    ['spec.versions: Invalid value: <versions>: must have exactly one version marked as storage version'],
  );
  const c2: any = crontabCrd();
  c2.spec.versions.push({ ...c2.spec.versions[0], storage: false });
  assert.ok(errors(c2).some((e) => e.startsWith('spec.versions: Invalid value: ') && e.endsWith('must contain unique version names')));
  const c3: any = crontabCrd();
  delete c3.spec.versions[0].schema;
  assert.deepEqual(errors(c3), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);
  const c4: any = crontabCrd();
  c4.spec.versions = [];
  assert.deepEqual(errors(c4), ['spec.versions: Required value: must have at least one version']);
  const c5: any = crontabCrd();
  c5.spec.preserveUnknownFields = true;
  assert.deepEqual(errors(c5), ['spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead']);
  const c6: any = crontabCrd();
  c6.spec.conversion = { strategy: 'Magic' };
  assert.deepEqual(errors(c6), ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"']);
});

test('structural schema rules', () => {
  const withSchema = (schema: any) => {
    const c: any = crontabCrd();
    c.spec.versions[0].schema.openAPIV3Schema = schema;
    return errors(c);
  };
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  assert.deepEqual(withSchema({ type: 'string' }), [`${p}.type: Invalid value: "string": must be object at the root`]);
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }), [
    `${p}.properties[spec].type: Required value: must not be empty for specified object fields`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { type: 'array', items: {} } } }), [`${p}.properties[spec].items.type: Required value: must not be empty for specified array items`]);
  assert.deepEqual(withSchema({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }), [
    `${p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } } } }), [
    `${p}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { type: 'array', items: { type: 'string' }, uniqueItems: true } } }), [
    `${p}.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { $ref: '#/x' } } }), [
    `${p}.properties[spec].$ref: Forbidden: $ref is not supported`,
    `${p}.properties[spec].type: Required value: must not be empty for specified object fields`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { port: { type: 'string', 'x-kubernetes-int-or-string': true } } }), [
    `${p}.properties[port].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { type: 'object', anyOf: [{ type: 'object', required: ['a'] }] } } }), [
    `${p}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { n: { type: 'integer', minimum: 1, default: 0 } } }), [
    `${p}.properties[n].default: Invalid value: 0: ${p}.properties[n].default in body should be greater than or equal to 1`,
  ]);
  assert.deepEqual(withSchema({ type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { name: { type: 'string' } } } } } }), [
    `${p}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
  ]);
  // controller-gen's int-or-string form is structural.
  assert.deepEqual(withSchema({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } } }), []);
  assert.deepEqual(withSchema({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^[0-9]+$' }] } } }), []);
  // Free-form fields are fine when they say so.
  assert.deepEqual(withSchema({ type: 'object', properties: { spec: { 'x-kubernetes-preserve-unknown-fields': true }, port: { 'x-kubernetes-int-or-string': true } } }), []);
});

test('update: group immutable, scope immutable once established, stored versions stay', () => {
  const old: any = crontabCrd();
  setCrdDefaults(old);
  old.status = computeCrdStatus(old, [], new Date('2024-01-01T00:00:00Z'));
  const upd: any = structuredClone(old);
  upd.spec.scope = 'Cluster';
  upd.spec.versions[0].name = 'v2';
  assert.deepEqual(validateCrdUpdate(upd, old).map(fieldErrorString), [
    'spec.scope: Invalid value: "Cluster": field is immutable',
    'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
  ]);
});

test('status: names accepted and established; conflicts with another CRD of the group', () => {
  const crd: any = crontabCrd();
  setCrdDefaults(crd);
  const st = computeCrdStatus(crd, [], new Date('2024-01-01T00:00:00.123Z'));
  assert.deepEqual(st.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
  assert.deepEqual(st.storedVersions, ['v1']);
  assert.deepEqual(st.conditions, [
    { type: 'NamesAccepted', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'NoConflicts', message: 'no conflicts found' },
    { type: 'Established', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
  ]);
  // Recomputing keeps the transition times.
  crd.status = st;
  assert.equal(computeCrdStatus(crd, [], new Date('2025-01-01T00:00:00Z')).conditions[0].lastTransitionTime, '2024-01-01T00:00:00Z');

  const other: any = crontabCrd();
  other.metadata.name = 'crontabs2.stable.example.com';
  other.spec.names = { plural: 'crontabs2', singular: 'crontab2', kind: 'CronTab2', listKind: 'CronTab2List', shortNames: ['ct'] };
  const st2 = computeCrdStatus(other, [crd]);
  assert.deepEqual(
    st2.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]),
    [
      ['NamesAccepted', 'False', 'ShortNamesConflict', '"ct" is already in use'],
      ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
    ],
  );
});

test('malformed CRDs fail validation instead of throwing', () => {
  const shapes: any[] = [
    { metadata: { name: 'x' }, spec: 'nope' },
    { metadata: { name: 'x' } },
    { metadata: { name: 'x' }, spec: { group: 'a.b', scope: 'Namespaced', names: 'n', versions: 'v1' } },
    { metadata: { name: 'x' }, spec: { group: 'a.b', scope: 'Namespaced', names: { plural: 'xs', kind: 'X' }, versions: [null, 'v1', { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: 'bad' } }, additionalPrinterColumns: [null] }] } },
  ];
  for (const crd of shapes) {
    setCrdDefaults(crd);
    assert.ok(validateCrd(crd).length > 0, JSON.stringify(crd));
    assert.doesNotThrow(() => computeCrdStatus(crd, [crd]));
  }
  assert.deepEqual(validateCrd({ metadata: { name: 'x' }, spec: 'nope' }).map(fieldErrorString), ['spec: Required value']);
});
