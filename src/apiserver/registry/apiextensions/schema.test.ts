import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../api/field-errors.js';
import type { Schema } from '../../openapi/types.js';
import { validateSchema } from './schema-validate.js';
import { applyDefaults } from './schema-default.js';
import { pruneUnknown } from './schema-prune.js';

const msgs = (value: unknown, schema: Schema) => validateSchema(value, schema).map(fieldErrorString);

const spec = (props: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: props, ...extra } },
});

test('type errors name the JSON type sent, as kube-apiserver prints them', () => {
  const s = spec({ replicas: { type: 'integer' }, cronSpec: { type: 'string' }, ratio: { type: 'number' }, on: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string' } } });
  assert.deepEqual(msgs({ spec: { replicas: 'string' } }, s), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.deepEqual(msgs({ spec: { replicas: 'abc' } }, s), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.deepEqual(msgs({ spec: { replicas: 1.5 } }, s), ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
  assert.deepEqual(msgs({ spec: { cronSpec: 5 } }, s), ['spec.cronSpec: Invalid value: "integer": spec.cronSpec in body must be of type string: "integer"']);
  assert.deepEqual(msgs({ spec: { on: 'yes' } }, s), ['spec.on: Invalid value: "string": spec.on in body must be of type boolean: "string"']);
  assert.deepEqual(msgs({ spec: { tags: ['a', 3] } }, s), ['spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"']);
  assert.deepEqual(msgs({ spec: { ratio: 2 } }, s), [], 'an integer is a number');
  assert.deepEqual(msgs({ spec: 'x' }, s), ['spec: Invalid value: "string": spec in body must be of type object: "string"']);
  const errs = validateSchema({ spec: { replicas: 'x' } }, s);
  assert.equal(errs[0].type, 'FieldValueTypeInvalid');
});

test('required, enum, pattern, bounds, lengths, items counts, uniqueness, properties counts', () => {
  const s = spec(
    {
      mode: { type: 'string', enum: ['a', 'b'] },
      name: { type: 'string', pattern: '^[a-z]+$', minLength: 2, maxLength: 5 },
      replicas: { type: 'integer', minimum: 1, maximum: 10 },
      weight: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true, multipleOf: 0.25 },
      list: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2, uniqueItems: true },
      labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1, minProperties: 1 },
    },
    { required: ['mode'] },
  );
  assert.deepEqual(msgs({ spec: {} }, s), ['spec.mode: Required value']);
  assert.deepEqual(msgs({ spec: { mode: 'c' } }, s), ['spec.mode: Unsupported value: "c": supported values: "a", "b"']);
  assert.deepEqual(msgs({ spec: { mode: 'a', name: 'ABC' } }, s), ["spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'"]);
  assert.deepEqual(msgs({ spec: { mode: 'a', name: 'a' } }, s), ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']);
  assert.deepEqual(msgs({ spec: { mode: 'a', name: 'abcdef' } }, s), ['spec.name: Too long: may not be more than 5 bytes']);
  assert.deepEqual(msgs({ spec: { mode: 'a', replicas: 0 } }, s), ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']);
  assert.deepEqual(msgs({ spec: { mode: 'a', replicas: 11 } }, s), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(msgs({ spec: { mode: 'a', weight: 0 } }, s), ['spec.weight: Invalid value: 0: spec.weight in body should be greater than 0']);
  assert.deepEqual(msgs({ spec: { mode: 'a', weight: 0.3 } }, s), ['spec.weight: Invalid value: 0.3: spec.weight in body should be a multiple of 0.25']);
  assert.deepEqual(msgs({ spec: { mode: 'a', list: [] } }, s), ['spec.list: Invalid value: 0: spec.list in body should have at least 1 items']);
  // Kubernetes prints `Too many: 3: must have at most 2 items`; the shared renderer
  // (src/api/field-errors.ts) omits the value for TooMany, the error carries it.
  assert.deepEqual(validateSchema({ spec: { mode: 'a', list: ['a', 'b', 'c'] } }, s), [{ type: 'FieldValueTooMany', field: 'spec.list', badValue: 3, detail: 'must have at most 2 items' }]);
  assert.deepEqual(msgs({ spec: { mode: 'a', list: ['a', 'a'] } }, s), ['spec.list: Invalid value: ["a","a"]: spec.list in body shouldn\'t contain duplicates']);
  assert.deepEqual(validateSchema({ spec: { mode: 'a', labels: { a: 'x', b: 'y' } } }, s), [{ type: 'FieldValueTooMany', field: 'spec.labels', badValue: 2, detail: 'must have at most 1 item' }]);
  assert.deepEqual(msgs({ spec: { mode: 'a', labels: {} } }, s), ['spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties']);
  assert.deepEqual(msgs({ spec: { mode: 'a', labels: { a: 1 } } }, s), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
  assert.deepEqual(msgs({ spec: { mode: 'b', name: 'ab', replicas: 3, weight: 0.5, list: ['x'], labels: { a: 'b' } } }, s), []);
});

test('formats, nullable, int-or-string, embedded resources, junctors, list types', () => {
  const s = spec({
    at: { type: 'string', format: 'date-time' },
    id: { type: 'string', format: 'uuid' },
    ip: { type: 'string', format: 'ipv4' },
    net: { type: 'string', format: 'cidr' },
    raw: { type: 'string', format: 'byte' },
    maybe: { type: 'string', nullable: true },
    port: { 'x-kubernetes-int-or-string': true },
    tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    oneOrOther: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
    size: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 2 }], not: { enum: [11] } },
    set: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    ports: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
  });
  assert.deepEqual(msgs({ spec: { at: '2024-01-02T03:04:05Z', id: '123e4567-e89b-12d3-a456-426614174000', ip: '10.0.0.1', net: '10.0.0.0/8', raw: 'aGk=' } }, s), []);
  assert.deepEqual(msgs({ spec: { at: 'yesterday' } }, s), ['spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"']);
  assert.deepEqual(msgs({ spec: { ip: '300.1.1.1', net: '10.0.0.0/33' } }, s), [
    'spec.ip: Invalid value: "300.1.1.1": spec.ip in body must be of type ipv4: "300.1.1.1"',
    'spec.net: Invalid value: "10.0.0.0/33": spec.net in body must be of type cidr: "10.0.0.0/33"',
  ]);
  assert.deepEqual(msgs({ spec: { maybe: null } }, s), []);
  assert.deepEqual(msgs({ spec: { at: null } }, s), ['spec.at: Invalid value: "null": spec.at in body must be of type string: "null"']);
  assert.deepEqual(msgs({ spec: { port: 80 } }, s), []);
  assert.deepEqual(msgs({ spec: { port: 'http' } }, s), []);
  assert.deepEqual(msgs({ spec: { port: true } }, s), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  assert.deepEqual(msgs({ spec: { tmpl: { metadata: {} } } }, s), ['spec.tmpl.apiVersion: Required value: must not be empty', 'spec.tmpl.kind: Required value: must not be empty']);
  assert.deepEqual(msgs({ spec: { tmpl: { apiVersion: 'v1', kind: 'Pod', spec: {} } } }, s), []);
  assert.deepEqual(msgs({ spec: { tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' } } } }, s), [
    `spec.tmpl.metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(msgs({ spec: { oneOrOther: { a: 'x', b: 'y' } } }, s), ['spec.oneOrOther: Invalid value: {"a":"x","b":"y"}: spec.oneOrOther in body must validate one and only one schema (oneOf)']);
  assert.deepEqual(msgs({ spec: { oneOrOther: { b: 'y' } } }, s), []);
  assert.deepEqual(msgs({ spec: { size: 5 } }, s), ['spec.size: Invalid value: 5: spec.size in body must validate at least one schema (anyOf)']);
  assert.deepEqual(msgs({ spec: { size: 11 } }, s), ['spec.size: Invalid value: 11: spec.size in body must not validate the schema (not)']);
  assert.deepEqual(msgs({ spec: { size: 12 } }, s), []);
  assert.deepEqual(msgs({ spec: { set: ['a', 'b', 'a'] } }, s), ['spec.set[2]: Duplicate value: "a"']);
  assert.deepEqual(msgs({ spec: { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] } }, s), ['spec.ports[1]: Duplicate value: {"name":"a"}']);
});

test('defaults: absent fields, nested defaults, nulls', () => {
  const s: Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        default: {},
        properties: {
          replicas: { type: 'integer', default: 1 },
          mode: { type: 'string', default: 'fast' },
          note: { type: 'string' },
          opt: { type: 'string', nullable: true, default: 'x' },
          items: { type: 'array', items: { type: 'object', properties: { weight: { type: 'integer', default: 5 } } } },
          byName: { type: 'object', additionalProperties: { type: 'object', properties: { on: { type: 'boolean', default: true } } } },
        },
      },
    },
  };
  const a: any = {};
  applyDefaults(a, s);
  assert.deepEqual(a, { spec: { replicas: 1, mode: 'fast', opt: 'x' } });
  const b: any = { spec: { replicas: 3, mode: null, note: null, opt: null, items: [{}, { weight: 1 }], byName: { x: {} } } };
  applyDefaults(b, s);
  assert.deepEqual(b, { spec: { replicas: 3, mode: 'fast', opt: null, items: [{ weight: 5 }, { weight: 1 }], byName: { x: { on: true } } } });
});

test('pruning drops unknown fields and reports their paths', () => {
  const s: Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          a: { type: 'string' },
          list: { type: 'array', items: { type: 'object', properties: { x: { type: 'integer' } } } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { k: { type: 'string' } } } } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: {} } } },
        },
      },
    },
  };
  const obj: any = {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'n', bogus: 1 },
    spec: {
      a: 's',
      b: 1,
      list: [{ x: 1, y: 2 }],
      free: { anything: 1, known: { k: 'v', drop: true } },
      labels: { any: 'thing' },
      tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { z: 1 }, extra: 1 },
    },
    status: { s: 1 },
  };
  const dropped = pruneUnknown(obj, s, { isResourceRoot: true });
  assert.deepEqual(dropped.sort(), ['metadata.bogus', 'spec.b', 'spec.free.known.drop', 'spec.list[0].y', 'spec.tmpl.extra', 'spec.tmpl.spec.z', 'status'].sort());
  assert.deepEqual(obj, {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'n' },
    spec: { a: 's', list: [{ x: 1 }], free: { anything: 1, known: { k: 'v' } }, labels: { any: 'thing' }, tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } },
  });
});
