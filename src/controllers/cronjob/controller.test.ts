// The CronJob controller against a real apiserver, in process, with an injected clock.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { ControllerManager } from '../manager.js';
import { until } from '../../../test/helpers/until.js';


describe('cronjob controller', () => {
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();
  let offset = 0;

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    const cm = new ControllerManager({ client, controllers: ['cronjob'], leaderElect: false, now: () => Date.now() + offset });
    void cm.start(ac.signal);
    await cm.ready;
  });
  after(async () => {
    ac.abort();
    client?.close();
    await api?.stop();
  });

  const jobs = async () => ((await client.get('/apis/batch/v1/namespaces/default/jobs')).items ?? []) as any[];
  const poke = (name: string, n: number) => client.patch(`/apis/batch/v1/namespaces/default/cronjobs/${name}`, { metadata: { labels: { poke: String(n) } } }, 'merge');

  it('fires at the scheduled minute, then honours Forbid and Replace', async () => {
    const cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: { schedule: '* * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    };
    await client.post('/apis/batch/v1/namespaces/default/cronjobs', cj);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await jobs()).length, 0, 'nothing before the first scheduled minute');
    offset = 61_000;
    await poke('tick', 1);
    const [job] = await until('first job', async () => {
      const j = await jobs();
      return j.length === 1 && j;
    });
    assert.match(job.metadata.name, /^tick-\d+$/);
    assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
    assert.equal(job.metadata.labels.team, 'a');
    assert.ok(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    const st = await until('status.active', async () => {
      const c = await client.get('/apis/batch/v1/namespaces/default/cronjobs/tick');
      return c.status?.active?.length === 1 && c.status;
    });
    assert.ok(st.lastScheduleTime);

    // Forbid: the next minute does not start another while the first is active.
    offset = 121_000;
    await poke('tick', 2);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await jobs()).length, 1);

    // Replace: the running job is replaced by the next one.
    await client.patch('/apis/batch/v1/namespaces/default/cronjobs/tick', { spec: { concurrencyPolicy: 'Replace' } }, 'merge');
    offset = 181_000;
    await poke('tick', 3);
    const replaced = await until('replacement job', async () => {
      const j = (await jobs()).filter((x) => !x.metadata.deletionTimestamp);
      return j.length === 1 && j[0].metadata.name !== job.metadata.name && j;
    });
    assert.notEqual(replaced[0].metadata.name, job.metadata.name);
  });
});
