// The rendered iptables-restore input, read back as tables -> chains -> rules: jumps per service
// port, statistic probabilities, affinity, masquerade marks, traffic policies, rejects, stale
// chains. With root, every input is also loaded into a scratch network namespace to prove
// iptables-restore accepts it (and the jump/cleanup round trip is checked there).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Endpoint } from '../endpoint-slices.js';
import { exec, which, type Exec } from '../exec.js';
import type { ServicePort } from '../service-port.js';
import { cleanupIptables } from './proxier.js';
import { renderRestore, type IptablesRendered } from './render.js';

const ep = (ip: string, nodeName = 'n1'): Endpoint => ({ ip, port: 8080, nodeName, ready: true, serving: true, terminating: false });
const sp = (name: string, over: Partial<ServicePort> = {}): ServicePort => {
  const eps = over.allEndpoints ?? [ep('10.1.0.2'), ep('10.1.0.3')];
  return {
    id: `default/${name}:p`, namespace: 'default', name, portName: 'p', protocol: 'tcp', clusterIP: '10.96.0.10', port: 80, nodePort: 0, externalIPs: [],
    affinitySeconds: 0, externalPolicyLocal: false, internalPolicyLocal: false, allEndpoints: eps, clusterEndpoints: eps, externalEndpoints: eps, ...over,
  };
};

type Parsed = Record<string, { chains: Set<string>; rules: Map<string, string[]>; other: string[] }>;

/** Tables of an iptables-restore input: declared chains, `-A` rules by chain, other lines. */
function parse(script: string): Parsed {
  const out: Parsed = {};
  let t = '';
  for (const line of script.split('\n').filter(Boolean)) {
    if (line.startsWith('*')) out[(t = line.slice(1))] = { chains: new Set(), rules: new Map(), other: [] };
    else if (line.startsWith(':')) out[t].chains.add(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ')) {
      const [, chain, ...rest] = line.split(' ');
      const list = out[t].rules.get(chain) ?? [];
      list.push(rest.join(' '));
      out[t].rules.set(chain, list);
    } else if (line !== 'COMMIT') out[t].other.push(line);
  }
  return out;
}
const target = (rule: string) => /-j (\S+)/.exec(rule)?.[1];
const rulesOf = (p: Parsed, table: string, chain: string) => p[table].rules.get(chain) ?? [];

// A scratch network namespace to load inputs into (root only).
const canLoad = process.getuid?.() === 0 && !!which('iptables-restore') && !!which('ip');
const ns = `keelson-test-ipt-${randomBytes(3).toString('hex')}`;
const inNs: Exec = (cmd, args, input) => exec('ip', ['netns', 'exec', ns, cmd, ...args], input);
const load = async (r: IptablesRendered) => {
  if (!canLoad) return;
  const res = await inNs('iptables-restore', ['-w', '5', '--noflush'], r.script);
  assert.equal(res.code, 0, res.stderr);
};

