// The token cleaner and bootstrap signer against a real apiserver (in process): an expired
// bootstrap token Secret is deleted, cluster-info gets a detached JWS per signing token that
// verifies with the token, and loses it when the token goes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify } from 'jose';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient, isNotFound } from '../../client/rest-client.js';
import { ControllerManager } from '../manager.js';
import { until } from '../../../test/helpers/until.js';
import { enabledControllers } from '../registry.js';

describe('bootstrap token controllers', () => {
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();

  before(async () => {
    api = await startTestApiServer({ inProcess: true });
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    const cm = new ControllerManager({ client, controllers: ['tokencleaner', 'bootstrapsigner'], leaderElect: false });
    void cm.start(ac.signal);
    await cm.ready;
  });
  after(async () => {
    ac.abort();
    client?.close();
    await api?.stop();
  });

  const secret = (id: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: { 'token-id': id, 'token-secret': '0123456789abcdef', ...data },
  });
  const secretsPath = '/api/v1/namespaces/kube-system/secrets';

  it('both are off by default, as in kube', () => {
    const on = enabledControllers(['*']);
    assert.ok(!on.includes('tokencleaner') && !on.includes('bootstrapsigner'));
    assert.ok(on.includes('serviceaccount-token'));
  });

  it('the token cleaner deletes expired bootstrap tokens, and one that expires later when it does', async () => {
    await client.post(secretsPath, secret('old000', { expiration: '2020-01-01T00:00:00Z' }));
    await client.post(secretsPath, secret('soon00', { expiration: new Date(Date.now() + 2000).toISOString() }));
    await client.post(secretsPath, secret('keep00', { expiration: '2999-01-01T00:00:00Z' }));
    await until('the expired token to be deleted', async () => client.get(`${secretsPath}/bootstrap-token-old000`).then(() => false, (e) => isNotFound(e)));
    assert.ok(await client.get(`${secretsPath}/bootstrap-token-soon00`));
    await until('the token to be deleted when it expires', async () => client.get(`${secretsPath}/bootstrap-token-soon00`).then(() => false, (e) => isNotFound(e)), 15_000);
    assert.ok(await client.get(`${secretsPath}/bootstrap-token-keep00`));
  });

  it('the bootstrap signer signs cluster-info with each signing token', async () => {
    const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters:\n- name: ""\n  cluster: {server: "https://10.0.0.1:6443"}\n';
    await client.post('/api/v1/namespaces/kube-public/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data: { kubeconfig } });
    await client.post(secretsPath, secret('sign00', { 'usage-bootstrap-signing': 'true' }));
    await client.post(secretsPath, secret('nosign', { 'usage-bootstrap-authentication': 'true' }));
    const cm = await until('the signature', async () => {
      const c = await client.get('/api/v1/namespaces/kube-public/configmaps/cluster-info');
      return c.data?.['jws-kubeconfig-sign00'] && c;
    });
    assert.equal(cm.data['jws-kubeconfig-nosign'], undefined);
    const [h, empty, sig] = cm.data['jws-kubeconfig-sign00'].split('.');
    assert.equal(empty, '');
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString('utf8')), { alg: 'HS256', kid: 'sign00' });
    const full = `${h}.${Buffer.from(kubeconfig).toString('base64url')}.${sig}`;
    const v = await compactVerify(full, new TextEncoder().encode('sign00.0123456789abcdef'));
    assert.equal(new TextDecoder().decode(v.payload), kubeconfig);

    await client.delete(`${secretsPath}/bootstrap-token-sign00`);
    await until('the signature to be removed', async () => !(await client.get('/api/v1/namespaces/kube-public/configmaps/cluster-info')).data?.['jws-kubeconfig-sign00']);
  });
});
