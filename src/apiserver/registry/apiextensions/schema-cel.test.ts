import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../api/field-errors.js';
import type { Schema } from '../../openapi/types.js';
import { validateCelRules } from './schema-cel.js';

const errors = (schema: Schema, obj: unknown, old?: unknown, warnings?: string[]) => validateCelRules(schema, obj, { old, warnings }).map(fieldErrorString);

const root = (spec: Schema): Schema => ({ type: 'object', properties: { spec } });

const replicas = root({
  type: 'object',
  properties: { replicas: { type: 'integer' }, minReplicas: { type: 'integer' } },
  'x-kubernetes-validations': [{ rule: 'self.minReplicas <= self.replicas' }],
});

test('a failed rule is an Invalid error at its node with the schema type as value', () => {
  assert.deepEqual(errors(replicas, { spec: { replicas: 3, minReplicas: 1 } }), []);
  assert.deepEqual(errors(replicas, { spec: { replicas: 1, minReplicas: 3 } }), ['spec: Invalid value: "object": failed rule: self.minReplicas <= self.replicas']);
  // Rules on absent or null values do not run.
  assert.deepEqual(errors(replicas, {}), []);
  assert.deepEqual(errors(replicas, { spec: null }), []);
});

test('message, messageExpression, reason and fieldPath', () => {
  const s = (rule: Record<string, unknown>) => root({ type: 'object', properties: { a: { type: 'integer' }, m: { type: 'object', additionalProperties: { type: 'string' } } }, 'x-kubernetes-validations': [{ rule: 'self.a > 5', ...rule }] });
  const obj = { spec: { a: 1, m: { k: 'v' } } };
  assert.deepEqual(errors(s({ message: ' a must be over 5 ' }), obj), ['spec: Invalid value: "object": a must be over 5']);
  assert.deepEqual(errors(s({ messageExpression: '"a is " + string(self.a) + ", want more than 5"' }), obj), ['spec: Invalid value: "object": a is 1, want more than 5']);
  // A messageExpression that fails or is empty falls back to the message or the default.
  assert.deepEqual(errors(s({ messageExpression: 'self.nope', message: 'static' }), obj), ['spec: Invalid value: "object": static']);
  assert.deepEqual(errors(s({ messageExpression: '"  "' }), obj), ['spec: Invalid value: "object": failed rule: self.a > 5']);
  assert.deepEqual(errors(s({ reason: 'FieldValueForbidden' }), obj), ['spec: Forbidden: failed rule: self.a > 5']);
  assert.deepEqual(errors(s({ reason: 'FieldValueRequired', message: 'need a' }), obj), ['spec: Required value: need a']);
  assert.deepEqual(errors(s({ reason: 'FieldValueDuplicate' }), obj), ['spec: Duplicate value: "object"']);
  assert.deepEqual(errors(s({ fieldPath: '.a' }), obj), ['spec.a: Invalid value: "object": failed rule: self.a > 5']);
  assert.deepEqual(errors(s({ fieldPath: ".m['k']" }), obj), ['spec.m[k]: Invalid value: "object": failed rule: self.a > 5']);
});

