import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';

const p = (m: string, path: string, q = '') => parseRequestInfo(m, path, new URLSearchParams(q));

test('resource paths', () => {
  let i = p('GET', '/api/v1/namespaces/default/pods/web');
  assert.deepEqual([i.verb, i.group, i.version, i.namespace, i.resource, i.name, i.subresource], ['get', '', 'v1', 'default', 'pods', 'web', '']);
  i = p('GET', '/api/v1/namespaces/default/pods');
  assert.equal(i.verb, 'list');
  i = p('GET', '/api/v1/namespaces/default/pods', 'watch=true');
  assert.equal(i.verb, 'watch');
  i = p('GET', '/api/v1/watch/namespaces/default/pods/web');
  assert.deepEqual([i.verb, i.name], ['watch', 'web']);
  i = p('GET', '/apis/apps/v1/deployments');
  assert.deepEqual([i.verb, i.group, i.namespace, i.resource], ['list', 'apps', '', 'deployments']);
  i = p('PUT', '/apis/apps/v1/namespaces/x/deployments/d/scale');
  assert.deepEqual([i.verb, i.subresource, i.name], ['update', 'scale', 'd']);
  i = p('DELETE', '/api/v1/namespaces/x/configmaps');
  assert.equal(i.verb, 'deletecollection');
});

test('namespaces and their subresources', () => {
  let i = p('GET', '/api/v1/namespaces/kube-system');
  assert.deepEqual([i.resource, i.name, i.namespace], ['namespaces', 'kube-system', 'kube-system']);
  i = p('PUT', '/api/v1/namespaces/team/finalize');
  assert.deepEqual([i.resource, i.name, i.subresource], ['namespaces', 'team', 'finalize']);
  i = p('GET', '/api/v1/namespaces');
  assert.deepEqual([i.verb, i.resource, i.namespace], ['list', 'namespaces', '']);
});

test('non-resource paths', () => {
  assert.equal(p('GET', '/api').isResourceRequest, false);
  assert.equal(p('GET', '/api/v1').isResourceRequest, false);
  assert.equal(p('GET', '/apis/apps').isResourceRequest, false);
  assert.equal(p('GET', '/apis/apps/v1').isResourceRequest, false);
  assert.equal(p('GET', '/healthz').isResourceRequest, false);
});
