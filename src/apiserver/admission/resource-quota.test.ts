// ResourceQuota admission: charges counted atomically in status.used, kube's exceeded and
// must-specify messages, scopes, dry run, and update deltas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { resourceQuota } from './resource-quota.js';
import { ApiError } from '../status.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  for (const n of ['q1', 'q2', 'q3', 'q4']) await f.create('', 'namespaces', { metadata: { name: n } });
});
after(() => f.close());

const pod = (name: string, ns: string, resources?: object) => ({ metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'x', ...(resources ? { resources } : {}) }] } });
const quotaOf = (ns: string, name: string) => f.resources.storeFor('', 'resourcequotas')!.get(ns, name);

test('concurrent creates cannot together exceed the quota; used is kept in status', async () => {
  await f.create('', 'resourcequotas', { metadata: { name: 'q', namespace: 'q1' }, spec: { hard: { pods: '2' } } });
  const plugin = resourceQuota(f.resources);
  const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q1' }, pod(`p${i}`, 'q1')))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  const denied = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  assert.equal(denied.length, 3);
  for (const d of denied) {
    assert.equal((d.reason as ApiError).code, 403);
    assert.match((d.reason as ApiError).message, /^pods "p\d" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/);
  }
  assert.deepEqual((await quotaOf('q1', 'q')).status.used, { pods: '2' });
});

test('cpu/memory quotas: containers must state them, and the sums are charged', async () => {
  await f.create('', 'resourcequotas', { metadata: { name: 'compute', namespace: 'q2' }, spec: { hard: { 'requests.cpu': '1', 'limits.cpu': '2', 'limits.memory': '1Gi' } } });
  const plugin = resourceQuota(f.resources);
  await assert.rejects(admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q2' }, pod('bare', 'q2'))), (e: ApiError) => {
    assert.equal(e.message, 'pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: c; limits.memory for: c; requests.cpu for: c');
    return true;
  });
  const r = { requests: { cpu: '600m' }, limits: { cpu: '1', memory: '512Mi' } };
  await admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q2' }, pod('a', 'q2', r)));
  await assert.rejects(admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q2' }, pod('b', 'q2', r))), (e: ApiError) => {
    assert.equal(e.message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
    return true;
  });
  assert.deepEqual((await quotaOf('q2', 'compute')).status.used, { 'requests.cpu': '600m', 'limits.cpu': '1', 'limits.memory': '512Mi' });
});

test('usage already in the namespace is counted when the controller has not filled status; dry run charges nothing', async () => {
  await f.create('', 'configmaps', { metadata: { name: 'one', namespace: 'q3' } });
  await f.create('', 'resourcequotas', { metadata: { name: 'objs', namespace: 'q3' }, spec: { hard: { configmaps: '2', 'count/secrets': '0' } } });
  const plugin = resourceQuota(f.resources);
  const cm = (name: string) => ({ metadata: { name, namespace: 'q3' } });
  await admit([plugin], attrs('CREATE', { resource: 'configmaps', namespace: 'q3' }, cm('two'), { dryRun: true }));
  assert.equal((await quotaOf('q3', 'objs')).status?.used, undefined);
  await admit([plugin], attrs('CREATE', { resource: 'configmaps', namespace: 'q3' }, cm('two')));
  assert.equal((await quotaOf('q3', 'objs')).status.used.configmaps, '2');
  await assert.rejects(admit([plugin], attrs('CREATE', { resource: 'configmaps', namespace: 'q3' }, cm('three'))), /exceeded quota: objs, requested: configmaps=1, used: configmaps=2, limited: configmaps=2/);
  await assert.rejects(admit([plugin], attrs('CREATE', { resource: 'secrets', namespace: 'q3' }, cm('s'))), /exceeded quota: objs, requested: count\/secrets=1, used: count\/secrets=0, limited: count\/secrets=0/);
});

test('scoped quotas count only matching pods; claims are charged on growth', async () => {
  await f.create('', 'resourcequotas', { metadata: { name: 'be', namespace: 'q4' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } });
  await f.create('', 'resourcequotas', { metadata: { name: 'disk', namespace: 'q4' }, spec: { hard: { 'requests.storage': '10Gi' } } });
  const plugin = resourceQuota(f.resources);
  await admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q4' }, pod('a', 'q4')));
  await admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q4' }, pod('burst', 'q4', { requests: { cpu: '1' } })));
  await assert.rejects(admit([plugin], attrs('CREATE', { resource: 'pods', namespace: 'q4' }, pod('b', 'q4'))), /exceeded quota: be/);
  const pvc = (size: string) => ({ metadata: { name: 'data', namespace: 'q4' }, spec: { resources: { requests: { storage: size } } } });
  await admit([plugin], attrs('CREATE', { resource: 'persistentvolumeclaims', namespace: 'q4' }, pvc('6Gi')));
  await assert.rejects(
    admit([plugin], attrs('UPDATE', { resource: 'persistentvolumeclaims', namespace: 'q4', name: 'data' }, pvc('12Gi'), { oldObject: pvc('6Gi') })),
    /exceeded quota: disk, requested: requests.storage=6Gi, used: requests.storage=6Gi, limited: requests.storage=10Gi/,
  );
  await admit([plugin], attrs('UPDATE', { resource: 'persistentvolumeclaims', namespace: 'q4', name: 'data' }, pvc('8Gi'), { oldObject: pvc('6Gi') }));
  assert.equal((await quotaOf('q4', 'disk')).status.used['requests.storage'], '8Gi');
});
