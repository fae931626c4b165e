import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isConfigMapKey, isValidPortName, isIPv6, isValidIP, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate, deepEqual } from './object-meta.js';
import { validateAnnotations, formatLabelSelector, labelSelectorMatches, validateLabelSelector } from './labels.js';
import { fieldErrorString } from '../field-errors.js';

test('DNS names', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)).slice(0, 1), ['must be no more than 63 characters']);
  assert.equal(isDNS1123Label('a.b').length, 1);
  assert.deepEqual(isDNS1123Subdomain('a.example.com'), []);
  assert.equal(isDNS1123Subdomain('-a').length, 1);
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
});

test('qualified names and label values', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('x/'), ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_x'), []);
  assert.equal(isValidLabelValue('-x').length, 1);
});

test('config keys, port names, IPs', () => {
  assert.deepEqual(isConfigMapKey('.env'), []);
  assert.deepEqual(isConfigMapKey('..data'), ["must not start with '..'"]);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.ok(isIPv6('2001:db8::1'));
  assert.ok(isIPv6('::ffff:10.0.0.1'));
  assert.ok(!isIPv6('1:2:3'));
  assert.deepEqual(isValidIP('10.0.0.256'), ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
});

test('object meta', () => {
  const opts = { namespaced: true, nameFn: nameIsDNSSubdomain };
  assert.deepEqual(validateObjectMeta({ name: 'x' }, opts).map(fieldErrorString), ['metadata.namespace: Required value']);
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'Bad' }, opts).length, 1);
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'd', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p' }] }, opts).map(fieldErrorString), ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty']);
  const old = { name: 'x', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, uid: 'u2' }, old, opts).map(fieldErrorString), ['metadata.uid: Invalid value: "u2": field is immutable']);
  assert.deepEqual(validateAnnotations({ a: 'x'.repeat(256 * 1024) }, 'metadata.annotations').map(fieldErrorString), ['metadata.annotations: Too long: must have at most 262144 bytes']);
});

test('label selectors', () => {
  const sel = { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }, { key: 'aa', operator: 'Exists' }] };
  assert.equal(formatLabelSelector(sel), 'a=1,aa,b=2,c notin (x,y),!d');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.ok(labelSelectorMatches(sel, { a: '1', b: '2', aa: '' }));
  assert.ok(!labelSelectorMatches(sel, { a: '1', b: '2', aa: '', c: 'x' }));
  assert.ok(labelSelectorMatches({}, { any: 'thing' }));
  assert.deepEqual(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Maybe' }] }, 'spec.selector').map(fieldErrorString), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.selector.matchExpressions[1].operator: Unsupported value: "Maybe": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
  ]);
  assert.equal(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', 'not ok'] }] }, 's').map(fieldErrorString)[0].split(':')[0], 's.matchExpressions[0].values[1]');
  assert.ok(deepEqual({ a: [1, { b: undefined }] }, { a: [1, {}] }));
});
