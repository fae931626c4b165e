// `keelson proxy` as a process (bin/keelson, built by `npm test`): flag errors, userspace mode
// (no root needed), and with root the nftables table created and removed on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../test/helpers/apiserver.js';
import { until } from '../../test/helpers/until.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { exec, which } from './exec.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const env = { ...process.env, KEELSON_LOG_LEVEL: 'info' };

interface Proc {
  child: ChildProcess;
  output(): string;
  healthzPort: Promise<number>;
  exit: Promise<number | null>;
}

function run(args: string[]): Proc {
  const child = spawn(bin, ['proxy', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let resolvePort!: (p: number) => void;
  const healthzPort = new Promise<number>((r) => (resolvePort = r));
  const onData = (d: Buffer) => {
    out += d;
    const m = /"msg":"proxy ready"/.test(out) && /"healthzPort":(\d+)/.exec(out);
    if (m) resolvePort(Number(m[1]));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, healthzPort, exit };
}

function hostIP(): string {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address');
}

function readAll(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = net.connect(port, '127.0.0.1');
    s.on('data', (d) => (out += d));
    s.once('end', () => resolve(out));
    s.once('error', reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', (e: Error & { code?: string }) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('bad flags are refused with kube-proxy-like messages', () => {
  const mode = spawnSync(bin, ['proxy', '--kubeconfig', '/dev/null', '--proxy-mode', 'ipvs'], { env, encoding: 'utf8' });
  assert.notEqual(mode.status, 0);
  assert.match(mode.stderr, /--proxy-mode "ipvs": expected nftables, iptables or userspace/);
  const cidr = spawnSync(bin, ['proxy', '--kubeconfig', '/dev/null', '--cluster-cidr', '10.0.0.0/33'], { env, encoding: 'utf8' });
  assert.notEqual(cidr.status, 0);
  assert.match(cidr.stderr, /--cluster-cidr: invalid CIDR address: 10\.0\.0\.0\/33/);
});

describe('keelson proxy process', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let client: RestClient;
  const procs: Proc[] = [];
  let nodePort = 0;
  let backend: net.Server;

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient({ ...loadKubeconfig(api.kubeconfig), userAgent: 'proxy-cli-test' });
    backend = net.createServer((s) => s.end('backend\n'));
    await new Promise<void>((r) => backend.listen(0, hostIP(), r));
    const svc = await client.post('/api/v1/namespaces/default/services', { metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    nodePort = svc.spec.ports[0].nodePort;
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    backend?.close();
    client?.close();
    await api?.stop();
  });

  test('userspace mode: /healthz, a NodePort once the service has endpoints, clean exit on SIGTERM', async () => {
    const p = run(['--kubeconfig', api.kubeconfig, '--proxy-mode', 'userspace', '--healthz-bind-address', '127.0.0.1:0', '--metrics-bind-address', '', '--nodeport-addresses', '127.0.0.0/8', '--min-sync-period', '50ms']);
    procs.push(p);
    const port = await Promise.race([p.healthzPort, p.exit.then((c) => Promise.reject(new Error(`exited ${c}: ${p.output()}`)))]);
    const h = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(h.status, 200);
    assert.ok(await refused(nodePort), 'no endpoints yet: refused');
    await client.post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [hostIP()] }],
      ports: [{ port: (backend.address() as net.AddressInfo).port, protocol: 'TCP' }],
    });
    await until('NodePort listener', async () => !(await refused(nodePort)), 10_000, p.output);
    assert.equal(await readAll(nodePort), 'backend\n');
    const services = (await (await fetch(`http://127.0.0.1:${port}/services`)).json()) as Array<{ kind: string; port: number }>;
    assert.ok(services.some((s) => s.kind === 'nodePort' && s.port === nodePort), JSON.stringify(services));
    p.child.kill('SIGTERM');
    assert.equal(await p.exit, 0);
    assert.ok(await refused(nodePort));
  });

  const nftSkip = process.getuid?.() !== 0 ? 'needs root' : !which('nft') ? 'nft not installed' : false;
  test('nftables mode: the table appears with the services and is removed on SIGTERM', { skip: nftSkip }, async () => {
    const table = `keelson-test-${randomBytes(3).toString('hex')}`;
    const p = run(['--kubeconfig', api.kubeconfig, '--proxy-mode', 'nftables', '--nftables-table', table, '--healthz-bind-address', '127.0.0.1:0', '--metrics-bind-address', '', '--min-sync-period', '50ms']);
    procs.push(p);
    try {
      await Promise.race([p.healthzPort, p.exit.then((c) => Promise.reject(new Error(`exited ${c}: ${p.output()}`)))]);
      const svc = await client.get('/api/v1/namespaces/default/services/web');
      const listed = await until('table with the service', async () => {
        const r = await exec('nft', ['list', 'table', 'ip', table]);
        return r.code === 0 && r.stdout.includes(svc.spec.clusterIP) && r.stdout;
      }, 10_000, p.output);
      assert.match(listed, new RegExp(`tcp \\. ${nodePort} : goto`));
      p.child.kill('SIGTERM');
      assert.equal(await p.exit, 0);
      const r = await exec('nft', ['list', 'table', 'ip', table]);
      assert.notEqual(r.code, 0, 'table still there after SIGTERM');
    } finally {
      await exec('nft', ['delete', 'table', 'ip', table]);
    }
  });
});
