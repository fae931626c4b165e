import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CNI_CONFLIST, podNetworkConflist, removePodNetwork, writePodNetworkConfig } from './cni-config.js';

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
