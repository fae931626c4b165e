// Nominated pods over the framework: after preemption nominates a node, pods of equal or lower
// priority leave room for the nominated pod there (two filter passes), higher-priority pods do
// not, the preemptor gets the node once its victims are gone, and nominations are dropped when
// they no longer hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from './decide.js';
import { node, pod, testCluster } from './testing.js';
import { Nominator } from './queue/nominator.js';

const withNominations = (c: ReturnType<typeof testCluster>, p: any) => ({ nominated: (n: string) => c.nominator.podsFor(n, p) });

test('a nominated pod keeps its spot against equal and lower priority pods, not against higher ones', async () => {
  const c = testCluster([node('a', '4'), node('b', '4')], [pod('low', { cpu: '3', priority: 10, nodeName: 'a' }), pod('top', { cpu: '3', priority: 1000, nodeName: 'b' })]);
  const hi = pod('hi', { cpu: '3', priority: 100 });
  const d = decide(c.fw, hi, c.cache.nodeInfos(), withNominations(c, hi));
  assert.equal(d.node, undefined);
  const r = await c.fw.runPostFilter(d.state, hi, d.rejected);
  assert.equal(r.nominatedNodeName, 'a');
  assert.deepEqual(c.deleted, ['low'], 'the victim is gone; a is free until hi is scheduled again');
  for (const [name, priority] of [
    ['mid', 50],
    ['peer', 100],
  ] as const) {
    const p = pod(name, { cpu: '3', priority });
    const dm = decide(c.fw, p, c.cache.nodeInfos(), withNominations(c, p));
    assert.equal(dm.node, undefined, `${name} must not take the nominated room`);
    assert.equal(fitErrorMessage(dm), '0/2 nodes are available: 2 Insufficient cpu.');
    assert.equal(decide(c.fw, p, c.cache.nodeInfos()).node, 'a', 'without the nominated pods it would fit');
  }
  const boss = pod('boss', { cpu: '3', priority: 500 });
  assert.equal(decide(c.fw, boss, c.cache.nodeInfos(), withNominations(c, boss)).node, 'a', 'a higher priority ignores lower nominations');
  // The preemptor itself (its own nomination does not count against it) goes to its node.
  const again = { ...hi, status: { nominatedNodeName: 'a' } };
  const dh = decide(c.fw, again, c.cache.nodeInfos(), withNominations(c, again));
  assert.equal(dh.node, 'a');
  assert.equal(dh.evaluated, 1, 'the nominated node is tried first');
});

test('nominated pods count on their node only, with their requests added to what is there', () => {
  const c = testCluster([node('a', '8'), node('b', '8')]);
  const nominatedPod = { ...pod('n', { cpu: '2', priority: 100, labels: { app: 'n' } }), status: { nominatedNodeName: 'a' } };
  c.nominator.set(nominatedPod, 'a');
  const small = pod('small', { cpu: '2', priority: 1 });
  assert.deepEqual(decide(c.fw, small, c.cache.nodeInfos(), withNominations(c, small)).feasible.sort(), ['a', 'b']);
  const big = pod('big', { cpu: '7', priority: 1 });
  const d = decide(c.fw, big, c.cache.nodeInfos(), withNominations(c, big));
  assert.deepEqual(d.rejected.get('a')?.reasons, ['Insufficient cpu']);
  assert.equal(d.node, 'b');
});

