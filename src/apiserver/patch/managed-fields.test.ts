import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateManagedFields, type ManagedFieldsEntry } from './managed-fields.js';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:01:00Z');
const mf = (o: any): ManagedFieldsEntry[] => o.metadata.managedFields;

const cm = (data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', ...(labels ? { labels } : {}) },
  data,
});

test('kubectl create deployment: managedFields shaped like kube-apiserver\'s', () => {
  const dep = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }], restartPolicy: 'Always' } },
    },
  };
  const out = updateManagedFields({ live: undefined, updated: dep, manager: 'kubectl-create', apiVersion: 'apps/v1', now: t0 });
  assert.deepEqual(mf(out)[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} } }, 'f:restartPolicy': {} },
      },
    },
  });
});

test('create records every field for the creating manager (kubectl create configmap)', () => {
  const out = updateManagedFields({ live: undefined, updated: cm({ a: '1' }), manager: 'kubectl-create', apiVersion: 'v1', now: t0 });
  assert.deepEqual(mf(out), [
    { manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } },
  ]);
});

test('a second manager takes the fields it changes; removed fields leave every set', () => {
  const created = updateManagedFields({ live: undefined, updated: cm({ a: '1', b: '2' }, { app: 'x' }), manager: 'kubectl-create', apiVersion: 'v1', now: t0 });
  const edited = structuredClone(created) as any;
  edited.data.a = 'changed';
  delete edited.data.b;
  const out = updateManagedFields({ live: created, updated: edited, manager: 'kubectl-edit', apiVersion: 'v1', now: t1 });
  assert.deepEqual(
    mf(out).map((e) => [e.manager, e.time, e.fieldsV1]),
    [
      ['kubectl-create', '2026-01-01T00:00:00Z', { 'f:data': {}, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } }],
      ['kubectl-edit', '2026-01-01T00:01:00Z', { 'f:data': { 'f:a': {} } }],
    ],
  );
});

test('the same manager+operation+apiVersion is one entry; a no-op keeps its time', () => {
  const a = updateManagedFields({ live: undefined, updated: cm({ a: '1' }), manager: 'm', apiVersion: 'v1', now: t0 });
  const b1 = structuredClone(a) as any;
  b1.data.b = '2';
  const b = updateManagedFields({ live: a, updated: b1, manager: 'm', apiVersion: 'v1', now: t1 });
  assert.equal(mf(b).length, 1);
  assert.deepEqual(mf(b)[0].fieldsV1, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } });
  assert.equal(mf(b)[0].time, '2026-01-01T00:01:00Z');
  const c = updateManagedFields({ live: b, updated: structuredClone(b), manager: 'm', apiVersion: 'v1', now: new Date('2026-02-01T00:00:00Z') });
  assert.deepEqual(mf(c), mf(b));
});

test('Update entries are per apiVersion and per subresource', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const a = updateManagedFields({ live: undefined, updated: pod, manager: 'kubectl-run', apiVersion: 'v1', now: t0 });
  const withStatus = structuredClone(a) as any;
  withStatus.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const b = updateManagedFields({ live: a, updated: withStatus, manager: 'kubelet', apiVersion: 'v1', subresource: 'status', now: t1 });
  assert.deepEqual(mf(b)[1], {
    manager: 'kubelet',
    operation: 'Update',
    apiVersion: 'v1',
    time: '2026-01-01T00:01:00Z',
    fieldsType: 'FieldsV1',
    // status is a Go struct (always present), conditions an omitempty list: only the latter gets "."
    fieldsV1: { 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {} } },
    subresource: 'status',
  });
  // as kube-apiserver records kubectl run: containers is null in the Go zero value, so no "." on it
  assert.deepEqual(mf(b)[0].fieldsV1, {
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
  });
});

test('entries sort Apply first, then by time and manager', () => {
  const live: any = cm({ a: '1' });
  live.metadata.managedFields = [
    { manager: 'z', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    { manager: 'y', operation: 'Apply', apiVersion: 'v1', time: '2026-01-02T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } },
  ];
  const upd = structuredClone(live);
  upd.data.b = '2';
  const out = updateManagedFields({ live, updated: upd, manager: 'a', apiVersion: 'v1', now: t1 });
  assert.deepEqual(mf(out).map((e) => e.manager), ['y', 'z', 'a']);
});

test('[{}] in the request resets managedFields; [] and garbage keep the live ones', () => {
  const a = updateManagedFields({ live: undefined, updated: cm({ a: '1' }), manager: 'm', apiVersion: 'v1', now: t0 });
  const reset: any = structuredClone(a);
  reset.metadata.managedFields = [{}];
  assert.equal((updateManagedFields({ live: a, updated: reset, manager: 'kubectl-patch', apiVersion: 'v1', now: t1 }).metadata as any).managedFields, undefined);
  const resetAndChange: any = structuredClone(reset);
  resetAndChange.data.b = '2';
  assert.deepEqual(mf(updateManagedFields({ live: a, updated: resetAndChange, manager: 'kubectl-patch', apiVersion: 'v1', now: t1 })).map((e) => [e.manager, e.fieldsV1]), [
    ['kubectl-patch', { 'f:data': { 'f:b': {} } }],
  ]);
  for (const junk of [[], [{ manager: 'x', operation: 'Frob' }], 'nope']) {
    const upd: any = structuredClone(a);
    upd.metadata.managedFields = junk;
    assert.deepEqual(mf(updateManagedFields({ live: a, updated: upd, manager: 'm', apiVersion: 'v1', now: t1 })), mf(a), JSON.stringify(junk));
  }
});

test('a client may rewrite managedFields (kubectl SSA migration); subresources cannot', () => {
  const a = updateManagedFields({ live: undefined, updated: cm({ a: '1' }), manager: 'kubectl-client-side-apply', apiVersion: 'v1', now: t0 });
  const migrated: any = structuredClone(a);
  migrated.metadata.managedFields[0].manager = 'kubectl';
  migrated.metadata.managedFields[0].operation = 'Apply';
  const out = updateManagedFields({ live: a, updated: migrated, manager: 'kubectl', apiVersion: 'v1', now: t1 });
  assert.deepEqual(mf(out).map((e) => [e.manager, e.operation]), [['kubectl', 'Apply']]);
  const viaStatus = updateManagedFields({ live: a, updated: migrated, manager: 'kubectl', apiVersion: 'v1', subresource: 'status', now: t1 });
  assert.deepEqual(mf(viaStatus), mf(a));
});

test('more than 10 Update managers: the oldest merge into ancient-changes', () => {
  let obj: any = updateManagedFields({ live: undefined, updated: cm({ k0: 'v' }), manager: 'm0', apiVersion: 'v1', now: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)) });
  for (let i = 1; i <= 11; i++) {
    const next: any = structuredClone(obj);
    next.data[`k${i}`] = 'v';
    obj = updateManagedFields({ live: obj, updated: next, manager: `m${i}`, apiVersion: 'v1', now: new Date(Date.UTC(2026, 0, 1, 0, i, 0)) });
  }
  const entries = mf(obj);
  assert.equal(entries.length, 10);
  const ancient = entries.find((e) => e.manager === 'ancient-changes')!;
  assert.deepEqual(ancient.fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  assert.equal(ancient.time, '2026-01-01T00:02:00Z');
  assert.ok(!entries.some((e) => ['m0', 'm1', 'm2'].includes(e.manager)));
});
