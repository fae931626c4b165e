// The iptables proxy end to end (root only), inside a "node" network namespace of its own so the
// host's filter/nat tables are never touched: a real apiserver on the host's loopback, the
// proxy's iptables-restore/iptables-save/conntrack run in the node namespace, backends a and b
// in namespaces that route through the node (as pods do), a client namespace c that sends
// service traffic to the node. All on a test bridge (test/helpers/netns.ts); checked with curl
// by response body ("<name> <client address>"). Last, bin/keelson in the node namespace:
// `keelson proxy --proxy-mode iptables` (through a relay to the apiserver) and `keelson killall`.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as netServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { curl, names, udpAsk } from '../../../test/helpers/curl.js';
import { createTestNetwork, isRoot, type TestNetwork, type TestNs } from '../../../test/helpers/netns.js';
import { until } from '../../../test/helpers/until.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { logger } from '../../util/log.js';
import { exec, which, type Exec } from '../exec.js';
import { ServiceProxy } from '../proxy.js';
import { IptablesProxier } from './proxier.js';

const skip = !isRoot() ? 'needs root (network namespaces, iptables)' : !which('iptables-restore') ? 'iptables not installed' : !which('curl') ? 'curl not installed' : false;
const NODE = 'keelson-test-node';
const bin = fileURLToPath(new URL('../../../bin/keelson', import.meta.url));
/** KEELSON-* chains in the host's own tables (the CNI plugins' rules may mention "keelson" in comments). */
const hostChains = async () => ((await exec('iptables-save', [])).stdout.match(/^:KEELSON-\S+/gm) ?? []).length;

