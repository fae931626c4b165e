import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy } from './strategy.js';
import { builtinStrategies } from '../../all.js';
import { create, update, row } from '../../testing/helpers.js';

const cap = { metadata: { name: 'keelson-cap' }, storageClassName: 'local-path', nodeTopology: { matchLabels: { 'kubernetes.io/hostname': 'n1' } }, capacity: '1536Mi', maximumVolumeSize: '1Gi' };

test('csistoragecapacities are served in storage.k8s.io/v1, namespaced, with every verb', () => {
  const s = builtinStrategies.find((x) => x.info.group === 'storage.k8s.io' && x.info.resource === 'csistoragecapacities');
  assert.ok(s);
  assert.equal(s.info.kind, 'CSIStorageCapacity');
  assert.equal(s.info.namespaced, true);
  assert.deepEqual(s.info.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
});

test('csistoragecapacity validation as ValidateCSIStorageCapacity', () => {
  assert.deepEqual(create(strategy, cap).errors, []);
  assert.deepEqual(create(strategy, { metadata: { name: 'x' } }).errors, [
    `storageClassName: Invalid value: "": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(create(strategy, { ...cap, capacity: '-1', nodeTopology: { matchExpressions: [{ key: 'zone', operator: 'In' }] } }).errors, [
    "nodeTopology.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'capacity: Invalid value: "-1": must be greater than or equal to 0',
  ]);
});

test('csistoragecapacity: nodeTopology and storageClassName are immutable, capacity is not', () => {
  const old = { ...create(strategy, cap).obj, metadata: { name: 'keelson-cap', namespace: 'default', resourceVersion: '5' } };
  assert.deepEqual(update(strategy, { ...old, capacity: '2Gi' }, old).errors, []);
  assert.deepEqual(update(strategy, { ...old, storageClassName: 'other' }, old).errors, ['storageClassName: Invalid value: "other": field is immutable']);
  assert.equal(update(strategy, { ...old, nodeTopology: {} }, old).errors.length, 1);
});

test('csistoragecapacity table: NAME STORAGECLASSNAME CAPACITY, quantities canonical', () => {
  assert.deepEqual(row(strategy, create(strategy, cap).obj), { Name: 'keelson-cap', StorageClassName: 'local-path', Capacity: '1536Mi' });
  assert.deepEqual(row(strategy, create(strategy, { ...cap, capacity: '1.5Gi' }).obj), { Name: 'keelson-cap', StorageClassName: 'local-path', Capacity: '1536Mi' });
  assert.deepEqual(row(strategy, create(strategy, { ...cap, capacity: undefined }).obj), { Name: 'keelson-cap', StorageClassName: 'local-path', Capacity: '<unset>' });
});
