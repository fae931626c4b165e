// The userspace proxy end to end, without root: a real apiserver, backends as HTTP/UDP servers in
// this process on the host's address, Services and EndpointSlices written by the test; checked
// through the NodePorts on 127.0.0.1 and the per-service local listeners.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { until } from '../../../test/helpers/until.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { startProxy, type RunningProxy } from '../index.js';
import type { ListenerInfo } from './proxier.js';

function hostIP(): string {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address');
}

/** One request on a new connection (a kept-alive one would stay on its endpoint). */
function get(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** 'refused' when nothing listens, else the body. */
async function tryGet(port: number): Promise<string> {
  return await get(port).catch((e: Error & { code?: string }) => (e.code === 'ECONNREFUSED' ? 'refused' : `error ${e.code ?? e.message}`));
}

function udpAsk(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => (s.close(), resolve('')), 2000);
    s.on('message', (m) => (clearTimeout(t), s.close(), resolve(String(m))));
    s.send('hi', port, '127.0.0.1');
  });
}

describe('userspace proxy', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let client: RestClient;
  let proxy: RunningProxy;
  const ac = new AbortController();
  const ip = hostIP();
  const backends: Array<http.Server | dgram.Socket> = [];
  const ports: Record<string, number> = {};
  const nodePorts: Record<string, number> = {};

  const httpBackend = async (name: string) => {
    const s = http.createServer((_req, res) => res.end(name));
    await new Promise<void>((r) => s.listen(0, ip, r));
    backends.push(s);
    ports[name] = (s.address() as net.AddressInfo).port;
  };
  const udpBackend = async (name: string) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (_m, r) => s.send(name, r.port, r.address));
    await new Promise<void>((r) => s.bind(0, ip, r));
    backends.push(s);
    ports[name] = s.address().port;
  };
  const path = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
  // One slice per backend (each its own port, all on the host's address).
  const setEndpoints = async (svc: string, names: string[], protocol = 'TCP') => {
    const existing = (await client.get(path, { labelSelector: `kubernetes.io/service-name=${svc}` })).items as Array<{ metadata: { name: string } }>;
    for (const s of existing) await client.delete(`${path}/${s.metadata.name}`);
    for (const n of names)
      await client.post(path, {
        metadata: { name: `${svc}-${n}`, labels: { 'kubernetes.io/service-name': svc } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: 'p', port: ports[n], protocol }],
      });
  };
  const service = async (name: string, extra: Record<string, unknown> = {}, protocol = 'TCP') => {
    const s = await client.post('/api/v1/namespaces/default/services', { metadata: { name }, spec: { type: 'NodePort', ports: [{ name: 'p', port: 80, protocol }], ...extra } });
    nodePorts[name] = s.spec.ports[0].nodePort;
  };
  const listeners = async (): Promise<ListenerInfo[]> => (await fetch(`http://127.0.0.1:${proxy.healthzPort}/services`)).json() as Promise<ListenerInfo[]>;

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient({ ...loadKubeconfig(api.kubeconfig), userAgent: 'proxy-test' });
    for (const n of ['a', 'b', 'c']) await httpBackend(n);
    for (const n of ['ua', 'ub']) await udpBackend(n);
    await service('web');
    await service('sticky', { sessionAffinity: 'ClientIP' });
    await service('empty');
    await service('dns', {}, 'UDP');
    await setEndpoints('web', ['a', 'b']);
    await setEndpoints('sticky', ['a', 'b', 'c']);
    await setEndpoints('dns', ['ua', 'ub'], 'UDP');
    proxy = await startProxy({ client, nodeName: 'n1', mode: 'userspace', minSyncPeriodMs: 50, nodePortAddresses: ['127.0.0.0/8'], healthz: ['127.0.0.1', 0] }, ac.signal);
    await proxy.ready;
  });

  after(async () => {
    ac.abort();
    await proxy?.done;
    for (const b of backends) b.close();
    client?.close();
    await api?.stop();
  });

  test('a NodePort balances round-robin over the ready endpoints', async () => {
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await get(nodePorts.web));
    assert.deepEqual(new Set(got), new Set(['a', 'b']));
    for (let i = 1; i < got.length; i++) assert.notEqual(got[i], got[i - 1], `not round-robin: ${got.join(',')}`);
  });

  test('each service port has a local listener, listed on /services', async () => {
    const l = await listeners();
    const svc = l.find((x) => x.service === 'default/web:p' && x.kind === 'service');
    assert.ok(svc, JSON.stringify(l));
    assert.equal(svc.address, '127.0.0.1');
    assert.match(await get(svc.port), /^[ab]$/);
    assert.ok(l.some((x) => x.service === 'default/web:p' && x.kind === 'nodePort' && x.port === nodePorts.web));
  });

  test('sessionAffinity ClientIP sticks to one endpoint', async () => {
    const got = new Set<string>();
    for (let i = 0; i < 6; i++) got.add(await get(nodePorts.sticky));
    assert.equal(got.size, 1, [...got].join(','));
  });

  test('no endpoints: connection refused', async () => {
    assert.equal(await tryGet(nodePorts.empty), 'refused');
  });

  test('UDP NodePort', async () => {
    const got = new Set<string>();
    for (let i = 0; i < 4; i++) got.add(await udpAsk(nodePorts.dns));
    assert.deepEqual(got, new Set(['ua', 'ub']));
  });

  test('endpoints change: removed ones get no traffic; none left closes the port; new ones reopen it', async () => {
    await setEndpoints('web', ['b']);
    await until('web on b only', async () => [await tryGet(nodePorts.web), await tryGet(nodePorts.web)].every((x) => x === 'b'), 10_000);
    for (let i = 0; i < 4; i++) assert.equal(await get(nodePorts.web), 'b');
    await setEndpoints('web', []);
    await until('web refused', async () => (await tryGet(nodePorts.web)) === 'refused', 10_000);
    await setEndpoints('web', ['c']);
    await until('web back on c', async () => (await tryGet(nodePorts.web)) === 'c', 10_000);
  });

  test('/healthz and /metrics', async () => {
    const h = await fetch(`http://127.0.0.1:${proxy.healthzPort}/healthz`);
    assert.equal(h.status, 200);
    const m = await (await fetch(`http://127.0.0.1:${proxy.healthzPort}/metrics`)).text();
    assert.match(m, /kubeproxy_sync_proxy_rules_total\{mode="userspace",kind="rules"\} [1-9]/);
  });

  test('stopping closes every listener', async () => {
    const before = await get(nodePorts.sticky);
    assert.match(before, /^[abc]$/);
    ac.abort();
    await proxy.done;
    assert.equal(await tryGet(nodePorts.sticky), 'refused');
  });
});
