// `keelson server` as a user starts it: one command, then the real kubectl and etcdctl.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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


describe('keelson server: a whole cluster from one command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-server-'));
  let proc: ChildProcess;
  let kubectl: ReturnType<typeof kubectlWith>;
  let etcdPort = 0;
  let output = '';
  let readyMs = 0;
  let port = 0;
  const auditLog = join(dir, 'audit.log');

  before(async () => {
    port = await freePort();
    etcdPort = await freePort();
    // Every request's user and source in the audit log (Metadata level).
    writeFileSync(join(dir, 'audit-policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n');
    const audit = ['--audit-policy-file', join(dir, 'audit-policy.yaml'), '--audit-log-path', auditLog];
    const t0 = Date.now();
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', `https://127.0.0.1:${etcdPort}`, '--runtime', 'process', ...net.serverArgs, '--node-name', 'keelson-test-node', '--simulated-nodes', '5', ...audit], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'admin.kubeconfig')), 20_000);
    kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
    await until('a Ready node', async () => /keelson-test-node\s+Ready/.test((await kubectl(['get', 'nodes'])).stdout), 20_000);
    readyMs = Date.now() - t0;
  });
  after(async () => {
    proc?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    proc?.kill('SIGKILL');
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings up a Ready node, simulated nodes, the default service account, and prints how to use kubectl', async (t) => {
    // Start-up time is a benchmark (bench/), not an assertion: only reported here.
    t.diagnostic(`node Ready after ${readyMs} ms`);
    await until('5 simulated nodes Ready', async () => ((await kubectl(['get', 'nodes', '--no-headers'])).stdout.match(/^sim-\d+\s+Ready/gm) ?? []).length === 5);
    await until('default service account', async () => (await kubectl(['get', 'sa', 'default'])).code === 0);
    // Printed once every component is ready, which may come a moment after the node is.
    await until('the kubectl how-to', async () => /export KUBECONFIG=/.test(output), 20_000);
  });

  it('runs a deployment to Running and a real process pod to Succeeded', async () => {
    assert.equal((await kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=4'])).code, 0);
    await until('4 pods Running', async () => ((await kubectl(['get', 'pods', '-l', 'app=web', '--no-headers'])).stdout.match(/1\/1\s+Running/g) ?? []).length === 4);
    const r = await kubectl(['run', 'hello', '--image=busybox', '--restart=Never', '--overrides={"spec":{"nodeName":"keelson-test-node"}}', '--', 'sh', '-c', 'echo hello-from-keelson; cat /etc/resolv.conf']);
    assert.equal(r.code, 0, r.out);
    await until('hello Succeeded', async () => (await kubectl(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded');
    // As root the pod sees the cluster DNS resolv.conf the kubelet computed (dnsPolicy ClusterFirst).
    if (process.getuid?.() === 0) {
      const logs = (await kubectl(['logs', 'hello'])).stdout;
      assert.match(logs, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m, logs);
      assert.match(logs, /^nameserver 10\.96\.0\.10$/m, logs);
      assert.match(logs, /^options ndots:5$/m, logs);
    }
  });

  it('reports its in-process scheduler, controller manager and store healthy to kubectl get componentstatuses', async () => {
    const r = await kubectl(['get', 'componentstatuses']);
    assert.equal(r.code, 0, r.out);
    for (const name of ['scheduler', 'controller-manager', 'etcd-0']) assert.match(r.stdout, new RegExp(`^${name}\\s+Healthy\\s+ok`, 'm'), r.out);
  });

  it('runs its components as API clients under their own users, in process (no connection to its own secure port)', async () => {
    const users = new Set<string>();
    for (const line of readFileSync(auditLog, 'utf8').split('\n')) {
      if (!line) continue;
      const ev = JSON.parse(line) as { user?: { username?: string }; sourceIPs?: string[] };
      if (ev.user?.username) users.add(ev.user.username);
    }
    for (const u of ['system:kube-scheduler', 'system:kube-controller-manager', 'system:node:keelson-test-node', 'system:kube-proxy']) assert.ok(users.has(u), `${u} not among the audited users: ${[...users].join(', ')}`);
    // kubectl's connections come from kubectl; none from the server process itself.
    const established = execFileSync('ss', ['-Htnp', 'state', 'established', 'dport', '=', `:${port}`], { encoding: 'utf8' });
    assert.doesNotMatch(established, new RegExp(`pid=${proc.pid},`), established);
  });

  it('serves the store to etcdctl over TLS with client certificates (the kubeadm etcd certificates)', () => {
    const pki = join(dir, 'pki', 'etcd');
    const tls = ['--cacert', join(pki, 'ca.crt'), '--cert', join(pki, 'healthcheck-client.crt'), '--key', join(pki, 'healthcheck-client.key')];
    const env = { ...process.env, ETCDCTL_API: '3' };
    assert.match(output, new RegExp(`etcdctl --endpoints https://127.0.0.1:${etcdPort} --cacert`));
    // Without a client certificate the store refuses.
    assert.throws(() => execFileSync('etcdctl', ['--endpoints', `https://127.0.0.1:${etcdPort}`, '--cacert', join(pki, 'ca.crt'), '--dial-timeout', '2s', '--command-timeout', '3s', 'get', 'x'], { env, stdio: 'pipe' }));
    const keys = execFileSync('etcdctl', ['--endpoints', `https://127.0.0.1:${etcdPort}`, ...tls, 'get', '/registry/minions', '--prefix', '--keys-only'], { env, encoding: 'utf8' });
    assert.match(keys, /\/registry\/minions\/keelson-test-node/);
    assert.match(keys, /\/registry\/minions\/sim-0/);
  });
});
