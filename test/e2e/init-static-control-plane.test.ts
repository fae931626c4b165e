// The kubeadm way with the real kubectl and etcdctl: `keelson init --manifests DIR --systemd DIR`
// writes the certificates, kubeconfigs, control-plane static-pod manifests and systemd units; a
// kubelet (process runtime) on that directory brings etcd, the apiserver, the controller manager
// and the scheduler up as static pods before the API answers, mirrors them into kube-system as
// <component>-<node>, and `kubectl exec etcd-<node> -n kube-system -- etcdctl get / --prefix
// --keys-only` lists the store; the scheduler then places an ordinary pod on the node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { freeFixedPort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';
import { testPodNetwork } from '../helpers/pod-network.js';

const net = testPodNetwork();

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const node = 'keelson-init-node';
const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
const haveEtcdctl = spawnSync('etcdctl', ['version']).status === 0;

/** Live process ids under `pid` (the static pods' processes), to end them should the kubelet not. */
function descendants(pid: number): number[] {
  const out = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const kids = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p && pp) kids.set(pp, [...(kids.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const k of kids.get(p) ?? []) {
      all.push(k);
      walk(k);
    }
  };
  walk(pid);
  return all;
}

describe('keelson init: the control plane as static pods', { skip: haveEtcdctl ? false : 'etcdctl is not on PATH' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-init-'));
  const manifests = join(dir, 'manifests');
  const units = join(dir, 'systemd');
  let kubelet: ChildProcess | undefined;
  let output = '';
  let kubectl: ReturnType<typeof kubectlWith>;
  let apiPort = 0;
  let etcdPort = 0;
  let initOut = '';

  before(async () => {
    // Bound seconds later, by the static pods: ports outside the ephemeral range (see helper).
    apiPort = await freeFixedPort();
    etcdPort = await freeFixedPort();
    initOut = execFileSync(bin, ['init', '--manifests', manifests, '--systemd', units, '--data-dir', dir, '--node-name', node, '--apiserver-advertise-address', '127.0.0.1', '--apiserver-bind-port', String(apiPort), '--etcd-port', String(etcdPort), '--controller-manager-port', '0', '--scheduler-port', '0'], { encoding: 'utf8' });
    kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
  });
  after(async () => {
    const k = kubelet;
    if (k?.pid && k.exitCode === null) {
      const kids = descendants(k.pid);
      const gone = new Promise((r) => k.once('exit', r));
      k.kill('SIGTERM');
      const t = setTimeout(() => k.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
      for (const p of kids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already ended */
        }
      }
    }
    // The kubelet's pod network of its own (not a real node's keelson0), released here.
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes kubeadm-style manifests, systemd units, certificates and kubeconfigs', () => {
    for (const f of ['pki/ca.crt', 'pki/apiserver.crt', 'pki/sa.key', 'pki/etcd/ca.crt', 'pki/etcd/server.crt', 'pki/apiserver-etcd-client.crt', 'admin.kubeconfig', 'kubelet.kubeconfig', 'controller-manager.kubeconfig', 'scheduler.kubeconfig']) assert.ok(existsSync(join(dir, f)), f);
    for (const c of components) {
      const pod = parse(readFileSync(join(manifests, `${c}.yaml`), 'utf8'));
      assert.equal(pod.kind, 'Pod');
      assert.equal(pod.metadata.name, c);
      assert.equal(pod.metadata.namespace, 'kube-system');
      assert.deepEqual(pod.metadata.labels, { component: c, tier: 'control-plane' });
      assert.equal(pod.spec.hostNetwork, true);
      const cmd: string[] = pod.spec.containers[0].command;
      assert.equal(cmd[0], bin);
      assert.equal(cmd[1], c === 'etcd' ? 'etcd' : c.slice('kube-'.length));
      const unit = readFileSync(join(units, `${c}.service`), 'utf8');
      assert.match(unit, /^\[Unit\]\nDescription=/);
      assert.match(unit, /\nRestart=on-failure\n/);
      assert.match(unit, /\nWantedBy=multi-user\.target\n/);
      for (const a of cmd) assert.ok(unit.includes(a), `${c}.service lacks ${a}`);
    }
    const api = parse(readFileSync(join(manifests, 'kube-apiserver.yaml'), 'utf8')).spec.containers[0].command as string[];
    assert.ok(api.includes(`--etcd-servers=https://127.0.0.1:${etcdPort}`), api.join(' '));
    assert.ok(api.includes(`--secure-port=${apiPort}`), api.join(' '));
    const cm = parse(readFileSync(join(manifests, 'kube-controller-manager.yaml'), 'utf8')).spec.containers[0].command as string[];
    assert.ok(cm.includes(`--kubeconfig=${join(dir, 'controller-manager.kubeconfig')}`), cm.join(' '));
    assert.match(readFileSync(join(units, 'kube-apiserver.service'), 'utf8'), /\nRequires=etcd\.service\n/);
    assert.match(readFileSync(join(units, 'kubelet.service'), 'utf8'), /ExecStart=\S+keelson \\\n {2}kubelet/);
    assert.match(initOut, /keelson kubelet --runtime=process --kubeconfig=\S+kubelet\.kubeconfig --hostname-override=keelson-init-node/);
  });

  it('a kubelet on the manifests brings the control plane up as static pods; etcdctl works through kubectl exec', async () => {
    kubelet = spawn(bin, ['kubelet', '--runtime', 'process', '--pod-manifest-path', manifests, '--kubeconfig', join(dir, 'kubelet.kubeconfig'), '--hostname-override', node, '--data-dir', dir, '--port', '0', ...net.kubeletArgs], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kubelet.stdout!.on('data', (d) => (output += d));
    kubelet.stderr!.on('data', (d) => (output += d));
    const want = components.map((c) => `${c}-${node}`);
    await until(
      'the control plane as Running mirror pods',
      async () => {
        const r = await kubectl(['get', 'pods', '-n', 'kube-system', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}']);
        return want.every((n) => r.stdout.includes(`${n}=Running`));
      },
      60_000,
    ).catch((e) => assert.fail(`${(e as Error).message}\n${output}`));
    const pods = await kubectl(['get', 'pods', '-n', 'kube-system']);
    for (const n of want) assert.match(pods.stdout, new RegExp(`${n}\\s+1/1\\s+Running`), pods.out);
    const mirror = await kubectl(['get', 'pod', `etcd-${node}`, '-n', 'kube-system', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/config\\.source} {.spec.nodeName}']);
    assert.equal(mirror.stdout, `file ${node}`);
    const keys = await kubectl(['exec', `etcd-${node}`, '-n', 'kube-system', '--', 'etcdctl', 'get', '/', '--prefix', '--keys-only']);
    assert.equal(keys.code, 0, keys.out);
    assert.match(keys.stdout, new RegExp(`^/registry/pods/kube-system/kube-apiserver-${node}$`, 'm'));
    assert.match(keys.stdout, new RegExp(`^/registry/minions/${node}$`, 'm'));
    // The scheduler and the controller manager of the static pods make an ordinary workload run.
    assert.equal((await kubectl(['create', 'deployment', 'web', '--image=busybox', '--', 'sleep', '300'])).code, 0);
    await until('the deployment pod Running on the node', async () => /\bRunning\b/.test((await kubectl(['get', 'pods', '-l', 'app=web', '-o', `jsonpath={range .items[*]}{.spec.nodeName}/{.status.phase} {end}`])).stdout), 30_000).catch((e) => assert.fail(`${(e as Error).message}\n${output}`));
  });
});
