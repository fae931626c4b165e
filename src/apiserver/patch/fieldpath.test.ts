import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareObjects, fieldSetFromFieldsV1, fieldSetToFieldsV1, pathString, toFieldSet } from './fieldpath.js';
import { mergeInfoFor } from './merge-keys.js';

const deploySchema = mergeInfoFor('apps/v1', 'Deployment');

test('FieldsV1 round-trips a kube-apiserver managedFields entry', () => {
  const v1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } } },
          },
        },
      },
    },
  };
  const s = fieldSetFromFieldsV1(v1);
  assert.ok(s.has(['f:spec', 'f:replicas']));
  assert.ok(s.has(['f:metadata', 'f:labels']));
  assert.ok(!s.has(['f:metadata']));
  assert.ok(s.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}']));
  assert.deepEqual(JSON.stringify(fieldSetToFieldsV1(s)), JSON.stringify(v1));
});

test('set algebra', () => {
  const a = fieldSetFromFieldsV1({ 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} } });
  const b = fieldSetFromFieldsV1({ 'f:b': { 'f:c': {} }, 'f:e': {} });
  assert.deepEqual(fieldSetToFieldsV1(a.union(b)), { 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} }, 'f:e': {} });
  assert.deepEqual(fieldSetToFieldsV1(a.difference(b)), { 'f:a': {}, 'f:b': { 'f:d': {} } });
  assert.deepEqual(fieldSetToFieldsV1(a.intersection(b)), { 'f:b': { 'f:c': {} } });
  assert.ok(a.intersection(fieldSetFromFieldsV1({ 'f:z': {} })).isEmpty());
});

test('toFieldSet of an applied Deployment: list-map keys, atomic selector, label entries', () => {
  const applied = {
    metadata: { labels: { app: 'x' }, finalizers: ['example.com/f'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'x' } },
      template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] }] } },
    },
  };
  assert.deepEqual(fieldSetToFieldsV1(toFieldSet(applied, deploySchema)), {
    'f:metadata': { 'f:finalizers': { 'v:"example.com/f"': {} }, 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"c"}': {
              '.': {},
              'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:image': {},
              'f:name': {},
              'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
            },
          },
        },
      },
    },
  });
});

test('compare finds added, modified and removed paths', () => {
  const a = { spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'a' }, { name: 'd' }] } } } };
  const b = { spec: { replicas: 2, paused: true, template: { spec: { containers: [{ name: 'c', image: 'b' }] } } } };
  const c = compareObjects(a, b, deploySchema);
  assert.deepEqual(fieldSetToFieldsV1(c.modified), { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { 'f:image': {} } } } } } });
  assert.deepEqual(fieldSetToFieldsV1(c.added), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(fieldSetToFieldsV1(c.removed), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"d"}': { '.': {}, 'f:name': {} } } } } } });
});

test('paths print as Kubernetes prints them in conflicts', () => {
  assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']), '.spec.containers[name="c"].image');
  assert.equal(pathString(['f:spec', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.spec.ports[containerPort=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
});