describe('iptables render', () => {
  before(() => {
    if (canLoad) execFileSync('ip', ['netns', 'add', ns]);
  });
  after(() => {
    if (canLoad) execFileSync('ip', ['netns', 'del', ns]);
  });

  test('ClusterIP: KEELSON-SERVICES jumps to the SVC chain, which masquerades off-cluster sources and balances with statistic', async () => {
    const three = [ep('10.1.0.2'), ep('10.1.0.3'), ep('10.1.0.4')];
    const r = renderRestore([sp('web', { allEndpoints: three, clusterEndpoints: three, externalEndpoints: three })], { clusterCIDR: '10.1.0.0/16' });
    const p = parse(r.script);
    const [toSvc] = rulesOf(p, 'nat', 'KEELSON-SERVICES');
    assert.match(toSvc, /-d 10\.96\.0\.10\/32 -p tcp -m tcp --dport 80 -j KEELSON-SVC-[A-Z2-7]{16}$/);
    const svc = target(toSvc)!;
    assert.equal(svc.length, 28);
    const svcRules = rulesOf(p, 'nat', svc);
    assert.match(svcRules[0], /-d 10\.96\.0\.10\/32 .* ! -s 10\.1\.0\.0\/16 -j KEELSON-MARK-MASQ$/);
    // 1/3, then 1/2 of the rest, then the rest: each endpoint a third.
    assert.deepEqual(svcRules.slice(1).map((x) => /--probability (\S+)/.exec(x)?.[1]), ['0.3333333333', '0.5000000000', undefined]);
    const seps = svcRules.slice(1).map(target);
    assert.equal(new Set(seps).size, 3);
    for (const [i, sep] of seps.entries()) {
      assert.ok(p.nat.chains.has(sep!), `${sep} declared`);
      const [hairpin, dnat] = rulesOf(p, 'nat', sep!);
      assert.match(hairpin, new RegExp(`-s ${three[i].ip.replace(/\./g, '\\.')}/32 -j KEELSON-MARK-MASQ$`));
      assert.match(dnat, new RegExp(`-p tcp -m tcp -j DNAT --to-destination ${three[i].ip.replace(/\./g, '\\.')}:8080$`));
    }
    assert.deepEqual(rulesOf(p, 'nat', 'KEELSON-MARK-MASQ'), ['-j MARK --or-mark 0x4000']);
    assert.match(rulesOf(p, 'nat', 'KEELSON-POSTROUTING').join('\n'), /-m mark ! --mark 0x4000\/0x4000 -j RETURN\n-j MARK --xor-mark 0x4000\n.*-j MASQUERADE --random-fully/);
    // The node-port jump is the last rule of KEELSON-SERVICES.
    assert.match(rulesOf(p, 'nat', 'KEELSON-SERVICES').at(-1)!, /-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j KEELSON-NODEPORTS$/);
    // Unknown ports of the cluster IP are rejected in the filter table.
    assert.deepEqual(rulesOf(p, 'filter', 'KEELSON-SERVICES').map(target), ['REJECT']);
    assert.equal(r.rules, [...Object.values(p)].reduce((n, t) => n + [...t.rules.values()].flat().length, 0));
    await load(r);
  });

  test('one endpoint: no statistic match; --masquerade-all marks every clusterIP packet', async () => {
    const r = renderRestore([sp('one', { allEndpoints: [ep('10.1.0.2')], clusterEndpoints: [ep('10.1.0.2')], externalEndpoints: [ep('10.1.0.2')] })], { masqueradeAll: true });
    const p = parse(r.script);
    const svc = target(rulesOf(p, 'nat', 'KEELSON-SERVICES')[0])!;
    const rules = rulesOf(p, 'nat', svc);
    assert.equal(rules.length, 2);
    assert.match(rules[0], /-d 10\.96\.0\.10\/32 -p tcp -m tcp --dport 80 -j KEELSON-MARK-MASQ$/);
    assert.doesNotMatch(rules[1], /statistic/);
    await load(r);
  });

  test('services without endpoints REJECT in the filter table, ClusterIP, NodePort and external IP; no nat chains', async () => {
    const r = renderRestore([sp('empty', { allEndpoints: [], clusterEndpoints: [], externalEndpoints: [], nodePort: 30080, externalIPs: ['192.0.2.7'] })], {});
    const p = parse(r.script);
    const [svc] = rulesOf(p, 'filter', 'KEELSON-SERVICES');
    assert.match(svc, /"default\/empty:p has no endpoints" -d 10\.96\.0\.10\/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable/);
    const ext = rulesOf(p, 'filter', 'KEELSON-EXTERNAL-SERVICES');
    assert.equal(ext.length, 2);
    assert.match(ext[0], /-d 192\.0\.2\.7\/32 -p tcp -m tcp --dport 80 -j REJECT/);
    assert.match(ext[1], /-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -p tcp -m tcp --dport 30080 -j REJECT/);
    assert.equal(r.chains.size, 0);
    assert.deepEqual(rulesOf(p, 'nat', 'KEELSON-NODEPORTS'), []);
    await load(r);
  });

  test('NodePort with the Cluster policy: NODEPORTS -> EXT (mark) -> SVC; --nodeport-addresses narrows the node addresses', async () => {
    const r = renderRestore([sp('np', { nodePort: 30080 })], { nodePortIPs: ['192.0.2.1', '192.0.2.2'] });
    const p = parse(r.script);
    const [np] = rulesOf(p, 'nat', 'KEELSON-NODEPORTS');
    assert.match(np, /-p tcp -m tcp --dport 30080 -j KEELSON-EXT-[A-Z2-7]{16}$/);
    const ext = rulesOf(p, 'nat', target(np)!);
    assert.deepEqual(ext.map(target), ['KEELSON-MARK-MASQ', target(rulesOf(p, 'nat', 'KEELSON-SERVICES')[0])]);
    assert.deepEqual(rulesOf(p, 'nat', 'KEELSON-SERVICES').slice(-2).map((x) => /-d (\S+) -j KEELSON-NODEPORTS/.exec(x)?.[1]), ['192.0.2.1/32', '192.0.2.2/32']);
    await load(r);
  });

  test('ClientIP affinity: recent --rcheck before the statistic jumps, recent --set in the endpoint chain', async () => {
    const r = renderRestore([sp('sticky', { affinitySeconds: 60 })], {});
    const p = parse(r.script);
    const svcRules = rulesOf(p, 'nat', target(rulesOf(p, 'nat', 'KEELSON-SERVICES')[0])!);
    const checks = svcRules.filter((x) => x.includes('--rcheck'));
    assert.equal(checks.length, 2);
    for (const x of checks) assert.equal(/--name (\S+) --rcheck --seconds 60 --reap -j (\S+)$/.exec(x)?.slice(1).reduce((a, b) => (a === b ? 'same' : 'differ')), 'same');
    assert.ok(svcRules.indexOf(checks[1]) < svcRules.findIndex((x) => x.includes('statistic')));
    const sep = target(checks[0])!;
    assert.match(rulesOf(p, 'nat', sep)[1], new RegExp(`-m recent --name ${sep} --set -j DNAT`));
    await load(r);
  });

  test('externalTrafficPolicy Local: pods and the node short-circuit to SVC, others go to SVL (local endpoints only)', async () => {
    const all = [ep('10.1.0.2', 'n1'), ep('10.1.0.3', 'n2')];
    const r = renderRestore([sp('local', { nodePort: 30081, externalPolicyLocal: true, allEndpoints: all, clusterEndpoints: all, externalEndpoints: [all[0]] })], { clusterCIDR: '10.1.0.0/16' });
    const p = parse(r.script);
    const ext = rulesOf(p, 'nat', target(rulesOf(p, 'nat', 'KEELSON-NODEPORTS')[0])!);
    const svc = target(rulesOf(p, 'nat', 'KEELSON-SERVICES')[0])!;
    assert.match(ext[0], new RegExp(`-s 10\\.1\\.0\\.0/16 -j ${svc}$`));
    assert.match(ext[1], /-m addrtype --src-type LOCAL -j KEELSON-MARK-MASQ$/);
    assert.match(ext[2], new RegExp(`-m addrtype --src-type LOCAL -j ${svc}$`));
    const svl = target(ext[3])!;
    assert.match(svl, /^KEELSON-SVL-/);
    // SVL balances over the local endpoint only, and does not mark (the client IP is kept).
    assert.deepEqual(rulesOf(p, 'nat', svl).map(target), [target(rulesOf(p, 'nat', svc).find((x) => x.includes('10.1.0.2:8080'))!)]);
    await load(r);
  });

  test('Local policies without a local endpoint DROP (documented), unlike services without any endpoint', async () => {
    const all = [ep('10.1.0.3', 'n2')];
    const r = renderRestore([sp('far', { nodePort: 30082, externalPolicyLocal: true, internalPolicyLocal: true, allEndpoints: all, clusterEndpoints: [], externalEndpoints: [] })], {});
    const p = parse(r.script);
    assert.match(rulesOf(p, 'filter', 'KEELSON-SERVICES')[0], /has no local endpoints" -d 10\.96\.0\.10\/32 .* -j DROP$/);
    assert.match(rulesOf(p, 'filter', 'KEELSON-EXTERNAL-SERVICES')[0], /--dport 30082 -j DROP$/);
    assert.equal(rulesOf(p, 'nat', 'KEELSON-SERVICES').filter((x) => x.includes('10.96.0.10')).length, 0);
    await load(r);
  });

  test('internalTrafficPolicy Local: the clusterIP goes to SVL, which carries the masquerade mark', async () => {
    const all = [ep('10.1.0.2', 'n1'), ep('10.1.0.3', 'n2')];
    const r = renderRestore([sp('itp', { internalPolicyLocal: true, allEndpoints: all, clusterEndpoints: [all[0]], externalEndpoints: all })], { clusterCIDR: '10.1.0.0/16' });
    const p = parse(r.script);
    const svl = target(rulesOf(p, 'nat', 'KEELSON-SERVICES')[0])!;
    assert.match(svl, /^KEELSON-SVL-/);
    assert.deepEqual(rulesOf(p, 'nat', svl).map(target), ['KEELSON-MARK-MASQ', 'KEELSON-SEP-' + /KEELSON-SEP-(\S+)/.exec(rulesOf(p, 'nat', svl)[1])![1]]);
    await load(r);
  });

  test('stale per-service chains are flushed and deleted in the same input; jumps are replaced when asked', async () => {
    const one = renderRestore([sp('a'), sp('b', { clusterIP: '10.96.0.11' })], {});
    await load(one);
    const two = renderRestore([sp('b', { clusterIP: '10.96.0.11' })], {}, { chains: one.chains }, { filter: [], nat: ['-D PREROUTING -j KEELSON-SERVICES'] });
    const p = parse(two.script);
    const gone = [...one.chains].filter((ch) => !two.chains.has(ch));
    assert.equal(gone.length, 3); // SVC and two SEPs of a
    for (const ch of gone) {
      assert.ok(p.nat.chains.has(ch), `${ch} declared (flushed)`);
      assert.ok(p.nat.other.includes(`-X ${ch}`), `${ch} deleted`);
    }
    assert.deepEqual(p.nat.other.filter((l) => !l.startsWith('-X')), [
      '-D PREROUTING -j KEELSON-SERVICES',
      '-I POSTROUTING -m comment --comment "keelson postrouting rules" -j KEELSON-POSTROUTING',
      '-I OUTPUT -m comment --comment "keelson service portals" -j KEELSON-SERVICES',
      '-I PREROUTING -m comment --comment "keelson service portals" -j KEELSON-SERVICES',
    ]);
    if (canLoad) {
      // A jump to delete must exist: add it, then load, then check and clean up.
      assert.equal((await inNs('iptables', ['-t', 'nat', '-A', 'PREROUTING', '-j', 'KEELSON-SERVICES'])).code, 0);
      await load(two);
      const saved = (await inNs('iptables-save', [])).stdout;
      for (const ch of gone) assert.doesNotMatch(saved, new RegExp(`:${ch} `));
      assert.equal(saved.match(/-j KEELSON-SERVICES/g)?.length, 4); // nat PREROUTING/OUTPUT, filter FORWARD/OUTPUT
      assert.ok((await cleanupIptables(inNs)) >= 7);
      assert.doesNotMatch((await inNs('iptables-save', [])).stdout, /KEELSON/i);
    }
  });
});
