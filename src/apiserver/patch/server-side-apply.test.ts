import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSideApply } from './server-side-apply.js';
import { updateManagedFields, type ManagedFieldsEntry } from './managed-fields.js';
import { ApplyConflictError } from './errors.js';
import { schemaFromOpenAPI } from './merge-keys.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');
const t2 = new Date('2026-01-01T00:02:00Z');
const mf = (o: any): ManagedFieldsEntry[] => o.metadata.managedFields;
const byManager = (o: any, m: string) => mf(o).find((e) => e.manager === m);

const deployment = (replicas: number, image = 'nginx:1', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    ...extra,
  },
});

/** What the store would hold after the apiserver adds system fields. */
const stored = (o: any) => ({ ...o, metadata: { ...o.metadata, uid: 'uid-1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' } });

test('apply creates the object and owns exactly the applied fields', () => {
  const { object, changed } = serverSideApply({ live: undefined, applied: deployment(2), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  assert.ok(changed);
  assert.equal((object as any).spec.replicas, 2);
  assert.deepEqual(mf(object), [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2026-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('re-apply without a field removes it when nobody else owns it', () => {
  const first = serverSideApply({ live: undefined, applied: deployment(2, 'nginx:1', { paused: true }), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  const second = serverSideApply({ live: stored(first.object), applied: deployment(2), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t1 });
  assert.equal((second.object as any).spec.paused, undefined);
  assert.equal((second.object as any).metadata.uid, 'uid-1', 'system fields are never pruned');
  assert.equal(byManager(second.object, 'kubectl')!.time, '2026-01-01T00:01:00Z');
});

test('removing a container from the config removes it; another manager keeps its own fields', () => {
  const two = deployment(1);
  (two.spec.template.spec.containers as any[]).push({ name: 'side', image: 'busybox' });
  const first = serverSideApply({ live: undefined, applied: two, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  const third = serverSideApply({ live: stored(first.object), applied: deployment(1), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t1 });
  assert.deepEqual((third.object as any).spec.template.spec.containers.map((c: any) => c.name), ['web']);
});

test('a label set by another manager survives the applier dropping it', () => {
  const a = deployment(1) as any;
  a.metadata.labels = { team: 'a' };
  const first = serverSideApply({ live: undefined, applied: a, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  const b = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { team: 'a' } } };
  const shared = serverSideApply({ live: stored(first.object), applied: b, manager: 'other', force: false, apiVersion: 'apps/v1', now: t1 });
  const dropped = serverSideApply({ live: shared.object, applied: deployment(1), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t2 });
  assert.deepEqual((dropped.object as any).metadata.labels, { team: 'a' });
  const gone = serverSideApply({ live: dropped.object, applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, manager: 'other', force: false, apiVersion: 'apps/v1', now: t2 });
  assert.equal((gone.object as any).metadata.labels, undefined);
});

test('conflict with a client-side-apply manager: 409 with Kubernetes message', () => {
  const created = updateManagedFields({ live: undefined, updated: deployment(3), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: t0 });
  assert.throws(
    () => serverSideApply({ live: stored(created), applied: deployment(5), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t1 }),
    (e: unknown) => {
      assert.ok(e instanceof ApplyConflictError);
      assert.equal(e.code, 409);
      assert.equal(e.reason, 'Conflict');
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
      assert.deepEqual(e.conflicts.map((c) => [c.manager, c.field]), [['kubectl-client-side-apply', '.spec.replicas']]);
      assert.deepEqual(e.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
      return true;
    },
  );
});

test('applying the value another manager set shares ownership', () => {
  const created = updateManagedFields({ live: undefined, updated: deployment(3), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: t0 });
  const { object, changed } = serverSideApply({ live: stored(created), applied: deployment(3), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t1 });
  assert.equal(changed, false);
  assert.ok(JSON.stringify(byManager(object, 'kubectl')!.fieldsV1).includes('f:replicas'));
  assert.ok(JSON.stringify(byManager(object, 'kubectl-client-side-apply')!.fieldsV1).includes('f:replicas'));
  // now both own it: an update by the CSA manager's peer still conflicts for a third applier
  assert.throws(() => serverSideApply({ live: object, applied: deployment(4), manager: 'third', force: false, apiVersion: 'apps/v1', now: t2 }), (e: unknown) => {
    assert.ok(e instanceof ApplyConflictError);
    assert.equal(e.conflicts.length, 2);
    assert.equal(
      e.message,
      'Apply failed with 2 conflicts: conflicts with "kubectl"\n- .spec.replicas\nconflicts with "kubectl-client-side-apply" using apps/v1\n- .spec.replicas',
    );
    return true;
  });
});

test('force takes ownership from the other manager', () => {
  const created = updateManagedFields({ live: undefined, updated: deployment(3), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: t0 });
  const { object } = serverSideApply({ live: stored(created), applied: deployment(5), manager: 'kubectl', force: true, apiVersion: 'apps/v1', now: t1 });
  assert.equal((object as any).spec.replicas, 5);
  assert.ok(!JSON.stringify(byManager(object, 'kubectl-client-side-apply')!.fieldsV1).includes('f:replicas'));
  assert.ok(JSON.stringify(byManager(object, 'kubectl')!.fieldsV1).includes('f:replicas'));
});

test('an update (HPA-like controller) takes a field from the applier without conflict, then apply conflicts', () => {
  const applied = serverSideApply({ live: undefined, applied: deployment(2), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  const scaled: any = structuredClone(stored(applied.object));
  scaled.spec.replicas = 7;
  const afterScale = updateManagedFields({ live: stored(applied.object), updated: scaled, manager: 'hpa', apiVersion: 'apps/v1', now: t1 });
  assert.ok(!JSON.stringify(byManager(afterScale, 'kubectl')!.fieldsV1).includes('f:replicas'));
  assert.throws(() => serverSideApply({ live: afterScale, applied: deployment(2), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t2 }), /conflict with "hpa" using apps\/v1: .spec.replicas/);
  // leaving replicas out of the config avoids the conflict and keeps the controller's value
  const noReplicas: any = deployment(0);
  delete noReplicas.spec.replicas;
  const ok = serverSideApply({ live: afterScale, applied: noReplicas, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t2 });
  assert.equal((ok.object as any).spec.replicas, 7);
});

test('list-map merge: a second applier adds a container and an env var without touching the first', () => {
  const first = serverSideApply({ live: undefined, applied: deployment(1), manager: 'a', force: false, apiVersion: 'apps/v1', now: t0 });
  const second = serverSideApply({
    live: stored(first.object),
    applied: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'X', value: '1' }] }, { name: 'side', image: 'busybox' }] } } },
    },
    manager: 'b',
    force: false,
    apiVersion: 'apps/v1',
    now: t1,
  });
  const cs = (second.object as any).spec.template.spec.containers;
  assert.deepEqual(cs, [
    { name: 'web', image: 'nginx:1', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'X', value: '1' }] },
    { name: 'side', image: 'busybox' },
  ]);
  // both own the shared container's key; b owns only what it set
  assert.deepEqual(byManager(second.object, 'b')!.fieldsV1, {
    'f:spec': {
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"side"}': { '.': {}, 'f:image': {}, 'f:name': {} },
            'k:{"name":"web"}': { '.': {}, 'f:env': { 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:name': {} },
          },
        },
      },
    },
  });
  // a drops the container 'web' it applied: b still owns part of it, so the item stays with b's fields and its key
  const dropped = serverSideApply({
    live: second.object,
    applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } },
    manager: 'a',
    force: false,
    apiVersion: 'apps/v1',
    now: t2,
  });
  assert.deepEqual((dropped.object as any).spec.template.spec.containers, [
    { name: 'web', env: [{ name: 'X', value: '1' }] },
    { name: 'side', image: 'busybox' },
  ]);
});

