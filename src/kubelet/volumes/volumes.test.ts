// Volumes as the kubelet lays them out: atomic ..data swaps, configMap/secret items and modes,
// optional and missing sources (FailedMount wording), downward API files, projected volumes with
// a service account token, emptyDir, hostPath types, updates reaching the files, tear down.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { logger } from '../../util/log.js';
import { writeAtomically } from './atomic-writer.js';
import { containerMounts, FailedMount, hostPath, VolumeManager } from './volume-manager.js';

const b = (s: string) => Buffer.from(s);

describe('atomic writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-vol-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes through a ..data symlink, swaps it on change, drops removed keys, and is idempotent', () => {
    const v = join(dir, 'cm');
    assert.equal(writeAtomically(v, new Map([['a', { data: b('1'), mode: 0o644 }], ['sub/b', { data: b('2'), mode: 0o600 }]])), true);
    const first = readlinkSync(join(v, '..data'));
    assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/);
    assert.equal(readlinkSync(join(v, 'a')), '..data/a');
    assert.equal(readFileSync(join(v, 'sub/b'), 'utf8'), '2');
    assert.equal(statSync(join(v, 'sub/b')).mode & 0o777, 0o600);
    assert.equal(writeAtomically(v, new Map([['a', { data: b('1'), mode: 0o644 }], ['sub/b', { data: b('2'), mode: 0o600 }]])), false);
    assert.equal(writeAtomically(v, new Map([['a', { data: b('changed'), mode: 0o644 }]])), true);
    assert.notEqual(readlinkSync(join(v, '..data')), first);
    assert.equal(existsSync(join(v, first)), false, 'the old timestamped dir is removed');
    assert.equal(readFileSync(join(v, 'a'), 'utf8'), 'changed');
    assert.equal(existsSync(join(v, 'sub')), false);
    assert.throws(() => writeAtomically(v, new Map([['../x', { data: b(''), mode: 0o644 }]])), /must not contain '\.\.'/);
  });

  it('checks hostPath types and creates what *OrCreate asks for', () => {
    const p = join(dir, 'made/deep');
    assert.equal(hostPath(p, 'DirectoryOrCreate'), p);
    assert.ok(statSync(p).isDirectory());
    assert.throws(() => hostPath(join(dir, 'nope'), 'Directory'), /hostPath type check failed: .*nope is not a directory/);
    hostPath(join(dir, 'f'), 'FileOrCreate');
    assert.ok(statSync(join(dir, 'f')).isFile());
    assert.throws(() => hostPath(join(dir, 'f'), 'Directory'), /is not a directory/);
    assert.throws(() => hostPath(p, 'File'), /is not a file/);
  });
});