test('preemption waits for terminating victims on the nominated node, and clears nominations that no longer hold', async () => {
  const terminating = { ...pod('victim', { cpu: '3', priority: 10, nodeName: 'a' }), metadata: { ...pod('victim').metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  const c = testCluster([node('a', '4')], [terminating]);
  const hi = { ...pod('hi', { cpu: '3', priority: 100 }), status: { nominatedNodeName: 'a' } };
  const d = decide(c.fw, hi, c.cache.nodeInfos(), withNominations(c, hi));
  const r = await c.fw.runPostFilter(d.state, hi, d.rejected);
  assert.equal(r.status.message(), 'not eligible due to a terminating pod on the nominated node.');
  assert.equal(r.nominatedNodeName, undefined, 'the nomination stays');
  assert.deepEqual(c.deleted, []);
  // Nothing to preempt anywhere: the old nomination is cleared ('').
  const full = testCluster([node('b', '4')], [pod('top', { cpu: '3', priority: 1000, nodeName: 'b' })]);
  const stale = { ...pod('stale', { cpu: '3', priority: 100 }), status: { nominatedNodeName: 'gone' } };
  const r2 = await full.fw.runPostFilter(decide(full.fw, stale, full.cache.nodeInfos()).state, stale, new Map());
  assert.equal(r2.nominatedNodeName, '');
});

test('preemption takes the node from lower-priority nominated pods', async () => {
  const c = testCluster([node('a', '4')], [pod('low', { cpu: '3', priority: 10, nodeName: 'a' })]);
  const lesser = pod('lesser', { cpu: '1', priority: 20 });
  await c.handle.nominate(lesser, 'a');
  const hi = pod('hi', { cpu: '3', priority: 100 });
  const d = decide(c.fw, hi, c.cache.nodeInfos(), withNominations(c, hi));
  const r = await c.fw.runPostFilter(d.state, hi, d.rejected);
  assert.equal(r.nominatedNodeName, 'a');
  assert.equal(c.nominated.lesser, '', 'the lower-priority nomination was cleared');
  assert.deepEqual(c.nominator.podsOn('a').map((p) => p.pod.metadata.name), ['hi']);
});

test('nominator: moves, drops on delete or empty node, skips the pod itself', () => {
  const n = new Nominator();
  const p = pod('p', { priority: 5 });
  n.set(p, 'a');
  n.set(p, 'b');
  assert.deepEqual(n.podsOn('a'), []);
  assert.equal(n.nominatedNode('default/p'), 'b');
  assert.equal(n.podsFor('b', p), undefined, 'a pod does not make room for itself');
  assert.equal(n.podsFor('b', pod('q', { priority: 5 }))?.length, 1);
  assert.equal(n.podsFor('b', pod('r', { priority: 6 })), undefined);
  n.set(p, '');
  assert.equal(n.size, 0);
  n.set(p, 'c');
  n.delete('default/p');
  assert.deepEqual(n.podsOn('c'), []);
});

test('nominated pods count in inter-pod anti-affinity and topology spread on their node', () => {
  const c = testCluster([node('a', '8'), node('b', '8')]);
  const nominatedPod = { ...pod('n', { cpu: '1', priority: 100, labels: { app: 'db' } }), status: { nominatedNodeName: 'a' } };
  c.nominator.set(nominatedPod, 'a');
  // Anti-affinity to app=db: node a will hold the nominated db pod.
  const away = pod('away', { cpu: '1', priority: 1, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } } });
  const d = decide(c.fw, away, c.cache.nodeInfos(), withNominations(c, away));
  assert.deepEqual(d.feasible, ['b']);
  assert.match(d.rejected.get('a')?.reasons.join() ?? '', /anti-affinity/);
  assert.deepEqual(decide(c.fw, away, c.cache.nodeInfos()).feasible.sort(), ['a', 'b'], 'without the nominated pods both fit');
  // maxSkew 1 over hostnames for app=db: a has the nominated one, so the next goes to b.
  const spread = pod('spread', { cpu: '1', priority: 1, labels: { app: 'db' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'db' } } }] } });
  c.nominator.set({ ...nominatedPod, metadata: { ...nominatedPod.metadata, name: 'n2', uid: 'n2' } }, 'a');
  const ds = decide(c.fw, spread, c.cache.nodeInfos(), withNominations(c, spread));
  assert.deepEqual(ds.feasible, ['b']);
  assert.deepEqual(ds.rejected.get('a')?.reasons, ["node(s) didn't match pod topology spread constraints"]);
});
