// NamespaceLifecycle admission: no content in missing or terminating namespaces, and the
// system namespaces (kube-node-lease too, in keelson) cannot be deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { ApiError } from '../status.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  // A namespace being deleted, written straight to the store (the namespace controller's state).
  const ns = f.resources.storeFor('', 'namespaces')!;
  const going = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going', uid: 'u', deletionTimestamp: new Date().toISOString() }, status: { phase: 'Terminating' } };
  await ns.store.put({ key: ns.key('', 'going'), value: ns.encode(going) });
});
after(() => f.close());

const cm = (ns: string) => attrs('CREATE', { resource: 'configmaps', namespace: ns }, { metadata: { name: 'c' } });

test('system namespaces may not be deleted', async () => {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    await assert.rejects(admit([namespaceLifecycle(f.resources)], attrs('DELETE', { resource: 'namespaces', name })), (e: ApiError) => e.code === 403 && e.message === `namespaces "${name}" is forbidden: this namespace may not be deleted`);
  await admit([namespaceLifecycle(f.resources)], attrs('DELETE', { resource: 'namespaces', name: 'going' }));
});

test('no new content in a missing or terminating namespace', async () => {
  await assert.rejects(admit([namespaceLifecycle(f.resources)], cm('nowhere')), (e: ApiError) => e.code === 404 && e.message === 'namespaces "nowhere" not found');
  await assert.rejects(admit([namespaceLifecycle(f.resources)], cm('going')), (e: ApiError) => e.code === 403 && e.message === 'configmaps "c" is forbidden: unable to create new content in namespace going because it is being terminated');
});
