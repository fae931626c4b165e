// The node's admission of a new pod: resources against allocatable minus admitted pods (kube's
// InsufficientResourceError text), pod count, node affinity, host ports; the first failure wins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admitPod, rejectedStatus } from './admission.js';

const alloc = { cpu: '2', memory: '4Gi', 'ephemeral-storage': '10Gi', pods: '3', 'example.com/gpu': '1' };
const node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', disk: 'ssd' } } };
const pod = (name: string, requests: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'default', uid: name },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', resources: { requests } }], ...extra },
});

test('a pod that fits is admitted', () => {
  assert.deepEqual(admitPod(pod('a', { cpu: '1', memory: '1Gi' }), alloc, node, [pod('b', { cpu: '500m' })]), { admit: true });
});

test('cpu, memory and extended resources past what is left are OutOf<resource>, with kube\'s numbers', () => {
  assert.deepEqual(admitPod(pod('a', { cpu: '1600m' }), alloc, node, [pod('b', { cpu: '500m' })]), {
    admit: false,
    reason: 'OutOfcpu',
    message: "Node didn't have enough resource: cpu, requested: 1600, used: 500, capacity: 2000",
  });
  const mem = admitPod(pod('a', { memory: '5Gi' }), alloc, node, []);
  assert.equal(mem.admit || mem.reason, 'OutOfmemory');
  assert.equal(mem.admit || mem.message, `Node didn't have enough resource: memory, requested: ${5 * 2 ** 30}, used: 0, capacity: ${4 * 2 ** 30}`);
  const gpu = admitPod(pod('a', { 'example.com/gpu': '2' }), alloc, node, []);
  assert.equal(gpu.admit || gpu.reason, 'OutOfexample.com/gpu');
  // An extended resource the node does not have at all is left to the cluster.
  assert.deepEqual(admitPod(pod('a', { 'other.io/fpga': '1' }), alloc, node, []), { admit: true });
});

test('more pods than allocatable is OutOfpods, checked first', () => {
  const r = admitPod(pod('d', { cpu: '100' }), alloc, node, [pod('a'), pod('b'), pod('c')]);
  assert.deepEqual(r, { admit: false, reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3" });
});

test('init containers count as the scheduler counts them (the larger of init and the sum)', () => {
  const p = pod('a', { cpu: '500m' }, { initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '3' } } }] });
  assert.equal((admitPod(p, alloc, node, []) as { reason: string }).reason, 'OutOfcpu');
});

test('nodeSelector and required node affinity must match the node\'s labels', () => {
  assert.deepEqual(admitPod(pod('a', {}, { nodeSelector: { disk: 'ssd' } }), alloc, node, []), { admit: true });
  assert.deepEqual(admitPod(pod('a', {}, { nodeSelector: { disk: 'hdd' } }), alloc, node, []), {
    admit: false,
    reason: 'NodeAffinity',
    message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
  });
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }] } } };
  assert.equal((admitPod(pod('a', {}, { affinity }), alloc, node, []) as { reason: string }).reason, 'NodeAffinity');
});

test('a host port taken by an admitted pod is NodePorts', () => {
  const withPort = (name: string, hostPort: number, hostIP?: string) => ({ ...pod(name), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, hostIP }] }] } });
  assert.deepEqual(admitPod(withPort('a', 8080), alloc, node, [withPort('b', 8080)]), {
    admit: false,
    reason: 'NodePorts',
    message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
  });
  assert.deepEqual(admitPod(withPort('a', 8081), alloc, node, [withPort('b', 8080)]), { admit: true });
  assert.deepEqual(admitPod(withPort('a', 8080, '127.0.0.2'), alloc, node, [withPort('b', 8080, '127.0.0.1')]), { admit: true });
});

test('a rejected pod is Failed with "Pod was rejected: <message>"', () => {
  const s = rejectedStatus({ status: { phase: 'Pending', qosClass: 'BestEffort' } }, { reason: 'OutOfcpu', message: 'm' });
  assert.deepEqual(s, { phase: 'Failed', qosClass: 'BestEffort', reason: 'OutOfcpu', message: 'Pod was rejected: m' });
});
