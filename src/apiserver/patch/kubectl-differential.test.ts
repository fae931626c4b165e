// Differential test: our patch functions against apimachinery's own, as the real kubectl runs them
// offline (`kubectl patch --local -f obj.json --type strategic|merge|json -p ... -o json`).
// Skipped when kubectl is not on PATH. Known, intended difference: kubectl --local prints the
// unstructured result, so directives inside values that are new to the object survive there;
// kube-apiserver decodes into Go structs, which drops them, and so do we (see the SMP tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'keelson-patch-diff-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function kubectlPatch(obj: unknown, patch: unknown, type: 'strategic' | 'merge' | 'json'): { out?: any; err?: string } {
  const f = join(dir, 'obj.json');
  writeFileSync(f, JSON.stringify(obj));
  const r = spawnSync('kubectl', ['patch', '--local', '-f', f, '--type', type, '-p', JSON.stringify(patch), '-o', 'json'], {
    env: { ...process.env, KUBECONFIG: join(dir, 'none'), KUBECACHEDIR: join(dir, 'cache') },
    encoding: 'utf8',
  });
  if (r.status !== 0) return { err: (r.stderr || r.stdout).trim().replace(/^error: /, '') };
  return { out: JSON.parse(r.stdout) };
}

/** kubectl's output went through Go types: creationTimestamp: null and empty status appear. */
function normalize(o: any, mine: any): any {
  const out = JSON.parse(JSON.stringify(o, (k, v) => (k === 'creationTimestamp' && v === null ? undefined : v)));
  if (out.status && Object.keys(out.status).length === 0 && mine.status === undefined) delete out.status;
  return out;
}

const pod = (spec: any, meta: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...meta }, spec });
const dep = (podSpec: any, extra: any = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec }, ...extra },
});
const c = (name: string, image = '1', extra: any = {}) => ({ name, image, ...extra });

