import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goValueString, unstructuredConvertError } from './unstructured-convert.js';
import { builtinStrategies } from '../registry/all.js';

const strategy = (group: string, resource: string) => builtinStrategies.find((s) => s.info.group === group && s.info.resource === resource)!;
const configmaps = strategy('', 'configmaps');
const deployments = strategy('apps', 'deployments');
const pods = strategy('', 'pods');
const services = strategy('', 'services');

const podWith = (spec: Record<string, unknown>) => ({ metadata: { name: 'keelson-p' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

test('a well-typed object converts (null fits anything; quantities, int-or-strings and times decode themselves)', () => {
  assert.equal(unstructuredConvertError(configmaps, { metadata: { name: 'c', creationTimestamp: null }, data: { a: 'b' }, binaryData: { b: 'AAE=' } }), undefined);
  assert.equal(unstructuredConvertError(deployments, { spec: { replicas: 3, paused: null, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } }), undefined);
  assert.equal(unstructuredConvertError(pods, podWith({ activeDeadlineSeconds: 30, containers: [{ name: 'c', resources: { limits: { cpu: 1 } } }] })), undefined);
  // A whole number fits a float field; a float without a fraction fits an integer one.
  assert.equal(unstructuredConvertError(deployments, { spec: { replicas: 2.0 } }), undefined);
});

test("a value of the wrong type, in the unstructured converter's words", () => {
  const cases: [unknown, string][] = [
    [{ data: { a: 5 } }, 'cannot convert int64 to string'],
    [{ data: { a: 1.5 } }, 'unrecognized type: string'],
    [{ data: { a: true } }, 'unrecognized type: string'],
    [{ data: { a: { b: 'c' } } }, 'unrecognized type: string'],
    [{ data: 5 }, 'cannot restore map from int64'],
    [{ data: ['a'] }, 'cannot restore map from slice'],
    [{ metadata: 'x' }, 'cannot restore struct from: string'],
    [{ metadata: { finalizers: 'a' } }, 'cannot restore slice from string'],
    [{ metadata: { finalizers: [{ a: 1 }] } }, 'unrecognized type: string'],
    [{ immutable: 'yes' }, 'unrecognized type: bool'],
  ];
  for (const [obj, want] of cases) assert.equal(unstructuredConvertError(configmaps, obj as any), want, JSON.stringify(obj));
  assert.equal(unstructuredConvertError(deployments, { spec: { replicas: 'x' } }), 'unrecognized type: int32');
  assert.equal(unstructuredConvertError(deployments, { spec: { replicas: 1.5 } }), 'cannot convert float64 to int32');
  assert.equal(unstructuredConvertError(deployments, { spec: { template: [] } }), 'cannot restore struct from: slice');
  assert.equal(unstructuredConvertError(pods, podWith({ activeDeadlineSeconds: '30' })), 'unrecognized type: int64');
  assert.equal(unstructuredConvertError(pods, podWith({ containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] })), 'unrecognized type: int32');
  assert.equal(unstructuredConvertError(services, { spec: { ports: [{ port: 80, targetPort: 'http' }], sessionAffinityConfig: { clientIP: { timeoutSeconds: true } } } }), 'unrecognized type: int32');
});

test('the patch as Go prints a decoded JSON value with %+v', () => {
  assert.equal(goValueString({ data: { b: 5, a: 'x y' } }), 'map[data:map[a:x y b:5]]');
  assert.equal(goValueString({ spec: { containers: [{ name: 'c' }, { name: 'd', $patch: 'delete' }] } }), 'map[spec:map[containers:[map[name:c] map[$patch:delete name:d]]]]');
  assert.equal(goValueString({ a: null, b: true, c: 1.5, d: [], e: {} }), 'map[a:<nil> b:true c:1.5 d:[] e:map[]]');
  assert.equal(goValueString({ big: 1234567.5, small: 0.00001 }), 'map[big:1.2345675e+06 small:1e-05]');
});