test('transition rules: skipped on create and without an old value, run on update', () => {
  const s = root({ type: 'object', properties: { name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable' }] }, size: { type: 'integer' } } });
  assert.deepEqual(errors(s, { spec: { name: 'a' } }), []);
  assert.deepEqual(errors(s, { spec: { name: 'a', size: 2 } }, { spec: { name: 'a', size: 1 } }), []);
  assert.deepEqual(errors(s, { spec: { name: 'b' } }, { spec: { name: 'a' } }), ['spec.name: Invalid value: "string": Value is immutable']);
  assert.deepEqual(errors(s, { spec: { name: 'b' } }, { spec: {} }), []);
  // optionalOldSelf: the rule runs on create too, with oldSelf an optional.
  const grow = root({
    type: 'object',
    properties: { size: { type: 'integer', 'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() || self >= oldSelf.value()', optionalOldSelf: true, message: 'may only grow' }, { rule: 'oldSelf.orValue(0) <= self', optionalOldSelf: true }] } },
  });
  assert.deepEqual(errors(grow, { spec: { size: 1 } }), []);
  assert.deepEqual(errors(grow, { spec: { size: -1 } }), ['spec.size: Invalid value: "integer": failed rule: oldSelf.orValue(0) <= self']);
  assert.deepEqual(errors(grow, { spec: { size: 1 } }, { spec: { size: 2 } }), ['spec.size: Invalid value: "integer": may only grow', 'spec.size: Invalid value: "integer": failed rule: oldSelf.orValue(0) <= self']);
});

test('list-type map items correlate by key; other list items have no old value', () => {
  const item = (rule: string): Schema => ({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, v: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule }] });
  const s = root({ type: 'object', properties: { byKey: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: item('self.v >= oldSelf.v') } } });
  assert.deepEqual(errors(s, { spec: { byKey: [{ name: 'b', v: 1 }, { name: 'a', v: 5 }] } }, { spec: { byKey: [{ name: 'a', v: 4 }, { name: 'b', v: 2 }] } }), ['spec.byKey[0]: Invalid value: "object": failed rule: self.v >= oldSelf.v']);
  assert.deepEqual(errors(s, { spec: { byKey: [{ name: 'new', v: 0 }] } }, { spec: { byKey: [] } }), []);
});

test('CEL types from the schema: int-or-string, timestamps, durations, bytes, maps, escaped names, embedded resources', () => {
  const s = root({
    type: 'object',
    properties: {
      port: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: 'type(self) == string ? self.endsWith("%") : self < 100' }] },
      at: { type: 'string', format: 'date-time', 'x-kubernetes-validations': [{ rule: 'self > timestamp("2020-01-01T00:00:00Z")' }] },
      every: { type: 'string', format: 'duration', 'x-kubernetes-validations': [{ rule: 'self >= duration("1m")' }] },
      data: { type: 'string', format: 'byte', 'x-kubernetes-validations': [{ rule: 'size(self) == 3' }] },
      labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(k, k.startsWith("x-") && self[k] != "")' }] },
      'max-size': { type: 'integer' },
      namespace: { type: 'string' },
      template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'self.kind == "Pod" && self.metadata.name.startsWith("p")' }] },
    },
    'x-kubernetes-validations': [{ rule: 'self.max__dash__size < 10 && self.__namespace__ != "x"' }, { rule: 'has(self.labels) && !has(self.every)' }],
  });
  const ok = { spec: { port: '50%', at: '2024-05-01T00:00:00Z', data: 'YWJj', labels: { 'x-a': '1' }, 'max-size': 3, namespace: 'y', template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', labels: { a: 'b' } } } } };
  assert.deepEqual(errors(s, ok), []);
  const bad = { spec: { port: 200, at: '2019-05-01T00:00:00Z', every: '30s', data: 'YQ==', labels: { a: '' }, 'max-size': 30, namespace: 'x', template: { apiVersion: 'v1', kind: 'Job', metadata: { name: 'j' } } } };
  assert.deepEqual(errors(s, bad), [
    'spec: Invalid value: "object": failed rule: self.max__dash__size < 10 && self.__namespace__ != "x"',
    'spec: Invalid value: "object": failed rule: has(self.labels) && !has(self.every)',
    'spec.port: Invalid value: "": failed rule: type(self) == string ? self.endsWith("%") : self < 100',
    'spec.at: Invalid value: "string": failed rule: self > timestamp("2020-01-01T00:00:00Z")',
    'spec.every: Invalid value: "string": failed rule: self >= duration("1m")',
    'spec.data: Invalid value: "string": failed rule: size(self) == 3',
    'spec.labels: Invalid value: "object": failed rule: self.all(k, k.startsWith("x-") && self[k] != "")',
    'spec.template: Invalid value: "object": failed rule: self.kind == "Pod" && self.metadata.name.startsWith("p")',
  ]);
});

