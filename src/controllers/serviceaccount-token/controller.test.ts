// The tokens controller against a real apiserver (in process): a token Secret gets a legacy JWT,
// ca.crt, namespace and the uid annotation; that token authenticates on the TLS port until its
// Secret is deleted; a token Secret of a missing service account is deleted, and deleting a
// service account deletes its token Secrets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient, isNotFound } from '../../client/rest-client.js';
import { ControllerManager } from '../manager.js';
import { until } from '../../../test/helpers/until.js';

describe('serviceaccount-token controller', () => {
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();
  const clients: RestClient[] = [];

  before(async () => {
    api = await startTestApiServer({ inProcess: true });
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    const cm = new ControllerManager({ client, controllers: ['serviceaccount-token'], leaderElect: false, options: { serviceAccountPrivateKeyFile: join(api.dataDir, 'pki', 'sa.key'), rootCaFile: join(api.dataDir, 'pki', 'ca.crt') } });
    void cm.start(ac.signal);
    await cm.ready;
  });
  after(async () => {
    ac.abort();
    client?.close();
    for (const c of clients) c.close();
    await api?.stop();
  });

  const secretPath = (name: string) => `/api/v1/namespaces/default/secrets/${name}`;
  const tokenSecret = (name: string, sa: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, annotations: { 'kubernetes.io/service-account.name': sa } }, type: 'kubernetes.io/service-account-token' });
  const asToken = (token: string) => {
    const c = new RestClient({ server: api.secureUrl, insecureSkipTLSVerify: true, token });
    clients.push(c);
    return c;
  };

  it('fills a token Secret with a legacy token that authenticates until the Secret is gone', async () => {
    const sa: any = await client.post('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'legacy' } });
    await client.post('/api/v1/namespaces/default/secrets', tokenSecret('legacy-token', 'legacy'));
    const s = await until('the token to be filled in', async () => {
      const x = await client.get(secretPath('legacy-token'));
      return x.data?.token && x;
    });
    const token = Buffer.from(s.data.token, 'base64').toString('utf8');
    assert.equal(Buffer.from(s.data.namespace, 'base64').toString('utf8'), 'default');
    assert.equal(Buffer.from(s.data['ca.crt'], 'base64').toString('utf8'), readFileSync(join(api.dataDir, 'pki', 'ca.crt'), 'utf8'));
    assert.equal(s.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    assert.deepEqual(claims, {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'default',
      'kubernetes.io/serviceaccount/secret.name': 'legacy-token',
      'kubernetes.io/serviceaccount/service-account.name': 'legacy',
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
      sub: 'system:serviceaccount:default:legacy',
    });
    const review = await asToken(token).post('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(review.status.userInfo.username, 'system:serviceaccount:default:legacy');
    assert.equal(review.status.userInfo.uid, sa.metadata.uid);

    await client.delete(secretPath('legacy-token'));
    const err = await until('the legacy token to be rejected', async () => {
      try {
        await asToken(token).post('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
        return false;
      } catch (e) {
        return e as Error & { code?: number };
      }
    });
    assert.match(err.message, /Unauthorized/);
  });

  it('deletes token Secrets of missing or deleted service accounts', async () => {
    await client.post('/api/v1/namespaces/default/secrets', tokenSecret('orphan-token', 'nobody'));
    await until('the orphan token Secret to be deleted', async () => client.get(secretPath('orphan-token')).then(() => false, (e) => isNotFound(e)));

    await client.post('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shortlived' } });
    await client.post('/api/v1/namespaces/default/secrets', tokenSecret('shortlived-token', 'shortlived'));
    await until('the token to be filled in', async () => (await client.get(secretPath('shortlived-token'))).data?.token);
    await client.delete('/api/v1/namespaces/default/serviceaccounts/shortlived');
    await until('the Secret to go with its service account', async () => client.get(secretPath('shortlived-token')).then(() => false, (e) => isNotFound(e)));
  });
});