const smpCases: [string, any, any][] = [
  ['append a container', pod({ containers: [c('a'), c('b')] }), { spec: { containers: [c('c', '3')] } }],
  ['merge one, add one', pod({ containers: [c('a'), c('b')] }), { spec: { containers: [c('c', '3'), c('a', 'x')] } }],
  ['patch order against live order', pod({ containers: [c('a'), c('b'), c('c')] }), { spec: { containers: [c('c', 'c'), c('a', 'a')] } }],
  ['$setElementOrder with server-only items', pod({ containers: [c('a'), c('s'), c('b')] }), { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }],
  ['$setElementOrder with a new item', pod({ containers: [c('a'), c('b')] }), { spec: { '$setElementOrder/containers': [{ name: 'n' }, { name: 'b' }, { name: 'a' }], containers: [c('n', 'n')] } }],
  ['$patch: delete', pod({ containers: [c('a'), c('b')] }), { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }],
  ['$patch: replace in a list', pod({ containers: [c('a'), c('b')] }), { spec: { containers: [c('z'), { $patch: 'replace' }] } }],
  ['finalizers union', pod({ containers: [c('a')] }, { finalizers: ['a', 'b'] }), { metadata: { finalizers: ['c', 'a'] } }],
  ['$deleteFromPrimitiveList', pod({ containers: [c('a')] }, { finalizers: ['a', 'b', 'c'] }), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } }],
  ['$setElementOrder of primitives', pod({ containers: [c('a')] }, { finalizers: ['a', 'b'] }), { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } }],
  ['$retainKeys on strategy', dep({ containers: [c('a')] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }],
  [
    '$retainKeys on a volume',
    pod({ containers: [c('a')], volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', configMap: { name: 'c' } }] }),
    { spec: { volumes: [{ name: 'v', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' } }] } },
  ],
  ['env by name', pod({ containers: [c('a', '1', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })] }), { spec: { containers: [{ name: 'a', env: [{ name: 'C', value: '3' }, { name: 'A', value: 'x' }] }] } }],
  ['ports by containerPort', pod({ containers: [c('a', '1', { ports: [{ containerPort: 80 }, { containerPort: 443 }] })] }), { spec: { containers: [{ name: 'a', ports: [{ containerPort: 8080 }] }] } }],
  ['tolerations replaced', pod({ containers: [c('a')], tolerations: [{ key: 'a' }, { key: 'b' }] }), { spec: { tolerations: [{ key: 'z' }] } }],
  ['null deletes', pod({ containers: [c('a')], nodeSelector: { a: '1', b: '2' } }, { labels: { x: 'y', z: 'w' } }), { metadata: { labels: { x: null } }, spec: { nodeSelector: { a: null } } }],
  ['$patch: replace in a map', pod({ containers: [c('a')], nodeSelector: { a: '1', b: '2' } }), { spec: { nodeSelector: { $patch: 'replace', c: '3' } } }],
  ['$patch: delete in a map', pod({ containers: [c('a')], nodeSelector: { a: '1' } }), { spec: { nodeSelector: { $patch: 'delete' } } }],
  ['Service ports by port', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81 }] } }, { spec: { ports: [{ port: 82 }, { port: 80, name: 'h' }] } }],
  [
    'node addresses by type',
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '1' }, { type: 'Hostname', address: 'n' }] } },
    { status: { addresses: [{ type: 'ExternalIP', address: '2' }, { type: 'InternalIP', address: '3' }] } },
  ],
  ['ownerReferences by uid', pod({ containers: [c('a')] }, { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'a', uid: 'u1' }] }), { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'b', uid: 'u2' }] } }],
  [
    'kubectl apply: one env value',
    dep({ containers: [c('app', 'i', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }), c('side', 's')] }),
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'side' }], containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '3' }], name: 'app' }] } } } },
  ],
  [
    'kubectl apply: env added first',
    dep({ containers: [c('app', 'i', { env: [{ name: 'A', value: '1' }] })] }),
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ '$setElementOrder/env': [{ name: 'Z' }, { name: 'A' }], env: [{ name: 'Z', value: 'z' }], name: 'app' }] } } } },
  ],
  ['hostAliases by ip', pod({ containers: [c('a')], hostAliases: [{ ip: '1.1.1.1', hostnames: ['a'] }] }), { spec: { hostAliases: [{ ip: '1.1.1.1', hostnames: ['b'] }, { ip: '2.2.2.2', hostnames: ['c'] }] } }],
  ['imagePullSecrets by name', pod({ containers: [c('a')], imagePullSecrets: [{ name: 'x' }] }), { spec: { imagePullSecrets: [{ name: 'y' }] } }],
  [
    'pod conditions by type',
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [c('a')] }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } },
    { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] } },
  ],
  ['duplicate merge keys in the live list', pod({ containers: [c('a', '1', { env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] })] }), { spec: { containers: [{ name: 'a', env: [{ name: 'A', value: '3' }] }] } }],
  [
    'topologySpreadConstraints by topologyKey',
    pod({ containers: [c('a')], topologySpreadConstraints: [{ topologyKey: 'z', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }] }),
    { spec: { topologySpreadConstraints: [{ topologyKey: 'z', maxSkew: 2 }] } },
  ],
];

const smpErrors: [string, any, any][] = [
  ['unknown directive', pod({ containers: [c('a')] }), { spec: { $patch: 'frob' } }],
  ['missing merge key', pod({ containers: [c('a')] }), { spec: { containers: [{ image: 'x' }] } }],
  ['$retainKeys not covering the patch', dep({ containers: [c('a')] }, { strategy: { type: 'RollingUpdate' } }), { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }],
  ['$setElementOrder not matching the patch', pod({ containers: [c('a'), c('b')] }), { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [c('b', 'x')] } }],
];

