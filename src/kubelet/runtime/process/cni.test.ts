// The CNI executor against stand-in plugins (shell scripts that record what they were given): ADD
// runs the list in order with the list's name and cniVersion, prevResult chained and
// runtimeConfig only for declared capabilities, CNI_* in the environment; DEL runs in reverse with
// the cached result and goes on past a failing plugin; a plugin's error object becomes the
// message; a missing plugin is named.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniAdd, cniDel, CniError, resultIPv4, type CniConflist } from './cni.js';

const bin = mkdtempSync(join(tmpdir(), 'keelson-cni-'));
after(() => rmSync(bin, { recursive: true, force: true }));
const record = join(bin, 'calls.log');

// A plugin that appends "<type> <command> <env> <stdin>" to the record and prints a result.
function plugin(type: string, result: string, exit = 0): void {
  const f = join(bin, type);
  writeFileSync(f, `#!/bin/sh\nin=$(cat)\nprintf '%s\\n' "${type} $CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_ARGS $in" >> ${record}\nprintf '%s' '${result}'\nexit ${exit}\n`);
  chmodSync(f, 0o755);
}
const calls = () => readFileSync(record, 'utf8').trim().split('\n').map((l) => {
  const [type, cmd, id, netns, ifName, args, ...json] = l.split(' ');
  return { type, cmd, id, netns, ifName, args, conf: JSON.parse(json.join(' ')) as Record<string, unknown> };
});

const list: CniConflist = {
  cniVersion: '1.0.0',
  name: 'keelson',
  plugins: [
    { type: 'fake-bridge', bridge: 'keelson0', ipam: { type: 'host-local' } },
    { type: 'fake-portmap', capabilities: { portMappings: true }, snat: true },
  ],
};
const rt = { containerId: 'sb1', netns: '/var/run/netns/keelson-x', ifName: 'eth0', args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'p' }, capabilities: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] } };
const bridgeResult = { cniVersion: '1.0.0', interfaces: [{ name: 'eth0' }], ips: [{ address: '10.244.0.5/24', gateway: '10.244.0.1' }] };

describe('cni executor', () => {
  it('ADD: plugins in order, list name and version, prevResult chained, capabilities only where declared', async () => {
    rmSync(record, { force: true });
    plugin('fake-bridge', JSON.stringify(bridgeResult));
    plugin('fake-portmap', JSON.stringify(bridgeResult));
    const result = await cniAdd(list, rt, bin);
    assert.equal(resultIPv4(result), '10.244.0.5');
    const [b, p] = calls();
    assert.deepEqual([b.type, b.cmd, b.id, b.netns, b.ifName, b.args], ['fake-bridge', 'ADD', 'sb1', '/var/run/netns/keelson-x', 'eth0', 'K8S_POD_NAMESPACE=default;K8S_POD_NAME=p']);
    assert.deepEqual(b.conf, { type: 'fake-bridge', bridge: 'keelson0', ipam: { type: 'host-local' }, cniVersion: '1.0.0', name: 'keelson' });
    assert.deepEqual(p.conf, { type: 'fake-portmap', snat: true, cniVersion: '1.0.0', name: 'keelson', runtimeConfig: { portMappings: rt.capabilities.portMappings }, prevResult: bridgeResult });
  });

  it('DEL: reverse order with the cached result, every plugin even after a failure; the error object is the message', async () => {
    rmSync(record, { force: true });
    plugin('fake-portmap', JSON.stringify({ cniVersion: '1.0.0', code: 999, msg: 'iptables busy', details: 'chain in use' }), 1);
    plugin('fake-bridge', '');
    await assert.rejects(cniDel(list, rt, bin, bridgeResult), (e: Error) => e instanceof CniError && e.message === 'plugin type="fake-portmap" failed (del): iptables busy: chain in use');
    const [p, b] = calls();
    assert.deepEqual([p.type, p.cmd, b.type, b.cmd], ['fake-portmap', 'DEL', 'fake-bridge', 'DEL']);
    assert.deepEqual(b.conf.prevResult, bridgeResult);
  });

  it('names a plugin that is not installed', async () => {
    await assert.rejects(cniAdd({ ...list, plugins: [{ type: 'keelson-no-such-plugin' }] }, rt, bin), /plugin type="keelson-no-such-plugin" failed \(add\): plugin "keelson-no-such-plugin" not found in /);
  });
});