test('finalizers are a set: v: entries', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a.io/x'] }, data: { k: 'v' } };
  const { object } = serverSideApply({ live: undefined, applied: cm, manager: 'm', force: false, apiVersion: 'v1', now: t0 });
  assert.deepEqual(mf(object)[0].fieldsV1, { 'f:data': { 'f:k': {} }, 'f:metadata': { 'f:finalizers': { 'v:"a.io/x"': {} } } });
  const other = serverSideApply({ live: object, applied: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['b.io/y'] } }, manager: 'n', force: false, apiVersion: 'v1', now: t1 });
  assert.deepEqual((other.object as any).metadata.finalizers, ['a.io/x', 'b.io/y']);
});

test('custom resources use the CRD schema for list types', () => {
  const schema = schemaFromOpenAPI({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: { type: 'object', properties: { id: { type: 'string' }, v: { type: 'integer' } } } },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  });
  const cr = (items: unknown[], tags: string[]) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items, tags } });
  const a = serverSideApply({ live: undefined, applied: cr([{ id: 'a', v: 1 }], ['x']), manager: 'one', force: false, apiVersion: 'example.com/v1', now: t0, schema });
  const b = serverSideApply({
    live: a.object,
    applied: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [{ id: 'b', v: 2 }] } },
    manager: 'two',
    force: false,
    apiVersion: 'example.com/v1',
    now: t1,
    schema,
  });
  assert.deepEqual((b.object as any).spec.items, [{ id: 'a', v: 1 }, { id: 'b', v: 2 }]);
  assert.deepEqual(byManager(b.object, 'one')!.fieldsV1, { 'f:spec': { 'f:items': { 'k:{"id":"a"}': { '.': {}, 'f:id': {}, 'f:v': {} } }, 'f:tags': {} } });
  // tags is atomic: a different value from another applier conflicts on the whole list
  assert.throws(
    () => serverSideApply({ live: b.object, applied: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { tags: ['y'] } }, manager: 'two', force: false, apiVersion: 'example.com/v1', now: t2, schema }),
    /Apply failed with 1 conflict: conflict with "one": .spec.tags/,
  );
});

