// Volumes with `keelson server` and the process runtime, driven by the real kubectl: a configMap
// volume's file is read by the container through its mountPath (bind-mounted in a mount namespace
// of the container's own, so root is needed for that part), and a pod whose configMap is missing
// stays ContainerCreating with the kubelet's FailedMount event until the configMap appears.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';
import { testPodNetwork } from '../helpers/pod-network.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
// Process pods get network namespaces (as root): on a pod network of this test's own.
const net = testPodNetwork();
const isRoot = process.getuid?.() === 0;

describe('keelson server: kubelet volumes (process runtime)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-volumes-'));
  // Mount points inside the test's own dir: the process runtime creates missing ones on the host.
  const mnt = join(dir, 'mnt');
  let proc: ChildProcess;
  let kubectl: ReturnType<typeof kubectlWith>;
  let output = '';

  before(async () => {
    const port = await freePort();
    proc = spawn(bin, ['server', '--data-dir', join(dir, 'data'), '--secure-port', String(port), '--etcd-listen-client-urls', '', '--runtime', 'process', ...net.serverArgs, '--node-name', 'vol-node', '--cluster-dns-port', '0'], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'data', 'admin.kubeconfig')), 20_000, () => output);
    kubectl = kubectlWith({ kubeconfig: join(dir, 'data', 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
    await until('a Ready node', async () => /vol-node\s+Ready/.test((await kubectl(['get', 'nodes'])).stdout), 30_000, () => output);
  });
  after(async () => {
    await kubectl?.(['delete', 'pods', '--all', '--grace-period=0', '--wait=false']).catch(() => undefined);
    proc?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    proc?.kill('SIGKILL');
    await net.cleanup(join(dir, 'data', 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  const podYaml = (name: string, cm: string, cmd: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        nodeName: 'vol-node',
        restartPolicy: 'Never',
        volumes: [{ name: 'cfg', configMap: { name: cm } }],
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', cmd], volumeMounts: [{ name: 'cfg', mountPath: join(mnt, name) }] }],
      },
    });

  it('a configMap volume is readable by the container at its mountPath', { skip: isRoot ? false : 'bind mounts need root' }, async () => {
    assert.equal((await kubectl(['create', 'configmap', 'greeting', '--from-literal=hello=hi from a configmap volume'])).code, 0);
    const r = await kubectl(['apply', '-f', '-'], { input: podYaml('reader', 'greeting', `cat ${join(mnt, 'reader')}/hello; echo; touch ${join(mnt, 'reader')}/x 2>/dev/null && echo writable || echo read-only`) });
    assert.equal(r.code, 0, r.stdout);
    await until('reader Succeeded', async () => (await kubectl(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 30_000, () => output);
    const logs = (await kubectl(['logs', 'reader'])).stdout;
    assert.match(logs, /hi from a configmap volume/);
    assert.match(logs, /read-only/);
    // The host's view of the mount point is untouched (the bind mount lived in the container's namespace).
    assert.equal(existsSync(join(mnt, 'reader', 'hello')), false);
  });

  it('a pod whose configMap is missing stays ContainerCreating with FailedMount, then starts when it appears', async () => {
    const r = await kubectl(['apply', '-f', '-'], { input: podYaml('waiter', 'later', 'echo started') });
    assert.equal(r.code, 0, r.stdout);
    await until('FailedMount event', async () => {
      const ev = (await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=waiter', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}'])).stdout;
      return ev.includes('FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "later" not found');
    }, 20_000, () => output);
    const status = (await kubectl(['get', 'pod', 'waiter', '--no-headers'])).stdout;
    assert.match(status, /ContainerCreating/);
    assert.equal((await kubectl(['create', 'configmap', 'later', '--from-literal=k=v'])).code, 0);
    await until('waiter Succeeded', async () => (await kubectl(['get', 'pod', 'waiter', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 30_000, () => output);
  });
});
