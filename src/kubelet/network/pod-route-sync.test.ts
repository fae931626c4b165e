// Routes to other nodes' pod CIDRs follow the Node objects of a real apiserver (root: the
// routes are made in a network namespace of the test's own).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { until } from '../../../test/helpers/until.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { logger } from '../../util/log.js';
import { currentPodRoutes } from './pod-routes.js';
import { startPodRouteSync } from './pod-route-sync.js';

const root = process.getuid?.() === 0;

describe('pod route sync', { skip: root ? false : 'skipped: needs root (ip netns)' }, () => {
  const ns = `keelson-rs-${process.pid}`;
  const ipn = (...a: string[]) => spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();

  before(async () => {
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    ipn('link', 'add', 'kt0', 'type', 'veth', 'peer', 'name', 'kt1');
    ipn('addr', 'add', '192.0.2.10/24', 'dev', 'kt0');
    ipn('link', 'set', 'kt0', 'up');
    ipn('link', 'set', 'kt1', 'up');
    api = await startTestApiServer();
    client = new RestClient(loadKubeconfig(api.kubeconfig));
  });
  after(async () => {
    ac.abort();
    client?.close();
    await api?.stop();
    spawnSync('ip', ['netns', 'del', ns]);
  });

  const addNode = async (name: string, podCIDR: string, ip: string) => {
    const n = await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR, podCIDRs: [podCIDR] } });
    await client.put(`/api/v1/nodes/${name}/status`, { ...n, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } });
  };

  it('adds a route per other node, follows address changes, drops the routes of nodes that leave', async () => {
    await addNode('me', '10.42.0.0/24', '192.0.2.10');
    await addNode('b', '10.42.1.0/24', '192.0.2.2');
    const s = startPodRouteSync({ client, nodeName: 'me', log: logger('test'), netns: ns }, ac.signal);
    await s.synced;
    assert.deepEqual(currentPodRoutes({ netns: ns }), [{ dst: '10.42.1.0/24', via: '192.0.2.2' }]);
    await addNode('c', '10.42.2.0/24', '192.0.2.3');
    await until('route to c', async () => currentPodRoutes({ netns: ns }).some((r) => r.dst === '10.42.2.0/24' && r.via === '192.0.2.3'), 10_000);
    const c = await client.get('/api/v1/nodes/c');
    await client.put('/api/v1/nodes/c/status', { ...c, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.4' }] } });
    await until('route to c via its new address', async () => currentPodRoutes({ netns: ns }).some((r) => r.dst === '10.42.2.0/24' && r.via === '192.0.2.4'), 10_000);
    await client.delete('/api/v1/nodes/b');
    await until('route to b removed', async () => JSON.stringify(currentPodRoutes({ netns: ns })) === JSON.stringify([{ dst: '10.42.2.0/24', via: '192.0.2.4' }]), 10_000);
  });

  it('puts back a route removed behind its back at the periodic resync, though no node changed', async () => {
    const resync = new AbortController();
    try {
      const s = startPodRouteSync({ client, nodeName: 'me', log: logger('test'), netns: ns, resyncMs: 300 }, resync.signal);
      await s.synced;
      assert.equal(ipn('route', 'del', '10.42.2.0/24').status, 0);
      assert.deepEqual(currentPodRoutes({ netns: ns }), []);
      await until('route to c restored', async () => currentPodRoutes({ netns: ns }).some((r) => r.dst === '10.42.2.0/24' && r.via === '192.0.2.4'), 10_000);
    } finally {
      resync.abort();
    }
  });
});