test('apply requires a field manager', () => {
  assert.throws(() => serverSideApply({ live: undefined, applied: deployment(1), manager: '', force: false, apiVersion: 'apps/v1', now: t0 }), (e: any) => e.code === 400);
});

test('first apply to an object without managedFields conflicts with before-first-apply', () => {
  const legacy = stored(deployment(3));
  assert.throws(
    () => serverSideApply({ live: legacy, applied: deployment(4), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 }),
    /Apply failed with 1 conflict: conflict with "before-first-apply" using apps\/v1: .spec.replicas/,
  );
  const same = serverSideApply({ live: legacy, applied: deployment(3), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  assert.deepEqual(mf(same.object).map((e) => e.manager), ['kubectl', 'before-first-apply']);
});

test('apply request checks: version must match, managedFields must be nil', () => {
  assert.throws(
    () => serverSideApply({ live: undefined, applied: deployment(1), manager: 'm', force: false, apiVersion: 'apps/v1beta1', now: t0 }),
    (e: any) => e.code === 400 && e.message === 'Incorrect version specified in apply patch. Specified patch version: apps/v1, expected: apps/v1beta1',
  );
  const withMF: any = deployment(1);
  withMF.metadata.managedFields = [];
  assert.throws(() => serverSideApply({ live: undefined, applied: withMF, manager: 'm', force: false, apiVersion: 'apps/v1', now: t0 }), (e: any) => e.code === 400 && e.message === 'metadata.managedFields must be nil');
});

test('reset fields are neither changed nor owned (status on the main resource)', () => {
  const live: any = stored(deployment(1));
  live.status = { replicas: 1 };
  const applied: any = deployment(1);
  applied.status = { replicas: 99 };
  const { object } = serverSideApply({ live, applied, manager: 'm', force: false, apiVersion: 'apps/v1', now: t0, resetFields: [['status']] });
  assert.deepEqual((object as any).status, { replicas: 1 });
  assert.ok(!JSON.stringify(byManager(object, 'm')!.fieldsV1).includes('f:status'));
});

test('port keys use the protocol default (TCP), so applied ports match live defaulted ports', () => {
  const live: any = stored(deployment(1));
  const applied: any = deployment(1);
  delete applied.spec.template.spec.containers[0].ports[0].protocol;
  applied.spec.template.spec.containers[0].ports[0].name = 'http';
  const { object } = serverSideApply({ live, applied, manager: 'm', force: false, apiVersion: 'apps/v1', now: t0 });
  assert.deepEqual((object as any).spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  const web = (byManager(object, 'm')!.fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}'];
  assert.deepEqual(web['f:ports'], { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {} } });
});

test('applied list items must carry their keys, once', () => {
  const noName: any = deployment(1);
  delete noName.spec.template.spec.containers[0].name;
  assert.throws(
    () => serverSideApply({ live: undefined, applied: noName, manager: 'm', force: false, apiVersion: 'apps/v1', now: t0 }),
    (e: any) =>
      e.code === 400 &&
      e.message ===
        'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  );
  const dup: any = deployment(1);
  dup.spec.template.spec.containers.push({ name: 'web', image: 'x' });
  assert.throws(
    () => serverSideApply({ live: undefined, applied: dup, manager: 'm', force: false, apiVersion: 'apps/v1', now: t0 }),
    /\.spec\.template\.spec\.containers: duplicate entries for key \[name="web"\]/,
  );
});

test('re-applying the same configuration is a no-op that keeps the entry time', () => {
  const first = serverSideApply({ live: undefined, applied: deployment(2), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 });
  const again = serverSideApply({ live: stored(first.object), applied: deployment(2), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t1 });
  assert.equal(again.changed, false);
  assert.equal(byManager(again.object, 'kubectl')!.time, '2026-01-01T00:00:00Z');
  assert.deepEqual(mf(again.object), mf(first.object));
});

test('apply to the status subresource records the subresource', () => {
  const live = stored(serverSideApply({ live: undefined, applied: deployment(1), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0 }).object);
  const st = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { conditions: [{ type: 'Available', status: 'True' }] } };
  const { object } = serverSideApply({ live, applied: st, manager: 'ctrl', force: false, apiVersion: 'apps/v1', now: t1, subresource: 'status' });
  const e = byManager(object, 'ctrl')!;
  assert.equal(e.subresource, 'status');
  assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } });
  assert.deepEqual((object as any).spec.replicas, 1);
});

