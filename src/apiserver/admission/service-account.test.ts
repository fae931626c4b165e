// ServiceAccount admission: the token volume and mounts, automount opt-outs, missing accounts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { serviceAccount, serviceAccountMountPath } from './service-account.js';
import { ApiError } from '../status.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await f.create('', 'namespaces', { metadata: { name: 'app' } });
  await f.create('', 'serviceaccounts', { metadata: { name: 'default', namespace: 'app' }, imagePullSecrets: [{ name: 'regcred' }] });
  await f.create('', 'serviceaccounts', { metadata: { name: 'quiet', namespace: 'app' }, automountServiceAccountToken: false });
});
after(() => f.close());

const pod = (spec: object = {}) => ({ metadata: { name: 'p', namespace: 'app' }, spec: { containers: [{ name: 'c', image: 'x' }], initContainers: [{ name: 'i', image: 'x' }], ...spec } });

test('the default account: projected token volume mounted in every container, pull secrets copied', async () => {
  const a = await admit([serviceAccount(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'app' }, pod()));
  const spec = a.object!.spec;
  assert.equal(spec.serviceAccountName, 'default');
  assert.deepEqual(spec.imagePullSecrets, [{ name: 'regcred' }]);
  const vol = spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol.projected.sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
  assert.deepEqual(vol.projected.sources[1].configMap, { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
  assert.equal(vol.projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath, 'metadata.namespace');
  for (const c of [...spec.containers, ...spec.initContainers]) assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: serviceAccountMountPath }]);
});

test('automountServiceAccountToken false on the pod or the account: no token', async () => {
  const a = await admit([serviceAccount(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'app' }, pod({ automountServiceAccountToken: false })));
  assert.equal(a.object!.spec.volumes, undefined);
  const b = await admit([serviceAccount(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'app' }, pod({ serviceAccountName: 'quiet' })));
  assert.equal(b.object!.spec.volumes, undefined);
  assert.equal(b.object!.spec.serviceAccount, 'quiet');
});

test('a container mounting the token path itself keeps its own mount', async () => {
  const p = pod({ containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'mine', mountPath: serviceAccountMountPath }] }], volumes: [{ name: 'mine', emptyDir: {} }] });
  const a = await admit([serviceAccount(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'app' }, p));
  assert.deepEqual(a.object!.spec.containers[0].volumeMounts, [{ name: 'mine', mountPath: serviceAccountMountPath }]);
  assert.equal(a.object!.spec.initContainers[0].volumeMounts[0].mountPath, serviceAccountMountPath);
});

test('a named account that does not exist is refused as kube words it', async () => {
  await assert.rejects(admit([serviceAccount(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'app' }, pod({ serviceAccountName: 'ghost' }))), (e: ApiError) => {
    assert.equal(e.code, 403);
    assert.equal(e.message, 'pods "p" is forbidden: error looking up service account app/ghost: serviceaccount "ghost" not found');
    return true;
  });
});

test('keelson divergence: a missing implicit default account admits the pod without a token', async () => {
  await f.create('', 'namespaces', { metadata: { name: 'bare' } });
  const a = await admit([serviceAccount(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'bare' }, { ...pod(), metadata: { name: 'p', namespace: 'bare' } }));
  assert.equal(a.object!.spec.volumes, undefined);
  assert.equal(a.object!.spec.serviceAccountName, 'default');
});
