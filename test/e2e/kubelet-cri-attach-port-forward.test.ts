// kubectl attach and port-forward against `keelson server --runtime cri` (containerd): the
// kubelet asks CRI Attach / PortForward for a streaming URL and bridges kubectl's streams to it.
// Needs root with containerd, runc and the CNI plugins; skipped with the reason otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startContainerd } from '../../src/kubelet/runtime/cri/containerd.js';
import { buildBusyboxImage, criSkipReason } from '../../src/kubelet/runtime/cri/test-support.js';
import { freePort } from '../helpers/etcd.js';
import { testPodNetwork } from '../helpers/pod-network.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const skip = criSkipReason();
const IMAGE = 'localhost/keelson-e2e/busybox:1';
const NODE = 'keelson-cri-pf-node';

const podJson = (name: string, container: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'Never', ...container }] } });

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (out += d));
      res.on('end', () => resolve(out));
    }).on('error', reject);
  });
}

describe('kubectl attach and port-forward with --runtime cri (containerd)', { skip }, () => {
  // A bridge and cluster CIDR of its own: other cri servers of the suite run beside it.
  const net = testPodNetwork();
  const dir = mkdtempSync(join(tmpdir(), 'keelson-cri-pf-'));
  let proc: ChildProcess | undefined;
  let output = '';
  const children: ChildProcess[] = [];
  const kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
  const env = () => ({ ...process.env, KUBECONFIG: join(dir, 'admin.kubeconfig'), KUBECACHEDIR: join(dir, 'kcache') });
  const running = (name: string) => until(`${name} Running`, async () => (await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 60_000, () => output);

  before(async () => {
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(await freePort()), '--etcd-listen-client-urls', `http://127.0.0.1:${await freePort()}`, '--runtime', 'cri', '--node-name', NODE, '--disable', 'coredns,kube-proxy', ...net.serverArgs], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'admin.kubeconfig')), 30_000, () => output);
    await until('a Ready node', async () => new RegExp(`${NODE}\\s+Ready`).test((await kubectl(['get', 'nodes'])).stdout), 60_000, () => output);
    await until('default service account', async () => (await kubectl(['get', 'sa', 'default'])).code === 0);
    buildBusyboxImage(join(dir, 'bb.tar'), IMAGE);
    execFileSync(bin, ['images', 'import', '--data-dir', dir, join(dir, 'bb.tar')], { stdio: 'pipe' });
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    const p = proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    // Containers outlive the server: purge them through our containerd.
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

  it('port-forward reaches a port inside the pod network; a closed port is kube\'s error', async () => {
    const script = 'mkdir -p /www && echo hello-cri > /www/index.html && exec httpd -f -p 8080 -h /www';
    assert.equal((await kubectl(['create', '-f', '-'], { input: podJson('web', { command: ['sh', '-c', script] }) })).code, 0);
    await running('web');
    const child = spawn('kubectl', ['port-forward', 'pod/web', ':8080', ':8081'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const local = await until('forwarding', async () => Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1]) || undefined, 30_000, () => out);
    const closed = Number(/127\.0\.0\.1:(\d+) -> 8081/.exec(out)?.[1]);
    assert.equal(await httpGet(local), 'hello-cri\n');
    assert.equal(await httpGet(local), 'hello-cri\n');
    await httpGet(closed).catch(() => undefined);
    await until('the forwarding error', async () => /error forwarding port 8081 to pod/.test(out), 15_000, () => out);
    assert.match(out, /an error occurred forwarding \d+ -> 8081: error forwarding port 8081 to pod [0-9a-f]{64}, uid : .*connection refused/);
  });

  it('attach -i: the container\'s stdin and output', async () => {
    assert.equal((await kubectl(['create', '-f', '-'], { input: podJson('echo', { stdin: true, command: ['sh', '-c', 'echo started; while read l; do echo echo:$l; done'] }) })).code, 0);
    await running('echo');
    const child = spawn('kubectl', ['attach', '-i', 'echo'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await until('attached', async () => {
      child.stdin!.write('one\n');
      return out.includes('echo:one');
    }, 20_000, () => out);
    child.kill('SIGKILL');
    assert.equal((await kubectl(['get', 'pod', 'echo', '-o', 'jsonpath={.status.phase}'])).stdout, 'Running');
  });

  it('the end of stdin reaches the container: exec -i ... < input, run -i --rm with its exit code', async () => {
    const cat = await kubectl(['exec', '-i', 'echo', '--', 'sh', '-c', 'cat; echo done'], { input: 'a\nb\n', timeoutMs: 20_000 });
    assert.equal(cat.code, 0, cat.out);
    assert.equal(cat.stdout, 'a\nb\ndone\n');
    const run = await kubectl(['run', 'rr', '-i', '--rm', `--image=${IMAGE}`, '--image-pull-policy=Never', '--restart=Never', `--overrides={"spec":{"nodeName":"${NODE}"}}`, '--', 'sh', '-c', 'while read l; do echo got:$l; done; exit 3'], { input: 'x\ny\n', timeoutMs: 60_000 });
    assert.equal(run.code, 3, run.out);
    assert.match(run.stdout, /got:x\ngot:y\n/);
  });

  it('exec over SPDY/3.1 (kubectl\'s fallback) on containerd: output and exit code', async () => {
    const r = await kubectl(['exec', 'echo', '--', 'sh', '-c', 'echo out; echo err >&2; exit 4'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }, timeoutMs: 20_000 });
    assert.equal(r.code, 4, r.out);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\ncommand terminated with exit code 4\n');
  });
});
