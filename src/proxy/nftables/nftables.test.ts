// The nftables proxy end to end (root only): a real apiserver, backends in network namespaces on
// a test bridge answering "<name> <client address>", Services and EndpointSlices written by the
// test, and the proxy programming its own table (keelson-test-<id>). Checked with curl from the
// host and from client namespaces, by response body (an unknown address may answer on port 80).
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { curl, names, udpAsk } from '../../../test/helpers/curl.js';
import { createTestNetwork, isRoot, type TestNetwork, type TestNs } from '../../../test/helpers/netns.js';
import { until } from '../../../test/helpers/until.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { exec, which } from '../exec.js';
import { startProxy, type RunningProxy } from '../index.js';

const skip = !isRoot() ? 'needs root (network namespaces, nftables)' : !which('nft') ? 'nft not installed (apt-get install nftables)' : !which('curl') ? 'curl not installed' : false;
const NODE = 'keelson-test-node';

function hostIP(): string {
  for (const [name, list] of Object.entries(os.networkInterfaces()))
    if (!name.startsWith('keelson')) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address on this host');
}

describe('nftables proxy', { skip, timeout: 180_000 }, () => {
  let api: TestApiServer;
  let client: RestClient;
  let net: TestNetwork;
  let outside: TestNetwork;
  let a: TestNs, b: TestNs, c: TestNs, ext: TestNs;
  let proxy: RunningProxy;
  const ac = new AbortController();
  let table: string;
  const vips: Record<string, string> = {};
  const nodePorts: Record<string, number> = {};

  const createService = async (name: string, spec: Record<string, unknown>) => {
    const s = await client.post('/api/v1/namespaces/default/services', { metadata: { name }, spec });
    vips[name] = s.spec.clusterIP;
    nodePorts[name] = s.spec.ports[0].nodePort;
  };
  const slice = (svc: string, eps: Array<[TestNs, string]>, protocol = 'TCP') => ({
    metadata: { name: `${svc}-1`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: eps.map(([n, node]) => ({ addresses: [n.ip], conditions: { ready: true }, nodeName: node })),
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
  const tableText = async () => (await exec('nft', ['list', 'table', 'ip', table])).stdout;

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient({ ...loadKubeconfig(api.kubeconfig), userAgent: 'proxy-test' });
    net = createTestNetwork();
    outside = createTestNetwork();
    table = `keelson-test-${net.id}`;
    a = net.addNs('a');
    b = net.addNs('b');
    c = net.addNs('c');
    ext = outside.addNs('ext');
    await net.serve(a, 8080);
    await net.serve(b, 8080);
    await exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
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
    proxy = await startProxy(
      { client, nodeName: NODE, mode: 'nftables', nftablesTable: table, clusterCIDR: net.cidr, minSyncPeriodMs: 50, syncPeriodMs: 30_000, healthz: ['127.0.0.1', 0] },
      ac.signal,
    );
    await proxy.ready;
  });

  after(async () => {
    ac.abort();
    await proxy?.done;
    await exec('nft', ['delete', 'table', 'ip', table]);
    net?.cleanup();
    outside?.cleanup();
    client?.close();
    await api?.stop();
  });

  test('the table is ours, with a chain per service port', async () => {
    const t = await tableText();
    assert.match(t, new RegExp(`table ip ${table}`));
    assert.match(t, /chain service-[A-Z2-7]{8}-default\/web\/tcp\/p /);
    assert.match(t, /numgen random mod 2 vmap/);
  });

  test('ClusterIP from the host balances over both backends', async () => {
    const got = await names(`http://${vips.web}/`, 20);
    assert.ok(got.includes('a') && got.includes('b'), `got ${got.join(',')}`);
  });

  test('ClusterIP from a client namespace balances and is masqueraded only from outside the cluster CIDR', async () => {
    const got = await names(`http://${vips.web}/`, 20, c);
    assert.ok(got.includes('a') && got.includes('b'), `got ${got.join(',')}`);
    // c is inside --cluster-cidr: the backend sees c's own address.
    assert.equal((await curl(`http://${vips.self}/`, c)).body, `a ${c.ip}`);
  });

  test('NodePort on the node address from the host and from a namespace', async () => {
    const fromHost = await names(`http://${hostIP()}:${nodePorts.web}/`, 20);
    assert.ok(fromHost.includes('a') && fromHost.includes('b'), `got ${fromHost.join(',')}`);
    const r = await curl(`http://${net.gateway}:${nodePorts.web}/`, c);
    assert.match(r.body, /^[ab] /);
  });

  test('sessionAffinity ClientIP sticks to one backend', async () => {
    const got = await names(`http://${vips.sticky}/`, 12);
    assert.equal(new Set(got).size, 1, `got ${got.join(',')}`);
    assert.match(got[0], /^[ab]$/);
    assert.match(await tableText(), /flags dynamic,timeout\n\s+timeout 1m/);
  });

  test('a service without endpoints refuses connections fast (host and namespace), ClusterIP and NodePort', async () => {
    for (const r of [await curl(`http://${vips.empty}/`), await curl(`http://${vips.empty}/`, c), await curl(`http://${hostIP()}:${nodePorts.empty}/`)]) {
      assert.equal(r.code, 7, `curl exit ${r.code} (7 = connection refused), body ${r.body}`);
      assert.ok(r.ms < 1000, `took ${r.ms} ms`);
    }
    // An unknown port of a cluster IP is refused too.
    const r = await curl(`http://${vips.web}:81/`, c);
    assert.equal(r.code, 7);
  });

  test('hairpin: a backend reaches itself through its service', async () => {
    const r = await curl(`http://${vips.self}/`, a);
    // Masqueraded: the backend sees the bridge address, not its own.
    assert.equal(r.body, `a ${net.gateway}`);
  });

  test('UDP ClusterIP', async () => {
    const got = new Set<string>();
    for (let i = 0; i < 4; i++) got.add(udpAsk(c, vips.dns, 53));
    assert.ok(got.has('a') || got.has('b'), `got ${[...got].join(',')}`);
  });

  test('externalTrafficPolicy Local: external clients reach only local endpoints and keep their address', async () => {
    const url = `http://${outside.gateway}:${nodePorts.local}/`;
    for (let i = 0; i < 8; i++) assert.equal((await curl(url, ext)).body, `a ${ext.ip}`);
    // The node itself is short-circuited to every endpoint.
    const fromHost = await names(`http://${hostIP()}:${nodePorts.local}/`, 20);
    assert.ok(fromHost.includes('a') && fromHost.includes('b'), `got ${fromHost.join(',')}`);
  });

  test('internalTrafficPolicy Local: the clusterIP goes to local endpoints only', async () => {
    assert.deepEqual(new Set(await names(`http://${vips.itp}/`, 10, c)), new Set(['b']));
  });

  test('an endpoint removed from the slice gets no more traffic after the sync', async () => {
    await putSlice('web', [[a, NODE]]);
    await until('web served by a only', async () => (await names(`http://${vips.web}/`, 6)).every((n) => n === 'a'), 10_000);
    const got = await names(`http://${vips.web}/`, 15);
    assert.deepEqual(new Set(got), new Set(['a']));
    await putSlice('web', []);
    await until('web refused', async () => (await curl(`http://${vips.web}/`)).code === 7, 10_000);
  });

  test('/healthz and /metrics', async () => {
    const h = await fetch(`http://127.0.0.1:${proxy.healthzPort}/healthz`);
    assert.equal(h.status, 200);
    assert.ok((await h.json()).lastUpdated);
    const m = await (await fetch(`http://127.0.0.1:${proxy.healthzPort}/metrics`)).text();
    assert.match(m, /kubeproxy_sync_proxy_rules_total\{mode="nftables",kind="rules"\} [1-9]/);
    assert.match(m, /kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/);
  });

  test('the table is removed when the proxy stops', async () => {
    ac.abort();
    await proxy.done;
    const r = await exec('nft', ['list', 'table', 'ip', table]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /No such file or directory/);
  });
});
