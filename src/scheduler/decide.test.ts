import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from './decide.js';
import { node, pod, testCluster } from './testing.js';

const seeds = () => [node('n4a', '4'), node('n4b', '4'), node('n12', '12'), node('n16', '16')];

test("the seeds' example: a 10-CPU pod on nodes of 4, 4, 12 and 16 CPUs goes to the 16", () => {
  const { fw, cache } = testCluster(seeds());
  const d = decide(fw, pod('big', { cpu: '10' }), cache.nodeInfos());
  assert.equal(d.node, 'n16');
  assert.deepEqual([...d.rejected.keys()].sort(), ['n4a', 'n4b']);
  assert.deepEqual(d.rejected.get('n4a')!.reasons, ['Insufficient cpu']);
  assert.equal(d.rejected.get('n4a')!.plugin, 'NodeResourcesFit');
  const s16 = d.scores.find((s) => s.name === 'n16')!;
  const s12 = d.scores.find((s) => s.name === 'n12')!;
  assert.ok(s16.byPlugin.NodeResourcesFit > s12.byPlugin.NodeResourcesFit, 'more room left scores higher');
});

test('a pod nothing fits gets Kubernetes-style reasons', () => {
  const nodes = [...seeds().slice(0, 3), node('n16', '16', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })];
  const { fw, cache } = testCluster(nodes);
  const d = decide(fw, pod('huge', { cpu: '20' }), cache.nodeInfos());
  assert.equal(d.node, undefined);
  assert.equal(fitErrorMessage(d), '0/4 nodes are available: 3 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.');
});

test('taints, tolerations, nodeSelector, cordon', () => {
  const nodes = [node('a', '4', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), node('b', '4', { labels: { disk: 'ssd' } }), node('c', '4', { unschedulable: true })];
  const { fw, cache } = testCluster(nodes);
  assert.equal(decide(fw, pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), cache.nodeInfos()).node, 'b');
  const tol = pod('t', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'a' }, tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] } });
  assert.equal(decide(fw, tol, cache.nodeInfos()).node, 'a');
  const d = decide(fw, pod('x', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'c' } } }), cache.nodeInfos());
  assert.equal(d.node, undefined);
  assert.deepEqual(d.rejected.get('c')!.reasons, ['node(s) were unschedulable']);
});

test('required node affinity with operators, and preferred affinity scoring', () => {
  const nodes = [node('a', '4', { labels: { zone: 'z1', gen: '3' } }), node('b', '4', { labels: { zone: 'z2', gen: '5' } })];
  const { fw, cache } = testCluster(nodes);
  const req = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }] } } };
  assert.equal(decide(fw, pod('p', { spec: { affinity: req } }), cache.nodeInfos()).node, 'b');
  const pref = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } }] } };
  for (let i = 0; i < 5; i++) assert.equal(decide(fw, pod('q', { spec: { affinity: pref } }), cache.nodeInfos()).node, 'a');
});

test('pod anti-affinity spreads replicas; affinity co-locates', () => {
  const nodes = [node('a', '8'), node('b', '8')];
  const { fw, cache } = testCluster(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'a' })]);
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  assert.equal(decide(fw, pod('web-2', { labels: { app: 'web' }, spec: { affinity: anti } }), cache.nodeInfos()).node, 'b');
  const aff = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  assert.equal(decide(fw, pod('cache', { spec: { affinity: aff } }), cache.nodeInfos()).node, 'a');
  // The first pod of a group matching its own affinity term may go anywhere.
  const self = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  assert.ok(decide(fw, pod('db-0', { labels: { app: 'db' }, spec: { affinity: self } }), cache.nodeInfos()).node);
});

