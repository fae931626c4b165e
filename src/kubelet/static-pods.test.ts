// The manifest source of static pods: parsing (YAML and JSON), naming, defaults, annotations,
// the hash, and the directory as it changes (added, changed, removed, dotfiles, bad files).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, unlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../util/log.js';
import { CONFIG_HASH, CONFIG_MIRROR, CONFIG_SEEN, CONFIG_SOURCE, ManifestError, StaticPodSource, isMirrorPod, staticPodFromManifest } from './static-pods.js';
import { mirrorPodFor } from './mirror-pods.js';
import type { Pod } from './pod-status.js';

const yaml = (name: string, cmd = 'sleep 100') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {tier: control-plane}
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "${cmd}"]
`;

describe('static pod manifests', () => {
  const at = { file: '/etc/kubernetes/manifests/web.yaml', nodeName: 'Node-1', seen: '2026-01-01T00:00:00.5Z' };

  it('names the pod <name>-<node>, binds it, defaults the namespace and annotates it', () => {
    const p = staticPodFromManifest(yaml('web'), at);
    assert.equal(p.metadata.name, 'web-node-1');
    assert.equal(p.metadata.namespace, 'default');
    assert.equal(p.spec.nodeName, 'Node-1');
    assert.deepEqual(p.metadata.labels, { tier: 'control-plane' });
    assert.match(p.metadata.uid, /^[0-9a-f]{32}$/);
    assert.equal(p.metadata.annotations[CONFIG_HASH], p.metadata.uid);
    assert.equal(p.metadata.annotations[CONFIG_SOURCE], 'file');
    assert.equal(p.metadata.annotations[CONFIG_SEEN], at.seen);
    assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(isMirrorPod(p), false);
  });

  it('reads JSON too and keeps an explicit namespace', () => {
    const p = staticPodFromManifest(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'etcd', namespace: 'kube-system' }, spec: { containers: [{ name: 'etcd', image: 'etcd' }] } }), at);
    assert.equal(p.metadata.name, 'etcd-node-1');
    assert.equal(p.metadata.namespace, 'kube-system');
  });

  it('hashes node, file and manifest: any change is a new UID, the seen time is not part of it', () => {
    const a = staticPodFromManifest(yaml('web'), at).metadata.uid;
    assert.equal(staticPodFromManifest(yaml('web'), { ...at, seen: 'later' }).metadata.uid, a);
    assert.notEqual(staticPodFromManifest(yaml('web', 'sleep 5'), at).metadata.uid, a);
    assert.notEqual(staticPodFromManifest(yaml('web'), { ...at, nodeName: 'node-2' }).metadata.uid, a);
    assert.notEqual(staticPodFromManifest(yaml('web'), { ...at, file: '/x/other.yaml' }).metadata.uid, a);
  });

  it('refuses what is not one valid v1 Pod', () => {
    const bad = (text: string, re: RegExp) => assert.throws(() => staticPodFromManifest(text, at), (e: Error) => e instanceof ManifestError && re.test(e.message));
    bad('kind: Deployment\napiVersion: apps/v1\nmetadata: {name: x}', /expected a v1 Pod/);
    bad('kind: Pod\napiVersion: v1\nspec: {containers: [{name: a, image: b}]}', /metadata.name: Required value/);
    bad('kind: Pod\napiVersion: v1\nmetadata: {name: x}\nspec: {}', /spec.containers: Required value/);
    bad('kind: Pod\napiVersion: v1\nmetadata: {name: x}\nspec: {containers: [{name: a}]}', /spec.containers\[0\].image: Required value/);
    bad('kind: Pod\napiVersion: v1\nmetadata: {name: Big_Name}\nspec: {containers: [{name: a, image: b}]}', /Invalid value: "Big_Name-node-1"/);
    bad('kind: Pod\n  bad: [', /invalid YAML or JSON/);
    bad('- a\n- b', /expected a Pod object/);
  });

  it('makes the mirror pod: same name and spec, config.mirror = hash, owned by the Node, no UID', () => {
    const p = staticPodFromManifest(yaml('web'), at);
    const m = mirrorPodFor(p, 'Node-1', 'node-uid');
    assert.equal(m.metadata.name, 'web-node-1');
    assert.equal(m.metadata.uid, undefined);
    assert.equal(m.metadata.annotations[CONFIG_MIRROR], p.metadata.uid);
    assert.equal(m.metadata.annotations[CONFIG_SOURCE], 'file');
    assert.deepEqual(m.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'Node-1', uid: 'node-uid', controller: true }]);
    assert.deepEqual(m.spec, p.spec);
    assert.ok(isMirrorPod(m));
  });
});

describe('static pod source (the manifest directory)', () => {
  const source = async (dir: string) => {
    const sets: Pod[][] = [];
    const s = new StaticPodSource({ dir, nodeName: 'n1', log: logger('test'), periodMs: 60_000, debounceMs: 20, onChange: (pods) => sets.push(pods) });
    await s.start();
    return { s, sets, names: () => (sets.at(-1) ?? []).map((p) => p.metadata.name).sort() };
  };
  const waitFor = async (what: string, cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(cond(), what);
  };

  it('follows files added, changed and removed; ignores dotfiles, directories and keeps a file that breaks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keelson-manifests-'));
    const { s, sets, names } = await source(dir);
    try {
      assert.deepEqual(sets.map((x) => x.length), [0]);
      await writeFile(join(dir, 'a.yaml'), yaml('a'));
      await writeFile(join(dir, '.b.yaml'), yaml('b'));
      await mkdir(join(dir, 'sub'));
      await waitFor('a appears', () => names().join() === 'a-n1');
      const uid = sets.at(-1)![0].metadata.uid;
      const seen = sets.at(-1)![0].metadata.annotations[CONFIG_SEEN];
      // An unchanged rescan reports nothing.
      const n = sets.length;
      await s.scan();
      assert.equal(sets.length, n);
      // A broken file keeps its last good pod.
      await writeFile(join(dir, 'a.yaml'), 'kind: Pod\n  x: [');
      await s.scan();
      assert.equal(sets.at(-1)![0].metadata.uid, uid);
      // A changed manifest is a new pod (new UID, new seen time).
      await writeFile(join(dir, 'a.yaml'), yaml('a', 'sleep 7'));
      await waitFor('a changes', () => sets.at(-1)![0]?.metadata.uid !== uid);
      assert.notEqual(sets.at(-1)![0].metadata.annotations[CONFIG_SEEN], undefined);
      assert.ok(seen);
      await writeFile(join(dir, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { containers: [{ name: 'c', image: 'c' }] } }));
      await waitFor('c appears', () => names().join() === 'a-n1,c-n1');
      // Two files declaring one name: the first file wins.
      await writeFile(join(dir, 'd.yaml'), yaml('c'));
      await s.scan();
      assert.deepEqual(names(), ['a-n1', 'c-n1']);
      await unlink(join(dir, 'd.yaml'));
      await unlink(join(dir, 'a.yaml'));
      await waitFor('a goes', () => names().join() === 'c-n1');
    } finally {
      s.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('treats a missing directory as empty and picks it up once it exists', async () => {
    const base = await mkdtemp(join(tmpdir(), 'keelson-manifests-'));
    const dir = join(base, 'later');
    const { s, names } = await source(dir);
    try {
      assert.deepEqual(names(), []);
      await mkdir(dir);
      await writeFile(join(dir, 'x.yaml'), yaml('x'));
      await s.scan(); // the periodic rescan
      assert.deepEqual(names(), ['x-n1']);
    } finally {
      s.stop();
      await rm(base, { recursive: true, force: true });
    }
  });
});