test('strategic merge patch matches apimachinery (kubectl patch --local)', { skip: !hasKubectl && 'kubectl not on PATH' }, () => {
  for (const [name, obj, patch] of smpCases) {
    const k = kubectlPatch(obj, patch, 'strategic');
    assert.equal(k.err, undefined, `${name}: kubectl failed`);
    const mine = applyStrategicMergePatch(obj, patch);
    assert.deepEqual(mine, normalize(k.out, mine), name);
  }
});

test('strategic merge patch errors read as apimachinery words them', { skip: !hasKubectl && 'kubectl not on PATH' }, () => {
  for (const [name, obj, patch] of smpErrors) {
    const k = kubectlPatch(obj, patch, 'strategic');
    assert.ok(k.err, `${name}: kubectl should fail`);
    assert.throws(() => applyStrategicMergePatch(obj, patch), (e: any) => e.message.trim() === k.err!.trim(), name);
  }
});

const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { 'a/b': 'x' }, finalizers: ['f1', 'f2'] }, data: { k: 'v' } };
const jsonCases: [string, any][] = [
  ['test passes', [{ op: 'test', path: '/data/k', value: 'v' }, { op: 'add', path: '/data/n', value: '1' }]],
  ['test of a missing member against null', [{ op: 'test', path: '/data/zz', value: null }]],
  ['replace of a missing member', [{ op: 'replace', path: '/data/zz', value: 'x' }]],
  ['escaped pointer', [{ op: 'replace', path: '/metadata/annotations/a~1b', value: 'y' }]],
  ['copy', [{ op: 'copy', from: '/data/k', path: '/data/k2' }]],
  ['move', [{ op: 'move', from: '/data/k', path: '/metadata/labels' }]],
  ['negative index', [{ op: 'remove', path: '/metadata/finalizers/-1' }]],
  ['append', [{ op: 'add', path: '/metadata/finalizers/-', value: 'f3' }]],
];
const jsonErrors: [string, any][] = [
  ['failed test', [{ op: 'test', path: '/data/k', value: 'nope' }]],
  ['test of a missing member', [{ op: 'test', path: '/data/zz', value: 'nope' }]],
  ['replace under a missing parent', [{ op: 'replace', path: '/spec/zz', value: 'x' }]],
  ['remove of a missing member', [{ op: 'remove', path: '/data/zz' }]],
  ['remove under a missing parent', [{ op: 'remove', path: '/spec/zz' }]],
  ['add under a missing parent', [{ op: 'add', path: '/spec/zz', value: 1 }]],
  ['move of a missing member', [{ op: 'move', from: '/data/zz', path: '/data/y' }]],
  ['unknown op', [{ op: 'frob', path: '/data/k' }]],
  ['add beyond the end', [{ op: 'add', path: '/metadata/finalizers/5', value: 'b' }]],
];

test('json patch matches the json-patch library kube uses (kubectl patch --local --type json)', { skip: !hasKubectl && 'kubectl not on PATH' }, () => {
  for (const [name, patch] of jsonCases) {
    const k = kubectlPatch(cm, patch, 'json');
    assert.equal(k.err, undefined, `${name}: kubectl failed`);
    assert.deepEqual(applyJsonPatch(cm, patch), normalize(k.out, {}), name);
  }
  for (const [name, patch] of jsonErrors) {
    const k = kubectlPatch(cm, patch, 'json');
    assert.ok(k.err, `${name}: kubectl should fail`);
    assert.throws(() => applyJsonPatch(cm, patch), (e: any) => e.message === k.err, `${name}: kubectl said ${k.err}`);
  }
});

test('merge patch matches (kubectl patch --local --type merge)', { skip: !hasKubectl && 'kubectl not on PATH' }, () => {
  for (const patch of [{ data: { k: null, n: 'x' } }, { metadata: { labels: { a: null, b: 'c' }, finalizers: ['z'] } }, { data: null }]) {
    const k = kubectlPatch(cm, patch, 'merge');
    assert.equal(k.err, undefined);
    assert.deepEqual(applyMergePatch(cm, patch), normalize(k.out, {}), JSON.stringify(patch));
  }
});
