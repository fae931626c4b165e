import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, patchTypeFromContentType, isBuiltinKind, openAPIExtensions, mergeInfoFor, PatchError } from './index.js';

test('content types map to patch types; charset is ignored', () => {
  assert.equal(patchTypeFromContentType('application/json-patch+json', true), 'json');
  assert.equal(patchTypeFromContentType('application/merge-patch+json; charset=utf-8', true), 'merge');
  assert.equal(patchTypeFromContentType('application/strategic-merge-patch+json', true), 'strategic');
  assert.equal(patchTypeFromContentType('application/apply-patch+yaml', false), 'apply');
});

test('unsupported patch content types are 415 with the accepted list', () => {
  assert.throws(() => patchTypeFromContentType('application/json', true), (e: unknown) => {
    assert.ok(e instanceof PatchError);
    assert.equal(e.code, 415);
    assert.equal(
      e.message,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    return true;
  });
  assert.throws(() => patchTypeFromContentType('application/strategic-merge-patch+json', false), /application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml$/);
});

test('applyPatch dispatches by type', () => {
  const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { x: '1' } };
  assert.deepEqual(applyPatch('merge', live, { data: { x: null, y: '2' } }).data, { y: '2' });
  assert.deepEqual(applyPatch('json', live, [{ op: 'add', path: '/data/z', value: '3' }]).data, { x: '1', z: '3' });
  assert.deepEqual((applyPatch('strategic', live, { metadata: { labels: { b: '2' } } }).metadata as any).labels, { a: '1', b: '2' });
  assert.throws(() => applyPatch('json', live, [{ op: 'replace', path: '', value: [1] }]), (e: any) => e.code === 400);
});

test('built-in kinds and openapi extensions', () => {
  assert.ok(isBuiltinKind('v1', 'Pod'));
  assert.ok(isBuiltinKind('rbac.authorization.k8s.io/v1', 'Role'));
  assert.ok(!isBuiltinKind('example.com/v1', 'Widget'));
  const containers = mergeInfoFor('v1', 'Pod')!.fields!.spec.fields!.containers;
  assert.deepEqual(openAPIExtensions(containers), {
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': 'name',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  });
});
