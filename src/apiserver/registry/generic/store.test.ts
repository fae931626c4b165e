// The generic store on the embedded store: CRUD semantics, paging, watch and deletion, as
// kube-apiserver's registry behaves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMvccStore } from '../../../storage/mvcc/index.js';
import type { Store } from '../../../storage/store.js';
import type { Strategy } from '../strategy.js';
import { GenericStore } from './store.js';
import { newContext } from './context.js';
import { listObjects } from './list.js';
import { deleteObject } from './delete.js';
import { startWatch } from './watch.js';
import { WatchCache } from '../../watchcache/cache.js';
import { ApiError } from '../../status.js';
import type { WatchEvent } from '../../watchcache/events.js';

const widgets: Strategy = {
  info: { group: 'example.k8s.io', version: 'v1', kind: 'Widget', listKind: 'WidgetList', resource: 'widgets', singular: 'widget', namespaced: true },
  generationOnSpecChange: true,
  status: {},
  gracePeriod: (obj, requested) => requested ?? obj.spec?.grace,
  fieldSelectors: { 'spec.color': (o) => o.spec?.color },
};

let dir: string;
let store: Store;
let s: GenericStore;
const ctx = (ns = 'default') => newContext(ns);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keelson-generic-'));
  store = await openMvccStore({ dataDir: dir });
  s = new GenericStore(widgets, store);
});
after(async () => {
  s.watchCache?.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const rejects = async (p: Promise<unknown>, code: number, msg: RegExp) => {
  await assert.rejects(p, (e: ApiError) => {
    assert.equal(e.code, code, e.message);
    assert.match(e.message, msg);
    return true;
  });
};

test('create stamps metadata; duplicates are AlreadyExists; generateName works', async () => {
  const o = await s.create(ctx(), { metadata: { name: 'a' }, spec: { color: 'red' }, status: { x: 1 } });
  assert.match(o.metadata!.uid, /^[0-9a-f-]{36}$/);
  assert.match(o.metadata!.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(o.metadata!.generation, 1);
  assert.equal(o.metadata!.namespace, 'default');
  assert.equal(o.apiVersion, 'example.k8s.io/v1');
  await rejects(s.create(ctx(), { metadata: { name: 'a' } }), 409, /^widgets.example.k8s.io "a" already exists$/);
  const g = await s.create(ctx(), { metadata: { generateName: 'gen-' } });
  assert.match(g.metadata!.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const dry = await s.create({ ...ctx(), dryRun: true }, { metadata: { name: 'dry' } });
  assert.equal(dry.metadata!.name, 'dry');
  await rejects(s.get('default', 'dry'), 404, /^widgets.example.k8s.io "dry" not found$/);
});

test('update: optimistic concurrency, generation on spec change, status kept, no-op writes nothing', async () => {
  const cur = await s.get('default', 'a');
  const u = await s.update(ctx(), 'a', { ...cur, spec: { color: 'blue' }, status: { x: 99 } });
  assert.equal(u.obj.metadata!.generation, 2);
  assert.deepEqual(u.obj.status, cur.status);
  await rejects(s.update(ctx(), 'a', { ...cur, spec: { color: 'green' } }), 409, /the object has been modified; please apply your changes to the latest version and try again/);
  const same = await s.update(ctx(), 'a', { ...u.obj });
  assert.equal(same.obj.metadata!.resourceVersion, u.obj.metadata!.resourceVersion);
  const st = await s.update(ctx(), 'a', { ...u.obj, spec: { color: 'ignored' }, status: { x: 2 } }, { subresource: 'status' });
  assert.deepEqual(st.obj.status, { x: 2 });
  assert.equal(st.obj.spec.color, 'blue');
  await rejects(s.update(ctx(), 'missing', { metadata: { name: 'missing' } }), 404, /not found/);
});

test('list pages with continue tokens and remainingItemCount, at one revision', async () => {
  for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await s.create(ctx('paged'), { metadata: { name: n, labels: { n } }, spec: { color: n === 'p3' ? 'red' : 'blue' } });
  const first = await listObjects(s, ctx('paged'), { limit: 2 });
  assert.deepEqual(first.items.map((o) => o.metadata!.name), ['p1', 'p2']);
  assert.equal(first.remainingItemCount, 3);
  const tok = JSON.parse(Buffer.from(first.continue!, 'base64url').toString());
  assert.equal(tok.v, 'meta.k8s.io/v1');
  assert.equal(tok.rv, Number(first.resourceVersion));
  await s.create(ctx('paged'), { metadata: { name: 'p0' } });
  const second = await listObjects(s, ctx('paged'), { limit: 2, continue: first.continue });
  assert.deepEqual(second.items.map((o) => o.metadata!.name), ['p3', 'p4']);
  assert.equal(second.resourceVersion, first.resourceVersion);
  const third = await listObjects(s, ctx('paged'), { limit: 2, continue: second.continue });
  assert.deepEqual(third.items.map((o) => o.metadata!.name), ['p5']);
  assert.equal(third.continue, undefined);
  const red = await listObjects(s, ctx('paged'), { fieldSelector: 'spec.color=red' });
  assert.deepEqual(red.items.map((o) => o.metadata!.name), ['p3']);
  const sel = await listObjects(s, ctx('paged'), { labelSelector: 'n in (p2,p4)', limit: 1 });
  assert.deepEqual(sel.items.map((o) => o.metadata!.name), ['p2']);
  assert.ok(sel.continue);
  const all = await listObjects(s, ctx(''), {});
  assert.ok(all.items.length >= 7);
  await rejects(listObjects(s, ctx('paged'), { fieldSelector: 'spec.size=1' }), 400, /^field label not supported: spec.size$/);
});

test('deletion: grace period keeps the object, finalizers hold it, preconditions are checked', async () => {
  await s.create(ctx('del'), { metadata: { name: 'g', finalizers: ['example.com/hold'] }, spec: { grace: 30 } });
  const uidMismatch = deleteObject(s, ctx('del'), 'g', { preconditions: { uid: 'nope' } });
  await rejects(uidMismatch, 409, /Precondition failed: UID in precondition: nope/);
  const d1 = await deleteObject(s, ctx('del'), 'g', {});
  assert.equal(d1.deleted, false);
  assert.equal(d1.obj.metadata!.deletionGracePeriodSeconds, 30);
  assert.ok(d1.obj.metadata!.deletionTimestamp);
  const d2 = await deleteObject(s, ctx('del'), 'g', { gracePeriodSeconds: 0 });
  assert.equal(d2.deleted, false, 'kept by its finalizer');
  assert.equal(d2.obj.metadata!.deletionGracePeriodSeconds, 0);
  const cur = await s.get('del', 'g');
  const r = await s.update(ctx('del'), 'g', { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
  assert.equal(r.deleted, true);
  await rejects(s.get('del', 'g'), 404, /not found/);
  await s.create(ctx('del'), { metadata: { name: 'o' } });
  const orphan = await deleteObject(s, ctx('del'), 'o', { propagationPolicy: 'Orphan' });
  assert.deepEqual(orphan.obj.metadata!.finalizers, ['orphan']);
  await s.create(ctx('del'), { metadata: { name: 'f' } });
  const fg = await deleteObject(s, ctx('del'), 'f', { propagationPolicy: 'Foreground' });
  assert.deepEqual(fg.obj.metadata!.finalizers, ['foregroundDeletion']);
  await s.create(ctx('del'), { metadata: { name: 'now' } });
  assert.equal((await deleteObject(s, ctx('del'), 'now', { dryRun: ['All'] })).deleted, true);
  assert.ok(await s.get('del', 'now'), 'dry-run delete keeps it');
  assert.equal((await deleteObject(s, ctx('del'), 'now', {})).deleted, true);
});

function collect() {
  const events: WatchEvent[] = [];
  const errors: ApiError[] = [];
  return { events, errors, sink: { send: (e: WatchEvent) => events.push(e), error: (e: ApiError) => errors.push(e) } };
}
const settle = () => new Promise((r) => setTimeout(r, 100));

for (const cached of [false, true]) {
  test(`watch (${cached ? 'watch cache' : 'store'}): resumption, selector transitions, initial events`, async () => {
    const gs = new GenericStore(widgets, store);
    if (cached) gs.watchCache = new WatchCache(gs);
    const ns = cached ? 'wc' : 'ws';
    await gs.create(ctx(ns), { metadata: { name: 'w1', labels: { on: 'yes' } } });
    const list = await listObjects(gs, ctx(ns), {});
    const c = collect();
    const h = await startWatch(gs, ctx(ns), { resourceVersion: list.resourceVersion, labelSelector: 'on=yes' }, c.sink);
    const w1 = await gs.get(ns, 'w1');
    await gs.update(ctx(ns), 'w1', { ...w1, metadata: { ...w1.metadata, labels: { on: 'no' } } });
    const w1b = await gs.get(ns, 'w1');
    await gs.update(ctx(ns), 'w1', { ...w1b, metadata: { ...w1b.metadata, labels: { on: 'yes' } } });
    await gs.create(ctx(ns), { metadata: { name: 'w2', labels: { on: 'yes' } } });
    await deleteObject(gs, ctx(ns), 'w2', {});
    await settle();
    h.stop();
    assert.deepEqual(c.events.map((e) => `${e.type} ${e.object.metadata!.name}`), ['DELETED w1', 'ADDED w1', 'ADDED w2', 'DELETED w2']);
    const rvs = c.events.map((e) => Number(e.object.metadata!.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
    // Initial events end with the initial-events-end bookmark.
    const c2 = collect();
    const h2 = await startWatch(gs, ctx(ns), { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', resourceVersion: '', allowWatchBookmarks: true }, c2.sink);
    await settle();
    h2.stop();
    assert.deepEqual(c2.events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal(c2.events[1].object.metadata!.annotations['k8s.io/initial-events-end'], 'true');
    gs.watchCache?.close();
  });
}

test('watching a compacted revision ends with 410 Expired; so does an old continue token', async () => {
  const first = await listObjects(s, ctx('paged'), { limit: 1 });
  const w = await s.create(ctx('cmp'), { metadata: { name: 'x' } });
  await s.create(ctx('cmp'), { metadata: { name: 'y' } });
  await store.compact({ revision: Number(w.metadata!.resourceVersion) + 1 });
  const c = collect();
  await startWatch(s, ctx('cmp'), { resourceVersion: String(Number(w.metadata!.resourceVersion) - 1) }, c.sink);
  await settle();
  assert.equal(c.errors.length, 1);
  assert.equal(c.errors[0].code, 410);
  assert.equal(c.errors[0].reason, 'Expired');
  assert.match(c.errors[0].message, /^too old resource version: \d+ \(\d+\)$/);
  await rejects(listObjects(s, ctx('paged'), { limit: 1, continue: first.continue }), 410, /The provided continue parameter is too old/);
});

test('one watch cache feeds many watchers (each event serialized once)', async () => {
  const gs = new GenericStore(widgets, store);
  gs.watchCache = new WatchCache(gs);
  const start = await listObjects(gs, ctx('many'), {});
  const counts = new Array(300).fill(0);
  const changes = new Set<unknown>();
  const handles = await Promise.all(
    counts.map((_, i) =>
      startWatch(gs, ctx('many'), { resourceVersion: start.resourceVersion }, { send: (_e, c) => { counts[i]++; changes.add(c); }, error: () => undefined }),
    ),
  );
  for (let i = 0; i < 50; i++) await gs.create(ctx('many'), { metadata: { name: `m${i}` } });
  await settle();
  for (const h of handles) h.stop();
  assert.ok(counts.every((c) => c === 50), `every watcher saw 50 events: ${[...new Set(counts)]}`);
  assert.equal(changes.size, 50, 'the 300 watchers share one change object per event');
  assert.equal(gs.watchCache.watcherCount, 0);
  gs.watchCache.close();
});

test('create copies its input unless the caller hands it over (owned)', async () => {
  const input = { apiVersion: 'example.k8s.io/v1', kind: 'Widget', metadata: { name: 'copied' }, spec: { color: 'red' } };
  const created = await s.create(ctx(), input);
  assert.equal(input.metadata.name, 'copied');
  assert.equal((input.metadata as Record<string, unknown>).uid, undefined);
  assert.notEqual(created, input);
  const owned = { apiVersion: 'example.k8s.io/v1', kind: 'Widget', metadata: { name: 'owned' }, spec: { color: 'blue' } };
  const stored = await s.create(ctx(), owned, { owned: true });
  assert.ok(stored === owned, 'an owned input is edited in place, not copied');
  assert.ok(stored.metadata?.uid);
  assert.equal((await s.get('default', 'owned')).spec.color, 'blue');
});