test('affinity terms select namespaces by list, by namespaceSelector (namespace labels), {} for all, or the pod\'s own', () => {
  const nodes = [node('a', '8'), node('b', '8'), node('c', '8')];
  const inNs = (name: string, namespace: string, nodeName: string) => pod(name, { namespace, labels: { app: 'web' }, nodeName });
  const namespaces = [{ metadata: { name: 'prod', labels: { env: 'prod' } } }, { metadata: { name: 'dev', labels: { env: 'dev' } } }, { metadata: { name: 'default' } }];
  const { fw, cache } = testCluster(nodes, [inNs('p', 'prod', 'a'), inNs('d', 'dev', 'b')], {}, [], { namespaces });
  const affinity = (term: any) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname', ...term }] } });
  const feasible = (term: any) => decide(fw, pod('x', { spec: { affinity: affinity(term) } }), cache.nodeInfos()).feasible.sort();
  assert.deepEqual(feasible({ namespaceSelector: { matchLabels: { env: 'prod' } } }), ['a']);
  assert.deepEqual(feasible({ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Exists' }] } }), ['a', 'b']);
  assert.deepEqual(feasible({ namespaces: ['dev'] }), ['b']);
  assert.deepEqual(feasible({ namespaces: ['dev'], namespaceSelector: { matchLabels: { env: 'prod' } } }), ['a', 'b'], 'the union of both');
  assert.deepEqual(feasible({ namespaceSelector: {} }), ['a', 'b']);
  // Neither: the pod's own namespace (default), where no web pod runs: the pod matches no one
  // and not its own term (no app=web label), so nothing fits.
  assert.deepEqual(feasible({}), []);
});

test('topology spread with DoNotSchedule keeps the skew within maxSkew', () => {
  const nodes = [node('a', '8', { labels: { zone: 'z1' } }), node('b', '8', { labels: { zone: 'z2' } })];
  const existing = [pod('w1', { labels: { app: 'w' }, nodeName: 'a' }), pod('w2', { labels: { app: 'w' }, nodeName: 'a' })];
  const { fw, cache } = testCluster(nodes, existing);
  const tsc = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }];
  const d = decide(fw, pod('w3', { labels: { app: 'w' }, spec: { topologySpreadConstraints: tsc } }), cache.nodeInfos());
  assert.equal(d.node, 'b');
  assert.deepEqual(d.rejected.get('a')!.reasons, ["node(s) didn't match pod topology spread constraints"]);
});

test('host ports conflict', () => {
  const nodes = [node('a', '4'), node('b', '4')];
  const withPort = (n: string, nodeName?: string) => pod(n, { nodeName, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] } });
  const { fw, cache } = testCluster(nodes, [withPort('p1', 'a')]);
  assert.equal(decide(fw, withPort('p2'), cache.nodeInfos()).node, 'b');
});

test('MostAllocated strategy from a profile packs nodes', () => {
  const nodes = [node('a', '4'), node('b', '16')];
  const profile = { pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }], plugins: { score: { disabled: [{ name: 'NodeResourcesBalancedAllocation' }] } } } as any;
  const { fw, cache } = testCluster(nodes, [], profile);
  assert.equal(decide(fw, pod('p', { cpu: '2' }), cache.nodeInfos()).node, 'a');
});

test('equal nodes are chosen evenly (random tie-break)', () => {
  const { fw, cache } = testCluster([node('a', '100'), node('b', '100'), node('c', '100')]);
  const seen = new Set<string>();
  for (let i = 0; i < 60; i++) seen.add(decide(fw, pod(`p${i}`), cache.nodeInfos()).node!);
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
});

test('preemption evicts the lowest-priority victims and nominates the node', async () => {
  const nodes = [node('a', '4'), node('b', '4')];
  const existing = [pod('low-a', { cpu: '3', priority: 10, nodeName: 'a' }), pod('mid-b', { cpu: '3', priority: 50, nodeName: 'b' })];
  const c = testCluster(nodes, existing);
  const hi = pod('hi', { cpu: '3', priority: 100 });
  const d = decide(c.fw, hi, c.cache.nodeInfos());
  assert.equal(d.node, undefined);
  const r = await c.fw.runPostFilter(d.state, hi, d.rejected);
  assert.equal(r.nominatedNodeName, 'a');
  assert.deepEqual(c.deleted, ['low-a']);
  assert.equal(decide(c.fw, hi, c.cache.nodeInfos()).node, 'a');
  // preemptionPolicy Never is not eligible; no lower-priority pods -> no victims.
  const never = pod('nv', { cpu: '3', priority: 100, spec: { preemptionPolicy: 'Never' } });
  const r2 = await c.fw.runPostFilter(decide(c.fw, never, c.cache.nodeInfos()).state, never, new Map());
  assert.equal(r2.status.reasons[0], 'not eligible due to preemptionPolicy=Never.');
  c.cache.assume(hi, 'a');
  const low = pod('low', { cpu: '3', priority: 1 });
  const d3 = decide(c.fw, low, c.cache.nodeInfos());
  const r3 = await c.fw.runPostFilter(d3.state, low, d3.rejected);
  assert.equal(fitErrorMessage(d3, r3.status.message()), '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
});
