import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePatchBody, patchObject } from './patch-object.js';
import { updateManagedFields } from './managed-fields.js';
import { ApplyConflictError, PatchError } from './errors.js';

const now = new Date('2026-03-01T10:00:00Z');
const later = new Date('2026-03-01T10:05:00Z');

const liveDeployment = () =>
  updateManagedFields({
    live: undefined,
    updated: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '3', labels: { app: 'web' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
    },
    manager: 'kubectl-create',
    apiVersion: 'apps/v1',
    now,
  });

test('decodePatchBody: JSON for patches, YAML for apply, 400s otherwise', () => {
  assert.deepEqual(decodePatchBody('merge', '{"a":1}'), { a: 1 });
  assert.deepEqual(decodePatchBody('apply', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  assert.deepEqual(decodePatchBody('apply', Buffer.from('{"kind":"ConfigMap"}')), { kind: 'ConfigMap' });
  assert.throws(() => decodePatchBody('merge', '{nope'), (e: unknown) => e instanceof PatchError && e.code === 400 && e.message === 'Invalid JSON Patch');
  assert.throws(() => decodePatchBody('apply', 'a: [1'), (e: unknown) => e instanceof PatchError && e.code === 400 && e.message.startsWith('error decoding YAML: '));
  assert.throws(() => decodePatchBody('apply', '- 1\n- 2\n'), (e: unknown) => e instanceof PatchError && e.code === 400);
});

test('kubectl scale-like merge patch records the patching manager', () => {
  const out = patchObject({ type: 'merge', live: liveDeployment(), patch: { spec: { replicas: 3 } }, manager: 'kubectl-scale', apiVersion: 'apps/v1', now: later }) as any;
  assert.equal(out.spec.replicas, 3);
  const scale = out.metadata.managedFields.find((e: any) => e.manager === 'kubectl-scale');
  assert.deepEqual(scale.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const create = out.metadata.managedFields.find((e: any) => e.manager === 'kubectl-create');
  assert.ok(!('f:replicas' in create.fieldsV1['f:spec']));
});

test('strategic patch (kubectl set image) and json patch go through the same bookkeeping', () => {
  const a = patchObject({ type: 'strategic', live: liveDeployment(), patch: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } }, manager: 'kubectl-set', apiVersion: 'apps/v1', now: later }) as any;
  assert.equal(a.spec.template.spec.containers[0].image, 'nginx:2');
  assert.ok(a.metadata.managedFields.some((e: any) => e.manager === 'kubectl-set'));
  const b = patchObject({ type: 'json', live: a, patch: [{ op: 'replace', path: '/spec/replicas', value: 5 }], manager: 'kubectl-patch', apiVersion: 'apps/v1', now: later }) as any;
  assert.equal(b.spec.replicas, 5);
});

test('server-side apply through patchObject: create, then conflict with the creator', () => {
  const created = patchObject({
    type: 'apply',
    live: undefined,
    patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } },
    manager: 'kubectl',
    apiVersion: 'v1',
    now,
  }) as any;
  assert.deepEqual(created.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:a': {} } });
  const edited = patchObject({ type: 'merge', live: created, patch: { data: { a: '2' } }, manager: 'kubectl-edit', apiVersion: 'v1', now: later });
  assert.throws(
    () => patchObject({ type: 'apply', live: edited, patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '3' } }, manager: 'kubectl', apiVersion: 'v1', now: later }),
    (e: unknown) => e instanceof ApplyConflictError && e.message === 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a',
  );
});