test('the resource root sees apiVersion, kind and metadata.name/generateName only', () => {
  const s: Schema = { type: 'object', properties: { spec: { type: 'object' } }, 'x-kubernetes-validations': [{ rule: 'self.metadata.name.size() < 5 && self.kind == "Foo"' }] };
  assert.deepEqual(errors(s, { apiVersion: 'x/v1', kind: 'Foo', metadata: { name: 'abc', namespace: 'default' } }), []);
  assert.deepEqual(errors(s, { apiVersion: 'x/v1', kind: 'Foo', metadata: { name: 'abcdef' } }), [': Invalid value: "object": failed rule: self.metadata.name.size() < 5 && self.kind == "Foo"']);
  // Other metadata is not declared (kube refuses such a rule in the CRD already).
  const ns: Schema = { type: 'object', 'x-kubernetes-validations': [{ rule: 'has(self.metadata.namespace)' }] };
  assert.deepEqual(errors(ns, { metadata: { name: 'a' } }), [
    `: Invalid value: "object": rule compile error: compilation failed: ERROR: <input>:1:18: undefined field 'namespace'\n | has(self.metadata.namespace)\n | .................^`,
  ]);
});

test('runtime errors name the rule', () => {
  const s = root({ type: 'object', properties: { a: { type: 'integer' }, l: { type: 'array', items: { type: 'integer' } } }, 'x-kubernetes-validations': [{ rule: 'self.a == 1' }, { rule: 'self.l[3] == 1' }, { rule: '1 / (self.a - self.a) == 1', message: 'div' }] });
  assert.deepEqual(errors(s, { spec: { l: [1] , a: 2} }), [
    'spec: Invalid value: "object": failed rule: self.a == 1',
    'spec: Invalid value: "object": index out of bounds: 3 evaluating rule: self.l[3] == 1',
    'spec: Invalid value: "object": division by zero evaluating rule: div',
  ]);
  assert.deepEqual(errors(s, { spec: { l: [1, 2, 3, 1] } }).slice(0, 1), ['spec: Invalid value: "object": no such key: a evaluating rule: self.a == 1']);
});

test('cost: a runaway rule is stopped and no further rules run; the total budget is shared', () => {
  const s = root({
    type: 'object',
    properties: { l: { type: 'array', items: { type: 'integer' } } },
    'x-kubernetes-validations': [{ rule: 'self.l.all(x, self.l.all(y, self.l.all(z, x + y + z >= 0)))' }, { rule: 'false' }],
  });
  const l = Array.from({ length: 200 }, (_, i) => i);
  assert.deepEqual(errors(s, { spec: { l } }), [
    "spec: Invalid value: \"object\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.l.all(x, self.l.all(y, self.l.all(z, x + y + z >= 0)))",
  ]);
  const cheap = root({ type: 'object', properties: { l: { type: 'array', items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0' }] } } } });
  const out = validateCelRules(cheap, { spec: { l } }, { budget: 500 }).map(fieldErrorString);
  assert.equal(out.length, 1);
  assert.match(out[0], /^spec\.l\[\d+\]: Invalid value: "integer": validation failed due to running out of cost budget, no further validation rules will be run$/);
});

test('ratcheting: a rule failing on a value that did not change is a warning', () => {
  const s = root({ type: 'object', properties: { a: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10' }] }, b: { type: 'integer' } } });
  const warnings: string[] = [];
  assert.deepEqual(errors(s, { spec: { a: 20, b: 2 } }, { spec: { a: 20, b: 1 } }, warnings), []);
  assert.deepEqual(warnings, ['spec.a: Invalid value: "integer": failed rule: self < 10']);
  assert.deepEqual(errors(s, { spec: { a: 21 } }, { spec: { a: 20 } }), ['spec.a: Invalid value: "integer": failed rule: self < 10']);
});