describe('iptables proxy', { skip, timeout: 180_000 }, () => {
  let api: TestApiServer;
  let client: RestClient;
  let net: TestNetwork;
  let node: TestNs, a: TestNs, b: TestNs, c: TestNs;
  let proxy: ServiceProxy;
  let done: Promise<void>;
  let inNode: Exec;
  let hostChainsBefore = 0;
  const ac = new AbortController();
  const vips: Record<string, string> = {};
  const nodePorts: Record<string, number> = {};
  const save = async () => (await inNode('iptables-save', [])).stdout;

  const createService = async (name: string, spec: Record<string, unknown>) => {
    const s = await client.post('/api/v1/namespaces/default/services', { metadata: { name }, spec });
    vips[name] = s.spec.clusterIP;
    nodePorts[name] = s.spec.ports[0].nodePort;
  };
  const slice = (svc: string, eps: Array<[TestNs, string]>, protocol = 'TCP') => ({
    metadata: { name: `${svc}-1`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: eps.map(([n, nodeName]) => ({ addresses: [n.ip], conditions: { ready: true }, nodeName })),
    ports: [{ name: 'p', port: 8080, protocol }],
  });
  const putSlice = async (svc: string, eps: Array<[TestNs, string]>, protocol = 'TCP') => {
    const path = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
    try {
      const cur = await client.get(`${path}/${svc}-1`);
      await client.put(`${path}/${svc}-1`, { ...slice(svc, eps, protocol), metadata: { ...cur.metadata } });
    } catch {
      await client.post(path, slice(svc, eps, protocol));
    }
  };

  before(async () => {
    hostChainsBefore = await hostChains();
    api = await startTestApiServer();
    client = new RestClient({ ...loadKubeconfig(api.kubeconfig), userAgent: 'proxy-test' });
    net = createTestNetwork();
    node = net.addNs('node'); // .11
    a = net.addNs('a'); // .12
    b = net.addNs('b'); // .13
    c = net.addNs('c'); // .14
    inNode = (cmd, args, input) => exec('ip', ['netns', 'exec', node.ns, cmd, ...args], input);
    // The node forwards (and sends no redirects: pods must keep routing through it).
    node.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']);
    // a and b are "pods" of the node: a /32 each and every route through the node.
    for (const p of [a, b]) {
      p.exec('ip', ['addr', 'del', `${p.ip}/24`, 'dev', 'eth0']);
      p.exec('ip', ['addr', 'add', `${p.ip}/32`, 'dev', 'eth0']);
      p.exec('ip', ['route', 'add', node.ip, 'dev', 'eth0']);
      p.exec('ip', ['route', 'add', 'default', 'via', node.ip]);
    }
    // c, off the cluster CIDR, sends service traffic to the node.
    c.exec('ip', ['route', 'add', '10.96.0.0/12', 'via', node.ip]);
    await net.serve(a, 8080);
    await net.serve(b, 8080);
    const port = (p: number, extra: Record<string, unknown> = {}) => ({ ports: [{ name: 'p', port: p, targetPort: 8080, ...extra }] });
    await createService('web', { ...port(80), type: 'NodePort' });
    await createService('sticky', { ...port(80), sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    await createService('empty', { ...port(80), type: 'NodePort' });
    await createService('self', port(80));
    await createService('dns', port(53, { protocol: 'UDP' }));
    await createService('local', { ...port(80), type: 'NodePort', externalTrafficPolicy: 'Local' });
    await createService('itp', { ...port(80), internalTrafficPolicy: 'Local' });
    await putSlice('web', [[a, NODE], [b, 'other-node']]);
    await putSlice('sticky', [[a, NODE], [b, NODE]]);
    await putSlice('self', [[a, NODE]]);
    await putSlice('dns', [[a, NODE], [b, NODE]], 'UDP');
    await putSlice('local', [[a, NODE], [b, 'other-node']]);
    await putSlice('itp', [[a, 'other-node'], [b, NODE]]);
    // The pods' CIDR: a and b (.12/31), not the node or c.
    const clusterCIDR = `${a.ip}/31`;
    const log = logger('proxy');
    const proxier = new IptablesProxier({ log, clusterCIDR, run: inNode });
    proxy = new ServiceProxy({ client, proxier, nodeName: NODE, minSyncPeriodMs: 50, syncPeriodMs: 30_000, log });
    done = proxy.start(ac.signal);
    await proxy.ready;
  });

  after(async () => {
    ac.abort();
    await done;
    net?.cleanup();
    client?.close();
    await api?.stop();
  });

  test('KEELSON chains in the node namespace, jumped to from the built-in chains once; none in the host', async () => {
    const s = await save();
    assert.match(s, /^-A PREROUTING -m comment --comment "keelson service portals" -j KEELSON-SERVICES$/m);
    assert.match(s, /^-A POSTROUTING -m comment --comment "keelson postrouting rules" -j KEELSON-POSTROUTING$/m);
    assert.match(s, /^:KEELSON-SVC-[A-Z2-7]{16} /m);
    assert.match(s, /-m statistic --mode random --probability 0\.5/);
    assert.match(s, /-j MASQUERADE --random-fully/);
    assert.equal(await hostChains(), hostChainsBefore);
  });

  test('ClusterIP from the node balances over both backends', async () => {
    const got = await names(`http://${vips.web}/`, 20, node);
    assert.ok(got.includes('a') && got.includes('b'), `got ${got.join(',')}`);
  });

  test('ClusterIP from off the cluster CIDR is masqueraded; from a pod it keeps the pod address', async () => {
    const got = await names(`http://${vips.web}/`, 20, c);
    assert.ok(got.includes('a') && got.includes('b'), `got ${got.join(',')}`);
    assert.equal((await curl(`http://${vips.self}/`, c)).body, `a ${node.ip}`);
    assert.equal((await curl(`http://${vips.self}/`, b)).body, `a ${b.ip}`);
  });

  test('NodePort on the node address, from a client and from the node itself', async () => {
    const fromC = await names(`http://${node.ip}:${nodePorts.web}/`, 20, c);
    assert.ok(fromC.includes('a') && fromC.includes('b'), `got ${fromC.join(',')}`);
    assert.match((await curl(`http://${node.ip}:${nodePorts.web}/`, node)).body, /^[ab] /);
  });

  test('sessionAffinity ClientIP sticks to one backend, also across a sync', async () => {
    const got = await names(`http://${vips.sticky}/`, 12, c);
    assert.equal(new Set(got).size, 1, `got ${got.join(',')}`);
    assert.match(got[0], /^[ab]$/);
    assert.match(await save(), /-m recent --rcheck --seconds 60 --reap --name KEELSON-SEP-/);
    // Another service changes: the restore rewrites every chain, the recent lists stay.
    await createService('extra', { ports: [{ name: 'p', port: 80, targetPort: 8080 }] });
    await until('extra programmed', async () => (await save()).includes(`${vips.extra}/32`), 10_000);
    assert.deepEqual(new Set(await names(`http://${vips.sticky}/`, 6, c)), new Set(got));
  });

  test('a service without endpoints refuses connections fast: ClusterIP (node and client), NodePort, unknown port', async () => {
    const results = [await curl(`http://${vips.empty}/`, node), await curl(`http://${vips.empty}/`, c), await curl(`http://${node.ip}:${nodePorts.empty}/`, c), await curl(`http://${vips.web}:81/`, c)];
    for (const r of results) {
      assert.equal(r.code, 7, `curl exit ${r.code} (7 = connection refused), body ${r.body}`);
      assert.ok(r.ms < 2000, `took ${r.ms} ms`);
    }
  });

  test('hairpin: a backend reaches itself through its service, masqueraded', async () => {
    assert.equal((await curl(`http://${vips.self}/`, a)).body, `a ${node.ip}`);
  });

  test('UDP ClusterIP', async () => {
    const got = new Set<string>();
    for (let i = 0; i < 4; i++) got.add(udpAsk(c, vips.dns, 53));
    assert.ok(got.has('a') || got.has('b'), `got ${[...got].join(',')}`);
  });

  test('UDP: conntrack entries of a removed endpoint are deleted after the sync', async () => {
    const entries = async (ip: string) => (await inNode('conntrack', ['-L', '-p', 'udp', '--orig-dst', vips.dns, '--reply-src', ip])).stdout.trim();
    // Each question comes from a new port: ask until b has answered at least once.
    for (let i = 0; i < 30 && !(await entries(b.ip)); i++) udpAsk(c, vips.dns, 53);
    assert.notEqual(await entries(b.ip), '', 'b answered no question');
    await putSlice('dns', [[a, NODE]], 'UDP');
    await until("b's UDP conntrack entries deleted", async () => (await entries(b.ip)) === '', 10_000);
    assert.match(udpAsk(c, vips.dns, 53), /^a$/);
  });

  test('externalTrafficPolicy Local: clients reach only local endpoints and keep their address; the node reaches all', async () => {
    const url = `http://${node.ip}:${nodePorts.local}/`;
    for (let i = 0; i < 8; i++) assert.equal((await curl(url, c)).body, `a ${c.ip}`);
    const fromNode = await names(url, 20, node);
    assert.ok(fromNode.includes('a') && fromNode.includes('b'), `got ${fromNode.join(',')}`);
  });

  test('internalTrafficPolicy Local: the clusterIP goes to local endpoints only', async () => {
    assert.deepEqual(new Set(await names(`http://${vips.itp}/`, 10, c)), new Set(['b']));
  });

  test('an endpoint removed from the slice gets no more traffic; then none left: refused', async () => {
    const seps = async () => (await save()).match(/^:KEELSON-SEP-/gm)?.length ?? 0;
    const sepsBefore = await seps();
    await putSlice('web', [[a, NODE]]);
    await until('web served by a only', async () => (await names(`http://${vips.web}/`, 6, c)).every((n) => n === 'a'), 10_000);
    assert.deepEqual(new Set(await names(`http://${vips.web}/`, 15, c)), new Set(['a']));
    await putSlice('web', []);
    await until('web refused', async () => (await curl(`http://${vips.web}/`, c)).code === 7, 10_000);
    // The chains of the removed endpoints went with them.
    assert.equal(await seps(), sepsBefore - 2);
  });

  test('stopping the proxy leaves nothing of keelson in the node namespace', async () => {
    ac.abort();
    await done;
    assert.doesNotMatch(await save(), /keelson/i);
    assert.equal(await hostChains(), hostChainsBefore);
  });

  test('keelson proxy --proxy-mode iptables as a process in the node namespace: programs services, removes its rules on SIGTERM', { skip: spawnSync(bin, ['--help']).status !== 0 && 'bin/keelson not built' }, async () => {
    // The namespace reaches the apiserver's plain debugging port through a relay on the bridge.
    const target = new URL(api.url);
    const relay = netServer((sock) => sock.pipe(connect(Number(target.port), target.hostname)).pipe(sock).on('error', () => sock.destroy()));
    await new Promise<void>((r) => relay.listen(0, net.gateway, r));
    const dir = mkdtempSync(join(os.tmpdir(), 'keelson-iptables-cli-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const server = `http://${net.gateway}:${(relay.address() as AddressInfo).port}`;
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const args = ['proxy', '--kubeconfig', kubeconfig, '--proxy-mode', 'iptables', '--hostname-override', NODE, '--cluster-cidr', `${a.ip}/31`, '--healthz-bind-address', '127.0.0.1:0', '--metrics-bind-address', '', '--min-sync-period', '100ms'];
    const child = spawn('ip', ['netns', 'exec', node.ns, bin, ...args], { env: { ...process.env, KEELSON_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await until('proxy ready', async () => /"msg":"proxy ready"/.test(out) && /"mode":"iptables"/.test(out), 30_000);
      assert.match(await save(), /-A PREROUTING -m comment --comment "keelson service portals" -j KEELSON-SERVICES/);
      assert.equal((await curl(`http://${vips.self}/`, c)).body, `a ${node.ip}`);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      assert.doesNotMatch(await save(), /keelson/i);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      relay.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('keelson killall removes what a killed proxy left (in the namespace it runs in)', { skip: spawnSync(bin, ['--help']).status !== 0 && 'bin/keelson not built' }, async () => {
    const left = new IptablesProxier({ log: logger('proxy'), run: inNode });
    await left.sync(proxy.ports); // and never cleaned up
    assert.match(await save(), /KEELSON-SVC-/);
    const dir = mkdtempSync(join(os.tmpdir(), 'keelson-killall-'));
    try {
      const r = spawnSync('ip', ['netns', 'exec', node.ns, bin, 'killall', '--data-dir', dir], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /removed the service proxy's rules \(\d+ iptables chains\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.doesNotMatch(await save(), /keelson/i);
  });
});
