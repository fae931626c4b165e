import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CNI_CONFLIST, podNetworkConflist, removePodNetwork, writePodNetworkConfig } from './cni-config.js';
import { currentPodRoutes, desiredPodRoutes, removePodRoutes, syncPodRoutes } from './pod-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'keelson-cni-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CNI config', () => {
  it('is a bridge + host-local conflist over the node podCIDR with portmap', () => {
    const c = podNetworkConflist({ confDir: join(dir, 'net.d'), podCIDR: '10.42.3.0/24' }) as { name: string; cniVersion: string; plugins: Array<Record<string, any>> };
    assert.equal(c.name, 'keelson');
    assert.equal(c.cniVersion, '1.0.0');
    const [bridge, portmap] = c.plugins;
    assert.deepEqual([bridge.type, bridge.bridge, bridge.isGateway, bridge.ipMasq, bridge.hairpinMode], ['bridge', 'keelson0', true, true, true]);
    assert.deepEqual(bridge.ipam, { type: 'host-local', ranges: [[{ subnet: '10.42.3.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'networks') });
    assert.deepEqual([portmap.type, portmap.capabilities], ['portmap', { portMappings: true }]);
  });

  it('rejects a bad CIDR or a bridge name too long for Linux', () => {
    assert.throws(() => podNetworkConflist({ confDir: dir, podCIDR: '10.42.3.0' }), /pod CIDR "10.42.3.0": expected an IPv4 CIDR/);
    assert.throws(() => podNetworkConflist({ confDir: dir, podCIDR: '10.42.3.0/24', bridge: 'a-very-long-bridge' }), /longer than 15 characters/);
  });

  it('writes 10-keelson.conflist only when it changes', () => {
    const confDir = join(dir, 'net.d');
    assert.equal(writePodNetworkConfig({ confDir, podCIDR: '10.42.3.0/24', ipamDataDir: join(dir, 'ipam') }), true);
    const file = join(confDir, CNI_CONFLIST);
    const m1 = statSync(file).mtimeMs;
    assert.equal(writePodNetworkConfig({ confDir, podCIDR: '10.42.3.0/24', ipamDataDir: join(dir, 'ipam') }), false);
    assert.equal(statSync(file).mtimeMs, m1);
    assert.equal(writePodNetworkConfig({ confDir, podCIDR: '10.42.4.0/24', ipamDataDir: join(dir, 'ipam') }), true);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).plugins[0].ipam.ranges[0][0].subnet, '10.42.4.0/24');
    removePodNetwork({ confDir, bridge: 'kt-none', ipamDataDir: join(dir, 'ipam') });
    assert.throws(() => statSync(file));
  });
});

const node = (name: string, podCIDR?: string, ip?: string) => ({ metadata: { name }, spec: { podCIDR }, status: { addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [] } });

describe('pod routes between nodes', () => {
  it('wants every other node podCIDR via its InternalIP', () => {
    const want = desiredPodRoutes([node('a', '10.42.0.0/24', '192.0.2.1'), node('b', '10.42.1.0/24', '192.0.2.2'), node('c', undefined, '192.0.2.3'), node('d', '10.42.3.0/24')], 'a');
    assert.deepEqual(want, [{ dst: '10.42.1.0/24', via: '192.0.2.2' }]);
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
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