describe('volume manager', () => {
  let api: TestApiServer;
  let client: RestClient;
  const root = mkdtempSync(join(tmpdir(), 'keelson-vm-'));
  let vm: VolumeManager;
  let now = Date.now();
  const ns = '/api/v1/namespaces/default';

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    vm = new VolumeManager({ client, rootDir: root, log: logger('test'), canMount: false, now: () => now });
    await client.post(`${ns}/configmaps`, { metadata: { name: 'cfg' }, data: { 'app.conf': 'port=80\n', other: 'x' }, binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } });
    // No controller manager here: the service account the token is for is created by hand.
    await client.post(`${ns}/serviceaccounts`, { metadata: { name: 'default' } }).catch(() => undefined);
    await client.post(`${ns}/secrets`, { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } });
  });
  after(async () => {
    client?.close();
    await api?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const pod = (volumes: unknown[], extra: Record<string, unknown> = {}) => ({
    metadata: { name: 'p', namespace: 'default', uid: `uid-${Math.random().toString(36).slice(2)}`, labels: { app: 'web', tier: 'fe' } },
    spec: { serviceAccountName: 'default', containers: [{ name: 'c', resources: { limits: { memory: '64Mi', cpu: '250m' } } }], volumes, ...extra },
  });

  it('lays out configMap volumes (all keys, binaryData, items with paths and modes) and follows updates', async () => {
    const p = pod([{ name: 'all', configMap: { name: 'cfg' } }, { name: 'some', configMap: { name: 'cfg', defaultMode: 0o400, items: [{ key: 'app.conf', path: 'conf/app.conf' }, { key: 'other', path: 'o', mode: 0o640 }] } }]);
    const vols = await vm.setUp(p);
    const all = vols.get('all')!;
    assert.equal(all, join(root, 'pods', p.metadata.uid, 'volumes', 'kubernetes.io~configmap', 'all'));
    assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'port=80\n');
    assert.deepEqual([...readFileSync(join(all, 'bin'))], [0, 1, 2]);
    assert.equal(statSync(join(all, 'app.conf')).mode & 0o777, 0o644);
    const some = vols.get('some')!;
    assert.equal(readFileSync(join(some, 'conf/app.conf'), 'utf8'), 'port=80\n');
    assert.equal(statSync(join(some, 'conf/app.conf')).mode & 0o777, 0o400);
    assert.equal(statSync(join(some, 'o')).mode & 0o777, 0o640);
    assert.equal(existsSync(join(some, 'bin')), false);
    await client.patch(`${ns}/configmaps/cfg`, { data: { 'app.conf': 'port=8080\n' } }, 'merge');
    await vm.setUp(p);
    assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'port=8080\n');
    vm.tearDown(p.metadata.uid);
    assert.equal(existsSync(join(root, 'pods', p.metadata.uid)), false);
  });

  it('fails like the kubelet for missing sources and keys, and skips optional ones', async () => {
    await assert.rejects(vm.setUp(pod([{ name: 'cfg', configMap: { name: 'missing' } }])), (e: Error) => e instanceof FailedMount && e.message === 'MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found');
    await assert.rejects(vm.setUp(pod([{ name: 's', secret: { secretName: 'gone' } }])), /MountVolume.SetUp failed for volume "s" : secret "gone" not found/);
    await assert.rejects(vm.setUp(pod([{ name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'nokey', path: 'x' }] } }])), /configmap references non-existent config key: nokey/);
    const p = pod([{ name: 'opt', configMap: { name: 'missing', optional: true } }]);
    const v = await vm.setUp(p);
    assert.ok(existsSync(join(v.get('opt')!, '..data')));
  });

  it('decodes secrets and writes downward API files', async () => {
    const p = pod([
      { name: 's', secret: { secretName: 'creds', defaultMode: 0o600 } },
      { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } }, { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } }] } },
    ]);
    const v = await vm.setUp(p);
    assert.equal(readFileSync(join(v.get('s')!, 'password'), 'utf8'), 's3cret');
    assert.equal(statSync(join(v.get('s')!, 'password')).mode & 0o777, 0o600);
    const info = v.get('info')!;
    assert.equal(readFileSync(join(info, 'name'), 'utf8'), 'p');
    assert.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="web"\ntier="fe"');
    assert.equal(readFileSync(join(info, 'mem'), 'utf8'), '64');
    assert.equal(readFileSync(join(info, 'cpu'), 'utf8'), '250');
  });

  it('projects a bound service account token (TokenRequest) with configMap and downward API, renewing it at 80% of its life', async (t) => {
    const probe = await client.post(`${ns}/serviceaccounts/default/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } }).catch((e: Error) => e);
    if (probe instanceof Error) return t.skip(`the apiserver has no TokenRequest yet: ${probe.message}`);
    // The token is bound to a pod that must exist.
    const real = await client.post(`${ns}/pods`, { metadata: { name: 'tok' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const p0 = pod([{ name: 'kube-api-access', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }, { configMap: { name: 'cfg', items: [{ key: 'other', path: 'other' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } }]);
    const p = { ...p0, metadata: { ...p0.metadata, name: 'tok', uid: real.metadata!.uid } };
    const v = (await vm.setUp(p)).get('kube-api-access')!;
    const token = readFileSync(join(v, 'token'), 'utf8');
    assert.equal(token.split('.').length, 3, 'a JWT');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.equal(readFileSync(join(v, 'namespace'), 'utf8'), 'default');
    assert.equal(readFileSync(join(v, 'other'), 'utf8'), 'x');
    await vm.setUp(p);
    assert.equal(readFileSync(join(v, 'token'), 'utf8'), token, 'reused before 80% of its lifetime');
    const refresh = vm.nextTokenRefresh(p.metadata.uid)!;
    assert.ok(refresh > now + 0.79 * 3600_000 && refresh < now + 0.81 * 3600_000);
    now = refresh + 1000;
    await new Promise((r) => setTimeout(r, 1100)); // a new iat
    await vm.setUp(p);
    assert.notEqual(readFileSync(join(v, 'token'), 'utf8'), token, 'renewed');
  });

  it('makes emptyDirs and resolves container mounts (subPath, read-only API volumes)', async () => {
    const p = pod([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }]);
    const v = await vm.setUp(p);
    assert.ok(statSync(v.get('scratch')!).isDirectory());
    const mounts = containerMounts(p, { volumeMounts: [{ name: 'scratch', mountPath: '/data', subPath: 'logs' }, { name: 'cfg', mountPath: '/etc/app' }] }, v);
    assert.deepEqual(mounts, [
      { containerPath: '/data', hostPath: join(v.get('scratch')!, 'logs'), readOnly: false, subPath: 'logs' },
      { containerPath: '/etc/app', hostPath: v.get('cfg')!, readOnly: true },
    ]);
    assert.ok(lstatSync(join(v.get('scratch')!, 'logs')).isDirectory());
    writeFileSync(join(v.get('scratch')!, 'logs', 'x'), 'y');
    vm.tearDown(p.metadata.uid);
    assert.equal(existsSync(v.get('scratch')!), false);
  });
});
