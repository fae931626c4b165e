// Static pods with the real kubectl: `keelson kubelet --pod-manifest-path DIR --runtime process`
// as system:node:<node> (NodeRestriction and the Node authorizer in the way, as for a real
// kubelet). A manifest dropped in the directory runs and shows up as a Running mirror pod
// `<name>-<node>` owned by the Node; edits of the mirror are ignored; `kubectl delete pod`
// recreates the mirror without touching the container; a changed manifest restarts the pod; a
// removed file stops it and deletes the mirror; a restarted kubelet keeps current mirrors and
// deletes orphaned ones. A kubelet whose apiserver is unreachable still runs its static pods.
// As root the pod gets a network namespace (the default) with an IP from the kubelet's
// --pod-cidr, a pod network of the test's own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, unlink, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClientCert } from '../../src/auth/pki/cluster-pki.js';
import { kubeconfigYaml } from '../../src/auth/pki/kubeconfig-file.js';
import { freePort } from '../helpers/etcd.js';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';
import { podNetnsByDefault, testPodNetwork } from '../helpers/pod-network.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const node = 'static-node';
const net = testPodNetwork();

const manifest = (dir: string, tag: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo $$$$ > ${dir}/pid; echo ${tag}; exec sleep 3600"]
`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function startKubelet(kubeconfig: string, rootDir: string, manifests: string, out: { logs: string }): ChildProcess {
  const child = spawn(bin, ['kubelet', '--kubeconfig', kubeconfig, '--hostname-override', node, '--runtime', 'process', '--port', '0', '--root-dir', rootDir, '--pod-manifest-path', manifests, '--file-check-frequency', '2s', '--node-status-update-frequency', '1s', ...net.kubeletArgs], {
    env: { ...process.env, KEELSON_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out.logs += d));
  child.stderr!.on('data', (d) => (out.logs += d));
  return child;
}

async function stopChild(child?: ChildProcess): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

describe('static pods (--pod-manifest-path) and their mirror pods', () => {
  let api: TestApiServer;
  let child: ChildProcess | undefined;
  let dir: string;
  let kubeconfig: string;
  const out = { logs: '' };
  const get = async (name: string) => {
    const r = await api.kubectl(['get', 'pod', name, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  const pidOf = async () => Number((await readFile(join(dir, 'pid'), 'utf8').catch(() => '0')).trim());

  before(async () => {
    api = await startTestApiServer();
    dir = await mkdtemp(join(tmpdir(), 'keelson-static-'));
    const cert = await ensureClientCert(join(api.dataDir, 'pki'), `test-kubelet-${node}`, `system:node:${node}`, ['system:nodes']);
    const ca = Buffer.from(readFileSync(api.kubeconfig, 'utf8').match(/certificate-authority-data:\s*(\S+)/)?.[1] ?? '', 'base64').toString();
    kubeconfig = join(dir, 'kubelet.kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ server: api.secureUrl, caCert: ca, clientCert: cert.cert, clientKey: cert.key }));
    await mkdir(join(dir, 'manifests'));
  });
  after(async () => {
    await stopChild(child);
    const pid = await pidOf();
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await api.stop();
    await net.cleanup(join(dir, 'kubelet'), join(dir, 'kubelet2'));
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a manifest as a Running mirror pod <name>-<node> owned by the Node', async () => {
    child = startKubelet(kubeconfig, join(dir, 'kubelet'), join(dir, 'manifests'), out);
    await until('node Ready', async () => (await api.kubectl(['get', 'node', node])).stdout.includes(' Ready '), 20_000, () => out.logs);
    // A dotfile is not a manifest.
    await writeFile(join(dir, 'manifests', '.web.yaml.swp'), 'not a pod');
    await writeFile(join(dir, 'manifests', 'web.yaml'), manifest(dir, 'v1'));
    await until('mirror pod Running', async () => /web-static-node\s+1\/1\s+Running/.test((await api.kubectl(['get', 'pods'])).stdout), 20_000, () => out.logs);
    const m = await get(`web-${node}`);
    const a = m.metadata.annotations;
    assert.equal(a['kubernetes.io/config.source'], 'file');
    assert.match(a['kubernetes.io/config.hash'], /^[0-9a-f]{32}$/);
    assert.equal(a['kubernetes.io/config.mirror'], a['kubernetes.io/config.hash']);
    assert.ok(a['kubernetes.io/config.seen']);
    assert.equal(m.spec.nodeName, node);
    assert.deepEqual(m.metadata.labels, { app: 'web' });
    const node_ = JSON.parse((await api.kubectl(['get', 'node', node, '-o', 'json'])).stdout);
    assert.deepEqual(m.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: node, uid: node_.metadata.uid, controller: true }]);
    assert.equal(m.status.containerStatuses[0].restartCount, 0);
    if (podNetnsByDefault()) assert.ok(m.status.podIP.startsWith(net.podCIDR.replace(/0\/24$/, '')), `pod IP ${m.status.podIP} in ${net.podCIDR}`);
    assert.ok(alive(await pidOf()));
    // kubectl logs reaches the static pod's container through the kubelet server.
    await until('logs', async () => (await api.kubectl(['logs', `web-${node}`])).stdout === 'v1\n', 10_000);
  });

  it('ignores changes made to the mirror pod through the API', async () => {
    const pid = await pidOf();
    for (const args of [['label', 'pod', `web-${node}`, 'edited=yes'], ['set', 'image', `pod/web-${node}`, 'main=busybox:2']]) {
      const r = await api.kubectl(args);
      assert.equal(r.code, 0, r.out);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const m = await get(`web-${node}`);
    assert.equal(m.metadata.labels.edited, 'yes');
    assert.equal(m.status.phase, 'Running');
    assert.equal(m.status.containerStatuses[0].restartCount, 0);
    assert.equal(await pidOf(), pid);
    assert.ok(alive(pid));
  });

  it('recreates the mirror pod a user deletes; the container keeps running', async () => {
    const before_ = await get(`web-${node}`);
    const pid = await pidOf();
    // --wait=false: the replacement is what this test waits for (below), not kubectl's own watch
    // of the old object, which a loaded machine can keep past kubectl's timeout.
    const r = await api.kubectl(['delete', 'pod', `web-${node}`, '--wait=false']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /pod "web-static-node" deleted/);
    await until('a new mirror pod, Running', async () => {
      const m = await get(`web-${node}`);
      return !!m && m.metadata.uid !== before_.metadata.uid && m.status?.phase === 'Running' && m.status.containerStatuses?.[0]?.ready === true;
    }, 45_000, () => out.logs);
    assert.equal(await pidOf(), pid);
    assert.ok(alive(pid));
  });

  it('restarts the pod when its manifest changes (a new hash)', async () => {
    const before_ = await get(`web-${node}`);
    const oldPid = await pidOf();
    await writeFile(join(dir, 'manifests', 'web.yaml'), manifest(dir, 'v2'));
    await until('the mirror of the new manifest, Running', async () => {
      const m = await get(`web-${node}`);
      return !!m && m.metadata.annotations['kubernetes.io/config.hash'] !== before_.metadata.annotations['kubernetes.io/config.hash'] && m.status?.phase === 'Running';
    }, 30_000, () => out.logs);
    await until('a new container', async () => (await pidOf()) !== oldPid && alive(await pidOf()), 10_000);
    assert.ok(!alive(oldPid), 'the old container is stopped');
    await until('logs of the new one', async () => (await api.kubectl(['logs', `web-${node}`])).stdout === 'v2\n', 10_000);
  });

  it('stops the pod and deletes its mirror when the file is removed', async () => {
    const pid = await pidOf();
    await unlink(join(dir, 'manifests', 'web.yaml'));
    await until('mirror pod gone', async () => (await api.kubectl(['get', 'pod', `web-${node}`])).stderr.includes('NotFound'), 20_000, () => out.logs);
    await until('container stopped', async () => !alive(pid), 40_000);
    assert.match((await api.kubectl(['get', 'pods'])).stderr + (await api.kubectl(['get', 'pods'])).stdout, /No resources found/);
  });

  it('after a kubelet restart keeps the mirror of an unchanged manifest and deletes the one of a removed file', async () => {
    await writeFile(join(dir, 'manifests', 'keep.yaml'), manifest(join(dir, 'keep'), 'keep').replace('name: web', 'name: keep'));
    await writeFile(join(dir, 'manifests', 'gone.yaml'), manifest(join(dir, 'gone'), 'gone').replace('name: web', 'name: gone'));
    await mkdir(join(dir, 'keep'));
    await mkdir(join(dir, 'gone'));
    const running = async (name: string) => (await get(`${name}-${node}`))?.status?.phase === 'Running';
    await until('both Running', async () => (await running('keep')) && (await running('gone')), 20_000, () => out.logs);
    const keepUid = (await get(`keep-${node}`)).metadata.uid;
    await stopChild(child);
    await unlink(join(dir, 'manifests', 'gone.yaml'));
    child = startKubelet(kubeconfig, join(dir, 'kubelet'), join(dir, 'manifests'), out);
    await until('the orphaned mirror deleted', async () => !(await get(`gone-${node}`)), 20_000, () => out.logs);
    await until('keep Running again', () => running('keep'), 20_000, () => out.logs);
    assert.equal((await get(`keep-${node}`)).metadata.uid, keepUid, 'the mirror of an unchanged manifest is kept');
    await unlink(join(dir, 'manifests', 'keep.yaml'));
    await until('keep gone', async () => !(await get(`keep-${node}`)), 20_000, () => out.logs);
  });

  it('runs static pods while the apiserver is unreachable', async () => {
    await stopChild(child);
    const dead = join(dir, 'dead.kubeconfig');
    writeFileSync(dead, readFileSync(kubeconfig, 'utf8').replace(api.secureUrl, `https://127.0.0.1:${await freePort()}`));
    await rm(join(dir, 'pid'), { force: true });
    await writeFile(join(dir, 'manifests', 'web.yaml'), manifest(dir, 'offline'));
    const o = { logs: '' };
    child = startKubelet(dead, join(dir, 'kubelet2'), join(dir, 'manifests'), o);
    await until('the container runs', async () => existsSync(join(dir, 'pid')) && alive(await pidOf()), 20_000, () => o.logs);
    const pid = await pidOf();
    await stopChild(child);
    await until('stopped with the kubelet', async () => !alive(pid), 40_000);
  });
});
