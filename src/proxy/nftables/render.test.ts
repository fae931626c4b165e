// The rendered nftables transaction: maps and chains per service port, rejects for services
// without endpoints, affinity sets kept across syncs, stale chains deleted. With root and nft,
// each script is also loaded into a scratch table to prove the kernel accepts it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import type { Endpoint } from '../endpoint-slices.js';
import { exec, which } from '../exec.js';
import type { ServicePort } from '../service-port.js';
import { hash8 } from './names.js';
import { renderTable } from './render.js';

const ep = (ip: string): Endpoint => ({ ip, port: 8080, nodeName: 'n1', ready: true, serving: true, terminating: false });
const sp = (name: string, over: Partial<ServicePort> = {}): ServicePort => {
  const eps = over.allEndpoints ?? [ep('10.1.0.2'), ep('10.1.0.3')];
  return {
    id: `default/${name}:p`, namespace: 'default', name, portName: 'p', protocol: 'tcp', clusterIP: '10.96.0.10', port: 80, nodePort: 0, externalIPs: [],
    affinitySeconds: 0, externalPolicyLocal: false, internalPolicyLocal: false, allEndpoints: eps, clusterEndpoints: eps, externalEndpoints: eps, ...over,
  };
};
const table = `keelson-test-${randomBytes(3).toString('hex')}`;
const canLoad = process.getuid?.() === 0 && !!which('nft');
const load = async (script: string) => {
  if (!canLoad) return;
  const r = await exec('nft', ['-f', '-'], script);
  assert.equal(r.code, 0, r.stderr);
};
after(async () => {
  if (canLoad) await exec('nft', ['delete', 'table', 'ip', table]);
});

test('hash8 is 8 base32 characters, stable', () => {
  assert.match(hash8('default/web/tcp/http'), /^[A-Z2-7]{8}$/);
  assert.equal(hash8('x'), hash8('x'));
  assert.notEqual(hash8('x'), hash8('y'));
});

test('a first render recreates the table; ClusterIP balances with numgen and masquerades off-cluster sources', async () => {
  const r = renderTable([sp('web')], { table, clusterCIDR: '10.1.0.0/16' });
  const s = r.script;
  assert.match(s, new RegExp(`^add table ip ${table}\ndelete table ip ${table}\nadd table ip ${table}\nflush table ip ${table}\n`));
  assert.match(s, /add element ip \S+ service-ips \{ 10\.96\.0\.10 \. tcp \. 80 : goto service-[A-Z2-7]{8}-default\/web\/tcp\/p \}/);
  assert.match(s, /service-\S+ ip saddr != 10\.1\.0\.0\/16 jump mark-for-masquerade/);
  assert.match(s, /numgen random mod 2 vmap \{ 0 : goto endpoint-\S+__10\.1\.0\.2\/8080, 1 : goto endpoint-\S+__10\.1\.0\.3\/8080 \}/);
  assert.match(s, /endpoint-\S+__10\.1\.0\.2\/8080 ip saddr 10\.1\.0\.2 jump mark-for-masquerade/);
  assert.match(s, /meta l4proto tcp dnat to 10\.1\.0\.2:8080/);
  assert.match(s, /masquerading masquerade fully-random/);
  await load(s);
});

test('services without endpoints reject in the filter chains; NodePorts too', async () => {
  const r = renderTable([sp('empty', { allEndpoints: [], nodePort: 30080 })], { table }, { chains: new Set(), sets: new Set() });
  assert.match(r.script, /no-endpoint-services \{ 10\.96\.0\.10 \. tcp \. 80 : goto reject-chain \}/);
  assert.match(r.script, /no-endpoint-nodeports \{ tcp \. 30080 : goto reject-chain \}/);
  assert.doesNotMatch(r.script, /add element ip \S+ service-ips/);
  assert.doesNotMatch(r.script, /delete table/);
  await load(r.script);
});

test('ClientIP affinity: dynamic sets with the timeout, consulted before numgen and kept across syncs', async () => {
  const one = renderTable([sp('sticky', { affinitySeconds: 30 })], { table });
  assert.match(one.script, /add set ip \S+ affinity-[A-Z2-7]{8} \{ type ipv4_addr; flags dynamic,timeout; timeout 30s; \}/);
  assert.match(one.script, /ip saddr @affinity-\S+ goto endpoint-/);
  assert.match(one.script, /update @affinity-\S+ \{ ip saddr \}/);
  assert.equal(one.sets.size, 2);
  await load(one.script);
  // A second sync with the same service: sets are not flushed or deleted.
  const two = renderTable([sp('sticky', { affinitySeconds: 30 })], { table }, { chains: one.chains, sets: one.sets });
  assert.doesNotMatch(two.script, /flush set ip \S+ affinity-|delete set/);
  await load(two.script);
});

test('stale chains and sets of removed services are deleted in the same transaction', async () => {
  const one = renderTable([sp('a', { affinitySeconds: 10 }), sp('b', { clusterIP: '10.96.0.11' })], { table });
  await load(one.script);
  const two = renderTable([sp('b', { clusterIP: '10.96.0.11' })], { table }, { chains: one.chains, sets: one.sets });
  assert.match(two.script, /delete chain ip \S+ service-\S+-default\/a\/tcp\/p/);
  assert.match(two.script, /delete set ip \S+ affinity-/);
  assert.doesNotMatch(two.script, /delete chain ip \S+ \S+default\/b\//);
  await load(two.script);
  if (canLoad) assert.doesNotMatch((await exec('nft', ['list', 'table', 'ip', table])).stdout, /default\/a\//);
});

test('externalTrafficPolicy Local: pods and the node short-circuit, others only local endpoints (or drop)', async () => {
  const r = renderTable([sp('loc', { nodePort: 30090, externalPolicyLocal: true, externalEndpoints: [] })], { table, clusterCIDR: '10.1.0.0/16' });
  const ext = /add rule ip \S+ (external-\S+) /.exec(r.script)![1];
  const rules = r.script.split('\n').filter((l) => l.includes(` ${ext} `) && l.startsWith('add rule'));
  assert.deepEqual(rules.map((l) => l.slice(l.indexOf(ext) + ext.length + 1).replace(/service-\S+/, 'SVC')), [
    'ip saddr 10.1.0.0/16 goto SVC',
    'fib saddr type local jump mark-for-masquerade',
    'fib saddr type local goto SVC',
    'drop',
  ]);
  assert.match(r.script, /service-nodeports \{ tcp \. 30090 : goto external-/);
  await load(r.script);
});

test('--nodeport-addresses narrows NodePorts to a set of node IPs; UDP and SCTP dnat', async () => {
  const r = renderTable([sp('u', { protocol: 'udp', nodePort: 30053 }), sp('s', { protocol: 'sctp', clusterIP: '10.96.0.12' })], { table, nodePortIPs: ['192.0.2.2'], masqueradeAll: true });
  assert.match(r.script, /services ip daddr @nodeport-ips meta l4proto \. th dport vmap @service-nodeports/);
  assert.match(r.script, /nodeport-ips \{ 192\.0\.2\.2 \}/);
  assert.match(r.script, /meta l4proto udp dnat to/);
  assert.match(r.script, /meta l4proto sctp dnat to/);
  assert.match(r.script, /service-\S+-default\/u\/udp\/p jump mark-for-masquerade/);
  await load(r.script);
});
