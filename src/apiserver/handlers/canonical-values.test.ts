import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidValue, canonicalQuantityValue, canonicalizeValues } from './canonical-values.js';
import { builtinStrategies } from '../registry/all.js';

const strategy = (group: string, resource: string) => builtinStrategies.find((s) => s.info.group === group && s.info.resource === resource)!;
const canon = (group: string, resource: string, obj: unknown) => canonicalizeValues(strategy(group, resource), obj as any) as any;

test('one value: strings and JSON numbers, surrounding spaces ignored, null kept', () => {
  const cases: [unknown, unknown][] = [
    [0.5, '500m'],
    ['0.5', '500m'],
    [1, '1'],
    ['1000m', '1'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['2048Mi', '2Gi'],
    [2000000000, '2G'],
    ['2e9', '2e9'],
    ['1e3', '1e3'],
    ['1000', '1k'],
    [' 64Mi ', '64Mi'],
    ['0.1m', '100u'],
    ['100Mi', '100Mi'],
    ['1Ki', '1Ki'],
    ['0', '0'],
    [null, null],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantityValue(input), want, String(input));
  for (const bad of ['abc', '1.2.3', '', true, { a: 1 }, [1]]) assert.throws(() => canonicalQuantityValue(bad), InvalidValue, JSON.stringify(bad));
  assert.throws(() => canonicalQuantityValue('x'), { message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" });
  assert.throws(() => canonicalQuantityValue('1mi'), { message: "unable to parse quantity's suffix" });
});

test("a pod's quantities: containers, init and ephemeral containers, overhead, emptyDir, status", () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'keelson-q', labels: { cpu: '0.5' } },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: 0.5, memory: '1024Mi' }, limits: { cpu: '1000m', 'example.com/gpu': '1' } } }],
      initContainers: [{ name: 'i', image: 'busybox', resources: { limits: { memory: '2048Ki' } } }],
      ephemeralContainers: [{ name: 'e', image: 'busybox', resources: { requests: { cpu: '0.25' } } }],
      overhead: { cpu: '0.1' },
      volumes: [{ name: 'v', emptyDir: { sizeLimit: '1000Mi' } }, { name: 'w', configMap: { name: 'x' } }],
    },
    status: { containerStatuses: [{ name: 'c', allocatedResources: { cpu: '500m', memory: '1048576Ki' } }] },
  };
  const out = canon('', 'pods', pod);
  assert.deepEqual(out.spec.containers[0].resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', 'example.com/gpu': '1' } });
  assert.deepEqual(out.spec.initContainers[0].resources.limits, { memory: '2Mi' });
  assert.deepEqual(out.spec.ephemeralContainers[0].resources.requests, { cpu: '250m' });
  assert.deepEqual(out.spec.overhead, { cpu: '100m' });
  assert.equal(out.spec.volumes[0].emptyDir.sizeLimit, '1000Mi');
  assert.equal(out.status.containerStatuses[0].allocatedResources.memory, '1Gi');
  // Other fields are untouched (a label that looks like a quantity stays as written), and the
  // input is not modified: only the objects on a changed path are copies.
  assert.equal(out.metadata, pod.metadata);
  assert.equal(out.spec.volumes[1], pod.spec.volumes[1]);
  assert.equal(pod.spec.containers[0].resources.requests.cpu, 0.5);
  assert.equal(pod.spec.overhead.cpu, '0.1');
});

test('an object already canonical (or without quantities) is returned as is', () => {
  const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '500m' } } }] } };
  assert.equal(canon('', 'pods', pod), pod);
  const cm = { metadata: { name: 'c' }, data: { a: '0.5' } };
  assert.equal(canon('', 'configmaps', cm), cm);
});