test('a CRD without a schema still has ObjectMeta: finalizers are a set', () => {
  const schema = schemaFromOpenAPI(undefined);
  const cr = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', finalizers: ['x.io/f'] }, spec: { list: [1, 2] } };
  const { object } = serverSideApply({ live: undefined, applied: cr, manager: 'm', force: false, apiVersion: 'example.com/v1', now: t0, schema });
  assert.deepEqual(mf(object)[0].fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"x.io/f"': {} } }, 'f:spec': { 'f:list': {} } });
});

test('list merge order follows structured-merge-diff', () => {
  const schema = schemaFromOpenAPI({
    type: 'object',
    properties: { spec: { type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object' } } } } },
  });
  const obj = (ks: string[]) => ({ apiVersion: 'example.com/v1', kind: 'T', metadata: { name: 't' }, spec: { l: ks.map((k) => ({ k })) } });
  const cases: [string[], string[], string[]][] = [
    [['a', 'b', 'c'], ['c', 'd'], ['a', 'b', 'c', 'd']],
    [['a', 'b'], ['b', 'x', 'a'], ['b', 'x', 'a']],
    [['a', 'b', 'c'], ['c', 'a'], ['b', 'c', 'a']],
    [['a', 'b'], ['n'], ['a', 'b', 'n']],
  ];
  for (const [live, applied, want] of cases) {
    const liveObj = serverSideApply({ live: undefined, applied: obj(live), manager: 'first', force: false, apiVersion: 'example.com/v1', now: t0, schema }).object;
    const out = serverSideApply({ live: liveObj, applied: obj(applied), manager: 'second', force: false, apiVersion: 'example.com/v1', now: t1, schema }).object as any;
    assert.deepEqual(out.spec.l.map((x: any) => x.k), want, `${live} + ${applied}`);
  }
});
