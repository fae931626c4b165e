// @kubernetes/client-node (JSON only, json-patch by default) against a fresh keelson apiserver:
// typed create/read/patch/delete, an informer's list+watch, and the raw Watch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('@kubernetes/client-node against keelson apiserver', () => {
  let api: TestApiServer;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    api = await startTestApiServer();
    const file = new k8s.KubeConfig();
    file.loadFromFile(api.kubeconfig);
    // Plain HTTP until the apiserver serves TLS: client-node only allows http:// with skipTLSVerify.
    kc = new k8s.KubeConfig();
    kc.loadFromOptions({ clusters: file.clusters.map((c) => ({ ...c, skipTLSVerify: true })), users: file.users, contexts: file.contexts, currentContext: file.currentContext });
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await api?.stop();
  });

  it('creates, reads, patches (json-patch and merge-patch) and deletes', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn1', labels: { a: 'b' } }, data: { k: 'v' } } });
    assert.equal(cm.metadata?.name, 'cn1');
    assert.ok(cm.metadata?.uid);
    const got = await core.readNamespacedConfigMap({ name: 'cn1', namespace: 'default' });
    assert.equal(got.data?.k, 'v');
    const patched = await core.patchNamespacedConfigMap({ name: 'cn1', namespace: 'default', body: [{ op: 'replace', path: '/data/k', value: 'v2' }] });
    assert.equal(patched.data?.k, 'v2');
    const merged = await core.patchNamespacedConfigMap(
      { name: 'cn1', namespace: 'default', body: { data: { m: 'x' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { k: 'v2', m: 'x' });
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'a=b' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cn1']);
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
    await core.deleteNamespacedConfigMap({ name: 'cn1', namespace: 'default' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'cn1', namespace: 'default' }), (e: { code?: number; body?: string }) => {
      assert.equal(e.code, 404);
      assert.match(String(e.body), /configmaps \\?"cn1\\?" not found/);
      return true;
    });
  });

  it('creates a Deployment and scales it through /scale', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'd1' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'd1', namespace: 'default' });
    assert.equal(scale.spec?.replicas, 1);
    assert.equal(scale.status?.selector, 'app=d1');
    await apps.replaceNamespacedDeploymentScale({ name: 'd1', namespace: 'default', body: { ...scale, spec: { replicas: 4 } } });
    assert.equal((await apps.readNamespacedDeployment({ name: 'd1', namespace: 'default' })).spec?.replicas, 4);
  });

  it('an informer lists and then sees adds, updates and deletes', async () => {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before' } } });
    await informer.start();
    await waitFor(() => seen.includes('add before'));
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'inf', namespace: 'default', body: [{ op: 'add', path: '/data/b', value: '2' }] });
    await core.deleteNamespacedConfigMap({ name: 'inf', namespace: 'default' });
    await waitFor(() => seen.includes('delete inf'));
    assert.deepEqual(seen.filter((s) => s.endsWith(' inf')), ['add inf', 'update inf', 'delete inf']);
    assert.ok(informer.get('before', 'default'));
    await informer.stop();
  });

  it('a raw watch with bookmarks delivers typed events', async () => {
    const w = new k8s.Watch(kc);
    const events: string[] = [];
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const req = await w.watch(
      '/api/v1/namespaces/default/configmaps',
      { allowWatchBookmarks: true, resourceVersion: list.metadata?.resourceVersion },
      (type, obj) => events.push(`${type} ${obj.metadata?.name ?? ''}`),
      () => undefined,
    );
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'rw' } } });
    await waitFor(() => events.includes('ADDED rw'));
    req.abort();
    assert.deepEqual(events.filter((e) => !e.startsWith('BOOKMARK')), ['ADDED rw']);
  });
});
