// Routes to the other nodes' pod CIDRs (pod-routes.ts): which ones a node wants, and keeping
// them in a routing table (root: a network namespace of the test's own).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { currentPodRoutes, desiredPodRoutes, removePodRoutes, syncPodRoutes, withoutLocalGateways } from './pod-routes.js';

const node = (name: string, podCIDR?: string, ip?: string) => ({ metadata: { name }, spec: { podCIDR }, status: { addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [] } });

describe('pod routes between nodes', () => {
  it('wants every other node podCIDR via its InternalIP', () => {
    const want = desiredPodRoutes([node('a', '10.42.0.0/24', '192.0.2.1'), node('b', '10.42.1.0/24', '192.0.2.2'), node('c', undefined, '192.0.2.3'), node('d', '10.42.3.0/24')], 'a');
    assert.deepEqual(want, [{ dst: '10.42.1.0/24', via: '192.0.2.2' }]);
    const sim = { ...node('sim-0', '10.42.9.0/24', '172.16.0.1'), metadata: { name: 'sim-0', labels: { 'node.keelson.io/simulated': 'true' } } };
    assert.deepEqual(desiredPodRoutes([node('a', '10.42.0.0/24', '192.0.2.1'), sim], 'a'), [], 'a simulated node gets no route');
  });

  const root = process.getuid?.() === 0;
  it('keeps them in the routing table with keelson protocol, and removes them', { skip: root ? false : 'skipped: needs root (ip netns)' }, () => {
    const ns = `keelson-rt-${process.pid}`;
    const ipn = (...a: string[]) => spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    try {
      ipn('link', 'add', 'kt0', 'type', 'veth', 'peer', 'name', 'kt1');
      ipn('link', 'set', 'kt1', 'up');
      ipn('addr', 'add', '192.0.2.10/24', 'dev', 'kt0');
      ipn('link', 'set', 'kt0', 'up');
      // Someone else's route with the same prefix length stays untouched.
      ipn('route', 'add', '10.99.0.0/24', 'via', '192.0.2.99');
      const scope = { netns: ns };
      let r = syncPodRoutes(desiredPodRoutes([node('me', '10.42.0.0/24', '192.0.2.10'), node('b', '10.42.1.0/24', '192.0.2.2'), node('c', '10.42.2.0/24', '192.0.2.3')], 'me'), scope);
      assert.equal(r.added.length, 2);
      assert.deepEqual(currentPodRoutes(scope), [{ dst: '10.42.1.0/24', via: '192.0.2.2' }, { dst: '10.42.2.0/24', via: '192.0.2.3' }]);
      assert.match(ipn('route', 'show', '10.42.1.0/24').stdout, /via 192.0.2.2 dev kt0 proto 75/);
      // Idempotent; a node that moved gets its route replaced, one that left loses it.
      assert.deepEqual(syncPodRoutes(desiredPodRoutes([node('b', '10.42.1.0/24', '192.0.2.2'), node('c', '10.42.2.0/24', '192.0.2.3')], 'me'), scope), { added: [], removed: [], errors: [] });
      r = syncPodRoutes([{ dst: '10.42.2.0/24', via: '192.0.2.4' }], scope);
      assert.deepEqual(r.removed, [{ dst: '10.42.1.0/24', via: '192.0.2.2' }]);
      assert.deepEqual(currentPodRoutes(scope), [{ dst: '10.42.2.0/24', via: '192.0.2.4' }]);
      // An unreachable gateway is reported, not thrown.
      r = syncPodRoutes([{ dst: '10.42.2.0/24', via: '192.0.2.4' }, { dst: '10.42.5.0/24', via: '198.51.100.1' }], scope);
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0].error, /Nexthop has invalid gateway|unreachable/i);
      assert.equal(removePodRoutes(scope).length, 1);
      assert.deepEqual(currentPodRoutes(scope), []);
      assert.match(ipn('route', 'show').stdout, /10.99.0.0\/24 via 192.0.2.99/);
      // A node on this same host (its InternalIP is ours) gets no route: a local gateway would be
      // accepted by the kernel and replace the other kubelet's own bridge route.
      const want = withoutLocalGateways(desiredPodRoutes([node('me', '10.42.0.0/24', '192.0.2.99'), node('twin', '10.42.7.0/24', '192.0.2.10'), node('b', '10.42.1.0/24', '192.0.2.2')], 'me'), scope);
      assert.deepEqual(want, [{ dst: '10.42.1.0/24', via: '192.0.2.2' }]);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