test('LimitRange, ResourceQuota, PVC, PV, Node, HPA and a Deployment template', () => {
  const lr = canon('', 'limitranges', { spec: { limits: [{ type: 'Container', default: { cpu: '0.5' }, max: { memory: '1024Mi' }, maxLimitRequestRatio: { cpu: '2000m' } }] } });
  assert.deepEqual(lr.spec.limits[0], { type: 'Container', default: { cpu: '500m' }, max: { memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } });
  const rq = canon('', 'resourcequotas', { spec: { hard: { 'requests.cpu': '1000m', pods: 10 } }, status: { hard: { 'requests.cpu': '1000m' }, used: { 'requests.cpu': '0.5' } } });
  assert.deepEqual(rq.spec.hard, { 'requests.cpu': '1', pods: '10' });
  assert.deepEqual(rq.status, { hard: { 'requests.cpu': '1' }, used: { 'requests.cpu': '500m' } });
  const pvc = canon('', 'persistentvolumeclaims', { spec: { resources: { requests: { storage: '1024Mi' } } }, status: { capacity: { storage: '1024Mi' }, allocatedResources: { storage: '2048Mi' } } });
  assert.equal(pvc.spec.resources.requests.storage, '1Gi');
  assert.equal(pvc.status.capacity.storage, '1Gi');
  assert.equal(pvc.status.allocatedResources.storage, '2Gi');
  assert.equal(canon('', 'persistentvolumes', { spec: { capacity: { storage: '5000M' } } }).spec.capacity.storage, '5G');
  const node = canon('', 'nodes', { status: { capacity: { cpu: '2', memory: '8048576Ki', pods: '110' }, allocatable: { cpu: '1900m', 'ephemeral-storage': '100000000000' } } });
  assert.deepEqual(node.status.capacity, { cpu: '2', memory: '8048576Ki', pods: '110' });
  assert.deepEqual(node.status.allocatable, { cpu: '1900m', 'ephemeral-storage': '100G' });
  const hpa = canon('autoscaling', 'horizontalpodautoscalers', {
    apiVersion: 'autoscaling/v2',
    spec: { metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1024Mi' } } }] },
    status: { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '0.1' } } }] },
  });
  assert.equal(hpa.spec.metrics[0].resource.target.averageValue, '1Gi');
  assert.equal(hpa.status.currentMetrics[0].resource.current.averageValue, '100m');
  const d = canon('apps', 'deployments', { spec: { template: { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 2.5 } } }] } } } });
  assert.equal(d.spec.template.spec.containers[0].resources.limits.cpu, '2500m');
});

test('a malformed quantity anywhere is reported with the parser message', () => {
  assert.throws(() => canon('', 'pods', { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 'lots' } } }] } }), InvalidValue);
  assert.throws(() => canon('', 'resourcequotas', { spec: { hard: { pods: true } } }), InvalidValue);
  assert.throws(() => canon('', 'nodes', { status: { capacity: { cpu: '1 core' } } }), InvalidValue);
});

test('times: UTC at whole seconds (conditions, events, metadata); a malformed one is the decoder error', () => {
  const ev = canon('', 'events', {
    metadata: { name: 'e', creationTimestamp: '2026-11-23T11:20:56Z' },
    firstTimestamp: '2026-11-23T11:20:56.365Z',
    lastTimestamp: '2026-11-23T12:20:57+01:00',
    eventTime: '2026-11-23T11:20:56.365000Z',
  });
  assert.equal(ev.firstTimestamp, '2026-11-23T11:20:56Z');
  assert.equal(ev.lastTimestamp, '2026-11-23T11:20:57Z');
  // MicroTime keeps its microseconds.
  assert.equal(ev.eventTime, '2026-11-23T11:20:56.365000Z');
  const pod = canon('', 'pods', { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-02T03:04:05.678Z', lastProbeTime: null }] } });
  assert.deepEqual(pod.status.conditions[0], { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z', lastProbeTime: null });
  assert.throws(() => canon('', 'events', { firstTimestamp: 'yesterday' }), {
    name: 'Error',
    message: 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
  });
  assert.throws(() => canon('', 'events', { lastTimestamp: 1700000000 }), { message: 'json: cannot unmarshal number into Go value of type string' });
});
