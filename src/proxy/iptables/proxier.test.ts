// The iptables proxier against a scratch network namespace (root only): a restarted proxy finds
// what a killed one left, replaces its jumps instead of stacking duplicates and deletes the
// chains of services that went away meanwhile; rules of others in the same tables are kept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { logger } from '../../util/log.js';
import type { Endpoint } from '../endpoint-slices.js';
import { exec, which, type Exec } from '../exec.js';
import type { ServicePort } from '../service-port.js';
import { IptablesProxier } from './proxier.js';

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !which('iptables-restore') ? 'iptables not installed' : false;
const ep = (ip: string): Endpoint => ({ ip, port: 8080, nodeName: 'n1', ready: true, serving: true, terminating: false });
const sp = (name: string, clusterIP: string): ServicePort => {
  const eps = [ep('10.1.0.2'), ep('10.1.0.3')];
  return {
    id: `default/${name}:p`, namespace: 'default', name, portName: 'p', protocol: 'tcp', clusterIP, port: 80, nodePort: 0, externalIPs: [],
    affinitySeconds: 0, externalPolicyLocal: false, internalPolicyLocal: false, allEndpoints: eps, clusterEndpoints: eps, externalEndpoints: eps,
  };
};

describe('iptables proxier', { skip }, () => {
  const ns = `keelson-test-iptp-${randomBytes(3).toString('hex')}`;
  const run: Exec = (cmd, args, input) => exec('ip', ['netns', 'exec', ns, cmd, ...args], input);
  const save = async () => (await run('iptables-save', [])).stdout;
  const log = logger('proxy');
  before(() => execFileSync('ip', ['netns', 'add', ns]));
  after(() => execFileSync('ip', ['netns', 'del', ns]));

  test('a restart replaces the jumps, drops stale chains and keeps rules of others', async () => {
    assert.equal((await run('iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-s', '192.0.2.0/24', '-j', 'MASQUERADE'])).code, 0);
    const first = new IptablesProxier({ log, run });
    await first.sync([sp('a', '10.96.0.10'), sp('b', '10.96.0.11')]);
    await first.sync([sp('a', '10.96.0.10'), sp('b', '10.96.0.11')]);
    const one = await save();
    assert.equal(one.match(/-A PREROUTING .*-j KEELSON-SERVICES/g)?.length, 1, 'jumps added once, not per sync');
    const chainsOf = (s: string) => s.match(/^:KEELSON-(SVC|SEP)-\S+/gm) ?? [];
    assert.equal(chainsOf(one).length, 6);
    // "Killed": no cleanup. A new proxier where only b is left.
    const second = new IptablesProxier({ log, run });
    await second.sync([sp('b', '10.96.0.11')]);
    const two = await save();
    assert.equal(two.match(/-A PREROUTING .*-j KEELSON-SERVICES/g)?.length, 1);
    assert.equal(two.match(/-A FORWARD .*-j KEELSON-/g)?.length, 3);
    assert.equal(chainsOf(two).length, 3);
    assert.doesNotMatch(two, /10\.96\.0\.10/);
    await second.cleanup();
    const three = await save();
    assert.doesNotMatch(three, /keelson/i);
    assert.match(three, /-A POSTROUTING -s 192\.0\.2\.0\/24 -j MASQUERADE/);
  });

  test('jump rules someone flushed are put back by the periodic check', async () => {
    const p = new IptablesProxier({ log, run, jumpCheckMs: 0 });
    await p.sync([sp('a', '10.96.0.10')]);
    assert.equal((await run('iptables', ['-t', 'nat', '-F', 'PREROUTING'])).code, 0);
    assert.doesNotMatch(await save(), /-A PREROUTING .*KEELSON/);
    await p.sync([sp('a', '10.96.0.10')]);
    assert.equal((await save()).match(/-A PREROUTING .*-j KEELSON-SERVICES/g)?.length, 1);
    await p.sync([sp('a', '10.96.0.10')]);
    assert.equal((await save()).match(/-A PREROUTING .*-j KEELSON-SERVICES/g)?.length, 1);
    await p.cleanup();
  });

  test('a failed restore is reported and the next sync starts over (jumps re-read)', async () => {
    const p = new IptablesProxier({ log, run });
    // An address iptables cannot parse makes the whole input fail: nothing applied.
    await assert.rejects(p.sync([sp('bad', '10.96.0.300')]), /iptables-restore failed/);
    assert.doesNotMatch(await save(), /KEELSON/);
    await p.sync([sp('good', '10.96.0.12')]);
    const s = await save();
    assert.equal(s.match(/-A OUTPUT .*-j KEELSON-SERVICES/g)?.length, 2); // nat and filter
    await p.cleanup();
    assert.doesNotMatch(await save(), /keelson/i);
  });
});
