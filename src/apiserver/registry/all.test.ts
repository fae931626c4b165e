import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinStrategies } from './all.js';

const key = (s: { info: { group: string; resource: string } }) => `${s.info.group}/${s.info.resource}`;
const gvr = (s: { info: { group: string; version: string; resource: string } }) => `${s.info.group}/${s.info.version}/${s.info.resource}`;

test('every built-in resource is listed once with complete ResourceInfo', () => {
  const seen = new Set<string>();
  for (const s of builtinStrategies) {
    assert.ok(!seen.has(gvr(s)), `duplicate ${gvr(s)}`);
    seen.add(gvr(s));
    seen.add(key(s));
    const i = s.info;
    assert.ok(i.kind && i.listKind === i.kind + 'List', key(s));
    assert.equal(i.singular, i.kind.toLowerCase(), key(s));
    assert.ok(i.verbs && i.verbs.length > 0, key(s));
    assert.equal(typeof i.namespaced, 'boolean');
  }
  for (const want of ['/pods', '/nodes', '/services', '/namespaces', 'apps/deployments', 'batch/cronjobs', 'rbac.authorization.k8s.io/clusterrolebindings', 'apiextensions.k8s.io/customresourcedefinitions', 'events.k8s.io/events', 'autoscaling/horizontalpodautoscalers'])
    assert.ok(seen.has(want), want);
});

test('storage prefixes follow kube-apiserver', () => {
  const prefix = (k: string) => {
    const s = builtinStrategies.find((x) => key(x) === k)!;
    return s.info.storagePrefix ?? s.info.resource;
  };
  assert.equal(prefix('/nodes'), 'minions');
  assert.equal(prefix('/services'), 'services/specs');
  assert.equal(prefix('/endpoints'), 'services/endpoints');
  assert.equal(prefix('/replicationcontrollers'), 'controllers');
  assert.equal(prefix('networking.k8s.io/ingresses'), 'ingress');
  assert.equal(prefix('apiextensions.k8s.io/customresourcedefinitions'), 'apiextensions.k8s.io/customresourcedefinitions');
  assert.equal(prefix('events.k8s.io/events'), prefix('/events'));
  assert.equal(prefix('apps/deployments'), 'deployments');
});

test('discovery facts kubectl relies on', () => {
  const info = (k: string) => builtinStrategies.find((x) => key(x) === k)!.info;
  const all = builtinStrategies.filter((s) => s.info.categories?.includes('all')).map(key).sort();
  assert.deepEqual([...new Set(all)], ['/pods', '/replicationcontrollers', '/services', 'apps/daemonsets', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'autoscaling/horizontalpodautoscalers', 'batch/cronjobs', 'batch/jobs']);
  // events.k8s.io and autoscaling/v1 share storage with another version through a conversion
  const shared = builtinStrategies.filter((s) => s.storageConversion).map(gvr).sort();
  assert.deepEqual(shared, ['autoscaling/v1/horizontalpodautoscalers', 'events.k8s.io/v1/events']);
  const hpaVersions = builtinStrategies.filter((s) => key(s) === 'autoscaling/horizontalpodautoscalers').map((s) => s.info.version);
  assert.deepEqual(hpaVersions, ['v2', 'v1']);
  assert.deepEqual(info('/pods').shortNames, ['po']);
  assert.deepEqual(info('apps/deployments').shortNames, ['deploy']);
  assert.deepEqual(info('/bindings').verbs, ['create']);
  assert.ok(!info('/services').verbs!.includes('deletecollection'));
  assert.ok(info('/configmaps').verbs!.includes('deletecollection'));
  // scale subresources
  const scaled = builtinStrategies.filter((s) => s.scale).map(key).sort();
  assert.deepEqual(scaled, ['/replicationcontrollers', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets']);
  // every kind that can be read (not bindings nor the create-only reviews) prints a table whose
  // first column is the name (events: last)
  for (const s of builtinStrategies) {
    if (!s.info.verbs!.includes('get')) continue;
    assert.ok(s.table, key(s));
    assert.ok(s.table!.columns.some((c) => c.format === 'name'), key(s));
  }
});
