// The node lifecycle controller's NoSchedule taint follows a node's Ready condition as it changes
// (kube's doNoScheduleTaintingPass on node updates), not only at its periodic health pass: here
// the pass runs once at start and then not for ten minutes, so only the node updates can taint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { until } from '../../../test/helpers/until.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { ControllerManager } from '../manager.js';

const name = 'keelson-lifecycle-a';
const path = `/api/v1/nodes/${name}`;
const ready = (status: string, reason: string) => [{ type: 'Ready', status, reason, message: reason, lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }];

describe('node lifecycle controller: NoSchedule taint on Ready changes', () => {
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();

  before(async () => {
    api = await startTestApiServer({ inProcess: true });
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    const cm = new ControllerManager({ client, controllers: ['node-lifecycle'], leaderElect: false, options: { nodeMonitorPeriodMs: 600_000 } });
    void cm.start(ac.signal);
    await cm.ready;
  });
  after(async () => {
    ac.abort();
    await client?.delete(path).catch(() => undefined);
    client?.close();
    await api?.stop();
  });

  const taints = async () => ((await client.get(path)).spec?.taints ?? []).map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`).sort();

  it('taints a node when it turns NotReady, untaints it when Ready again, at once', async () => {
    await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: ready('True', 'KubeletReady') } });
    await client.patch(`${path}/status`, { status: { conditions: ready('False', 'KubeletNotReady') } }, 'strategic');
    await until('not-ready NoSchedule taint', async () => (await taints()).includes('node.kubernetes.io/not-ready:NoSchedule'), 5000);
    await client.patch(`${path}/status`, { status: { conditions: ready('True', 'KubeletReady') } }, 'strategic');
    await until('taint removed', async () => (await taints()).length === 0, 5000);
    await client.patch(`${path}/status`, { status: { conditions: ready('False', 'KubeletNotReady') } }, 'strategic');
    await until('tainted again', async () => (await taints()).includes('node.kubernetes.io/not-ready:NoSchedule'), 5000);
    // NoExecute taints stay the periodic pass's (its eviction rate limits), as in kube.
    assert.deepEqual(await taints(), ['node.kubernetes.io/not-ready:NoSchedule']);
  });

  it('leaves a node that registers NotReady and turns Ready moments later without a taint', async () => {
    const b = `${name}-b`;
    try {
      await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: b }, status: { conditions: ready('False', 'KubeletNotReady') } });
      await new Promise((r) => setTimeout(r, 300));
      await client.patch(`/api/v1/nodes/${b}/status`, { status: { conditions: ready('True', 'KubeletReady') } }, 'strategic');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await client.get(`/api/v1/nodes/${b}`)).spec?.taints, undefined);
    } finally {
      await client.delete(`/api/v1/nodes/${b}`).catch(() => undefined);
    }
  });
});
