// `keelson server --runtime cri` with the real kubectl: pods run as containers on the server's
// own containerd from an image imported offline (`keelson images import`), with their own
// hostname, filesystem, IP and memory limit; OOMKilled, ImagePullBackOff and ErrImageNeverPull
// as a real kubelet reports them; logs and exec; a server restart adopts the running containers.
// Also measures pod start latency (created -> Running, image present) for 20 pods (diagnostic).
// Needs root with containerd, runc and the CNI plugins; skipped with the reason otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { startContainerd } from '../../src/kubelet/runtime/cri/containerd.js';
import { buildBusyboxImage, criSkipReason } from '../../src/kubelet/runtime/cri/test-support.js';
import { freePort } from '../helpers/etcd.js';
import { testPodNetwork } from '../helpers/pod-network.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const skip = criSkipReason();
const IMAGE = 'localhost/keelson-e2e/busybox:1';
const NODE = 'keelson-cri-node';

const podJson = (name: string, container: Record<string, unknown>, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'Never', ...container }] } });

describe('keelson server --runtime cri (containerd) with kubectl', { skip }, () => {
  // A bridge and cluster CIDR of its own: other cri servers of the suite run beside it.
  const net = testPodNetwork();
  const dir = mkdtempSync(join(tmpdir(), 'keelson-cri-e2e-'));
  let proc: ChildProcess | undefined;
  let output = '';
  let port = 0;
  let etcdPort = 0;
  const kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
  const jp = async (pod: string, path: string) => (await kubectl(['get', 'pod', pod, '-o', `jsonpath={${path}}`])).stdout;

  const startServer = async () => {
    output = '';
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--runtime', 'cri', '--node-name', NODE, '--disable', 'coredns,kube-proxy', ...net.serverArgs], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'admin.kubeconfig')), 30_000, () => output);
    await until('a Ready node', async () => new RegExp(`${NODE}\\s+Ready`).test((await kubectl(['get', 'nodes'])).stdout), 60_000, () => output);
  };
  const stopServer = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (p.exitCode === null) p.kill('SIGKILL');
  };

  before(async () => {
    port = await freePort();
    etcdPort = await freePort();
    await startServer();
    // Created the moment the node reads Ready, scheduled by the scheduler (checked below).
    const first = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'first' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'pause', image: 'localhost/keelson/pause:1', imagePullPolicy: 'IfNotPresent' }] } };
    const r = await kubectl(['create', '-f', '-'], { input: JSON.stringify(first) });
    assert.equal(r.code, 0, r.out);
    buildBusyboxImage(join(dir, 'bb.tar'), IMAGE);
    execFileSync(bin, ['images', 'import', '--data-dir', dir, join(dir, 'bb.tar')], { stdio: 'pipe' });
  });
  after(async () => {
    await stopServer();
    // Containers outlive the server (as a kubelet restart): purge them through our containerd.
    try {
      const c = await startContainerd({ dataDir: join(dir, 'containerd'), cniConfDir: join(dir, 'containerd', 'cni', 'net.d') });
      await c.stop({ purge: true });
    } catch (e) {
      console.error('purging containerd failed:', (e as Error).message);
    }
    // The node's own bridge (its pods are gone with the purge above).
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports containerd in nodeInfo', async () => {
    const v = (await kubectl(['get', 'node', NODE, '-o', 'jsonpath={.status.nodeInfo.containerRuntimeVersion}'])).stdout;
    assert.match(v, /^containerd:\/\/\d+\.\d+\.\d+$/);
  });

  it('a pod created as the node reads Ready is scheduled at once and runs with a pod IP', async () => {
    await until('first Running', async () => (await jp('first', '.status.phase')) === 'Running' && !!(await jp('first', '.status.podIP')), 30_000, () => output);
    // The node registered Ready (its pod range and network configured first): no NotReady
    // window, hence no taint for the scheduler to trip on.
    const events = (await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=first', '-o', 'jsonpath={range .items[*]}{.type} {.reason}: {.message}{"\\n"}{end}'])).stdout;
    assert.match(events, /^Normal Scheduled: /m);
    assert.deepEqual(events.split('\n').filter((l) => l.startsWith('Warning')), []);
    assert.equal((await kubectl(['get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}'])).stdout, net.podCIDR);
    assert.equal((await kubectl(['delete', 'pod', 'first', '--wait=false'])).code, 0);
  });

  it('runs a pod in its own container: containerd:// id, hostname, filesystem, IP and memory limit', async () => {
    const r = await kubectl(['create', '-f', '-'], { input: podJson('iso', { command: ['sleep', '3600'], resources: { limits: { memory: '64Mi' } } }) });
    assert.equal(r.code, 0, r.out);
    await until('iso Running', async () => (await jp('iso', '.status.phase')) === 'Running', 60_000, () => output);
    assert.match(await jp('iso', '.status.containerStatuses[0].containerID'), /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal((await kubectl(['exec', 'iso', '--', 'hostname'])).stdout, 'iso\n');
    const os = await kubectl(['exec', 'iso', '--', 'cat', '/etc/os-release']);
    assert.notEqual(os.code, 0, 'the host /etc/os-release is not in the container');
    assert.equal((await kubectl(['exec', 'iso', '--', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'])).stdout.trim(), '67108864');
    const ip = await jp('iso', '.status.podIP');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.notEqual(ip, await jp('iso', '.status.hostIP'));
    const ex = await kubectl(['exec', 'iso', '--', 'sh', '-c', 'echo out; exit 3']);
    assert.equal(ex.code, 3);
    assert.equal(ex.stdout, 'out\n');
    const stdin = await kubectl(['exec', '-i', 'iso', '--', 'sh', '-c', 'read x; echo got $x'], { input: 'hello\n', timeoutMs: 20_000 });
    assert.equal(stdin.stdout, 'got hello\n');
  });

  it('logs of a finished container; a memory hog over its 16Mi limit is OOMKilled', async () => {
    assert.equal((await kubectl(['create', '-f', '-'], { input: podJson('echo', { command: ['sh', '-c', 'echo one; echo two >&2'] }) })).code, 0);
    await until('echo Succeeded', async () => (await jp('echo', '.status.phase')) === 'Succeeded', 60_000);
    // stdout and stderr reach the CRI log through separate pipes: their lines may interleave either way.
    assert.deepEqual((await kubectl(['logs', 'echo'])).stdout.split('\n').sort(), ['', 'one', 'two']);
    const hog = podJson('hog', { command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], resources: { limits: { memory: '16Mi' } } });
    assert.equal((await kubectl(['create', '-f', '-'], { input: hog })).code, 0);
    await until('hog Failed', async () => (await jp('hog', '.status.phase')) === 'Failed', 60_000);
    const t = JSON.parse(await jp('hog', '.status.containerStatuses[0].state.terminated'));
    assert.deepEqual([t.reason, t.exitCode], ['OOMKilled', 137]);
  });

  it('ImagePullBackOff for an image no registry has; ErrImageNeverPull with pull policy Never', async () => {
    const missing = '127.0.0.1:1/keelson-e2e/missing:1';
    assert.equal((await kubectl(['create', '-f', '-'], { input: podJson('pull', { image: missing, imagePullPolicy: 'IfNotPresent', command: ['true'] }) })).code, 0);
    await until('ImagePullBackOff', async () => (await jp('pull', '.status.containerStatuses[0].state.waiting.reason')) === 'ImagePullBackOff', 60_000);
    assert.equal(await jp('pull', '.status.containerStatuses[0].state.waiting.message'), `Back-off pulling image "${missing}"`);
    const events = (await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=pull', '-o', 'jsonpath={range .items[*]}{.reason}|{.message}{"\\n"}{end}'])).stdout;
    assert.match(events, new RegExp(`Failed\\|Failed to pull image "${missing.replace(/\./g, '\\.')}": rpc error: code = `));
    assert.match(events, /Failed\|Error: ErrImagePull/);
    const never = 'localhost/keelson-e2e/absent:1';
    assert.equal((await kubectl(['create', '-f', '-'], { input: podJson('never', { image: never, command: ['true'] }) })).code, 0);
    await until('ErrImageNeverPull', async () => (await jp('never', '.status.containerStatuses[0].state.waiting.reason')) === 'ErrImageNeverPull', 60_000);
    assert.equal(await jp('never', '.status.containerStatuses[0].state.waiting.message'), `Container image "${never}" is not present with pull policy of Never`);
  });

  it('a server restart leaves the running container running (adopted, not restarted)', async () => {
    const id = await jp('iso', '.status.containerStatuses[0].containerID');
    const startedAt = await jp('iso', '.status.containerStatuses[0].state.running.startedAt');
    await stopServer();
    await startServer();
    await until('iso Running again', async () => (await jp('iso', '.status.phase')) === 'Running', 60_000, () => output);
    // Give the new kubelet a few syncs: nothing may change.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await jp('iso', '.status.containerStatuses[0].containerID'), id);
    assert.equal(await jp('iso', '.status.containerStatuses[0].state.running.startedAt'), startedAt);
    assert.equal(await jp('iso', '.status.containerStatuses[0].restartCount'), '0');
    assert.equal((await kubectl(['exec', 'iso', '--', 'hostname'])).stdout, 'iso\n');
  });

  it('pod start latency, created -> Running with the image present (20 pods)', async (t) => {
    const client = new RestClient({ ...loadKubeconfig(join(dir, 'admin.kubeconfig')), userAgent: 'keelson-cri-e2e' });
    try {
      const created = new Map<string, number>();
      const running = new Map<string, number>();
      const poll = setInterval(() => {
        void client
          .get('/api/v1/namespaces/default/pods', { labelSelector: 'latency=1' })
          .then((l) => {
            for (const p of l.items) if (p.status?.phase === 'Running' && !running.has(p.metadata.name)) running.set(p.metadata.name, Date.now());
          })
          .catch(() => undefined);
      }, 25);
      for (let i = 0; i < 20; i++) {
        const name = `lat-${i}`;
        await client.post('/api/v1/namespaces/default/pods', JSON.parse(podJson(name, { command: ['sleep', '3600'] }, { latency: '1' })));
        created.set(name, Date.now());
        await new Promise((r) => setTimeout(r, 200));
      }
      await until('20 pods Running', async () => running.size === 20, 120_000);
      clearInterval(poll);
      const ms = [...created].map(([n, at]) => running.get(n)! - at).sort((a, b) => a - b);
      const pct = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)];
      t.diagnostic(`pod start latency (20 pods, one every 200 ms): p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${ms[ms.length - 1]} ms`);
      // A measurement, not an assertion (timings belong to bench/; the machine may be loaded):
      // every pod must get to Running, which `until` above checks.
      assert.equal(ms.length, 20);
    } finally {
      client.close();
    }
  });
});
