// Seeded property tests: random pods and patches. Invariants: only PatchErrors escape; inputs
// are never mutated; merge patch round-trips; re-applying a configuration is a no-op; every field
// a manager owns exists in the object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { applyMergePatch, createMergePatch } from './merge-patch.js';
import { applyJsonPatch } from './json-patch.js';
import { serverSideApply } from './server-side-apply.js';
import { updateManagedFields } from './managed-fields.js';
import { fieldSetFromFieldsV1, toFieldSet } from './fieldpath.js';
import { mergeInfoFor } from './merge-keys.js';
import { PatchError } from './errors.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomPod(r: () => number): any {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const names = ['a', 'b', 'c', 'd'];
  const containers = names
    .filter(() => r() < 0.6)
    .map((name) => ({
      name,
      image: pick(['nginx', 'busybox', 'redis']) + ':' + Math.floor(r() * 3),
      ...(r() < 0.5 ? { env: names.filter(() => r() < 0.5).map((n) => ({ name: n.toUpperCase(), value: pick(['1', '2', '3']) })) } : {}),
      ...(r() < 0.4 ? { ports: [80, 443, 8080].filter(() => r() < 0.5).map((p) => ({ containerPort: p, protocol: 'TCP' })) } : {}),
      ...(r() < 0.3 ? { args: names.filter(() => r() < 0.5) } : {}),
    }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      ...(r() < 0.6 ? { labels: Object.fromEntries(names.filter(() => r() < 0.5).map((n) => [n, pick(['x', 'y'])])) } : {}),
      ...(r() < 0.4 ? { finalizers: names.filter(() => r() < 0.5).map((n) => `${n}.io/f`) } : {}),
    },
    spec: {
      containers: containers.length ? containers : [{ name: 'z', image: 'z' }],
      ...(r() < 0.4 ? { nodeSelector: { zone: pick(['1', '2']) } } : {}),
      ...(r() < 0.3 ? { tolerations: [{ key: pick(names), operator: 'Exists' }] } : {}),
    },
  };
}

function randomSmp(r: () => number, live: any): any {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const names = ['a', 'b', 'c', 'd', 'e'];
  const patch: any = { spec: {}, metadata: {} };
  if (r() < 0.5) patch.spec.containers = names.filter(() => r() < 0.4).map((name) => (r() < 0.2 ? { name, $patch: 'delete' } : { name, image: pick(['x', 'y']), ...(r() < 0.3 ? { env: [{ name: 'A', value: null }] } : {}) }));
  if (r() < 0.3) patch.spec['$setElementOrder/containers'] = (live.spec.containers as any[]).map((c) => ({ name: c.name })).reverse();
  if (r() < 0.3) patch.metadata.labels = { a: r() < 0.5 ? null : 'q' };
  if (r() < 0.3) patch.metadata['$deleteFromPrimitiveList/finalizers'] = ['a.io/f'];
  if (r() < 0.3) patch.metadata.finalizers = ['e.io/f'];
  if (r() < 0.2) patch.spec.nodeSelector = r() < 0.5 ? null : { $patch: 'replace', zone: '9' };
  if (r() < 0.2) patch.spec.tolerations = [];
  if (r() < 0.05) patch.spec.$patch = pick(['frob', 'delete']);
  return patch;
}

test('strategic merge patch: only PatchErrors, inputs untouched, directives never stored', () => {
  const r = rng(42);
  for (let i = 0; i < 400; i++) {
    const live = randomPod(r);
    const patch = randomSmp(r, live);
    const liveCopy = structuredClone(live);
    const patchCopy = structuredClone(patch);
    try {
      const out = applyStrategicMergePatch(live, patch);
      assert.ok(!JSON.stringify(out).includes('"$'), `directive leaked: ${JSON.stringify(patch)}`);
      assert.ok(!JSON.stringify(out).includes('null'), `null stored: ${JSON.stringify(patch)}`);
    } catch (e) {
      assert.ok(e instanceof PatchError, String(e));
    }
    assert.deepEqual(live, liveCopy);
    assert.deepEqual(patch, patchCopy);
  }
});

test('merge patch round-trips and json patch replays add/remove', () => {
  const r = rng(7);
  for (let i = 0; i < 200; i++) {
    const a = randomPod(r);
    const b = randomPod(r);
    assert.deepEqual(applyMergePatch(a, createMergePatch(a, b)), b);
    const ops = [{ op: 'add', path: '/metadata/annotations', value: { k: 'v' } }, { op: 'test', path: '/metadata/annotations/k', value: 'v' }, { op: 'remove', path: '/metadata/annotations' }];
    assert.deepEqual(applyJsonPatch(a, ops), a);
  }
});

test('server-side apply: re-apply is a no-op, owned fields exist, updates keep sets consistent', () => {
  const r = rng(2026);
  const schema = mergeInfoFor('v1', 'Pod');
  let checked = 0;
  for (let i = 0; i < 150; i++) {
    const now = new Date(Date.UTC(2026, 0, 1, 0, i));
    const cfg = randomPod(r);
    const first = serverSideApply({ live: undefined, applied: cfg, manager: 'a', force: false, apiVersion: 'v1', now }).object;
    const again = serverSideApply({ live: first, applied: cfg, manager: 'a', force: false, apiVersion: 'v1', now: new Date(now.getTime() + 1000) });
    assert.equal(again.changed, false);
    assert.deepEqual(again.object, first);
    // a controller update, then an apply by someone else with force
    const updated: any = structuredClone(first);
    updated.spec.containers[0].image = 'changed';
    updated.metadata.labels = { ...(updated.metadata.labels ?? {}), ctrl: 'y' };
    const afterUpdate = updateManagedFields({ live: first, updated, manager: 'ctrl', apiVersion: 'v1', now });
    const cfg2 = randomPod(r);
    let result: any;
    try {
      result = serverSideApply({ live: afterUpdate, applied: cfg2, manager: 'b', force: r() < 0.5, apiVersion: 'v1', now }).object;
    } catch (e) {
      assert.ok(e instanceof PatchError, String(e));
      assert.equal((e as PatchError).code, 409);
      continue;
    }
    checked++;
    const present = toFieldSet(result, schema);
    for (const entry of result.metadata.managedFields) {
      const owned = fieldSetFromFieldsV1(entry.fieldsV1);
      for (const path of owned.paths()) {
        // every owned leaf or item exists in the object (container nodes may be owned via ".")
        const node = present.at(path);
        assert.ok(node, `${entry.manager} owns ${path.join('/')} which is not in the object`);
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} applies succeeded`);
});
