import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../../../apiserver/index.js';
import { newContext } from '../../../apiserver/registry/generic/context.js';
import { reconcileBootstrapPolicy } from './reconcile.js';

const rbac = 'rbac.authorization.k8s.io';
let api: ApiServer;
let dir: string;

describe('bootstrap policy reconciliation', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keelson-rbac-'));
    api = await startApiServer({ dataDir: dir, securePort: 0, bindAddress: '127.0.0.1', writeKubeconfig: false, compactionIntervalSeconds: 0 });
  });
  after(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the policy on start', async () => {
    const roles = api.resources.storeFor(rbac, 'clusterroles')!;
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:kube-scheduler', 'system:controller:deployment-controller', 'system:public-info-viewer'])
      assert.ok(await roles.get('', name), name);
    const crb = await api.resources.storeFor(rbac, 'clusterrolebindings')!.get('', 'cluster-admin');
    assert.deepEqual(crb.subjects, [{ kind: 'Group', apiGroup: rbac, name: 'system:masters' }]);
    assert.ok(await api.resources.storeFor(rbac, 'roles')!.get('kube-system', 'system::leader-locking-kube-scheduler'));
  });

  it('puts back missing rules and subjects of autoupdate objects, leaves opted-out ones alone', async () => {
    const roles = api.resources.storeFor(rbac, 'clusterroles')!;
    const crbs = api.resources.storeFor(rbac, 'clusterrolebindings')!;
    const view = await roles.get('', 'system:aggregate-to-view');
    const full = view.rules.length;
    await roles.update(newContext(''), view.metadata!.name, { ...view, rules: view.rules.slice(1).concat([{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }]) });
    const binding = await crbs.get('', 'system:discovery');
    await crbs.update(newContext(''), binding.metadata!.name, { ...binding, subjects: [] });
    const basic = await crbs.get('', 'system:basic-user');
    await crbs.update(newContext(''), basic.metadata!.name, { ...basic, metadata: { ...basic.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, subjects: [] });
    await reconcileBootstrapPolicy(api.resources);
    const after = await roles.get('', 'system:aggregate-to-view');
    assert.equal(after.rules.length, full + 1, 'missing rule added, the extra one kept');
    assert.deepEqual((await crbs.get('', 'system:discovery')).subjects, [{ kind: 'Group', apiGroup: rbac, name: 'system:authenticated' }]);
    assert.deepEqual((await crbs.get('', 'system:basic-user')).subjects ?? [], []);
  });
});
