// Cluster DNS inside `keelson server`: the kube-dns Service sits at 10.96.0.10 and its
// EndpointSlice names where the server listens; a service created with the real kubectl is
// answered there (A and SRV), and `dig` works against it when installed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { query } from '../helpers/dns.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));

describe('keelson server: cluster DNS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-dns-'));
  let proc: ChildProcess;
  let kubectl: ReturnType<typeof kubectlWith>;
  let output = '';

  before(async () => {
    const port = await freePort();
    // Port 0: a free port, so parallel suites never compete for 53.
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', '', '--disable-agent', '--disable', 'scheduler', '--cluster-dns-port', '0'], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'admin.kubeconfig')), 20_000, () => output);
    kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
  });
  after(async () => {
    proc?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    proc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes kube-dns and answers services created with kubectl', async () => {
    await until('kube-dns service', async () => (await kubectl(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}'])).stdout === '10.96.0.10', 20_000, () => output);
    const slice = JSON.parse((await kubectl(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'json'])).stdout).items[0];
    const host: string = slice.endpoints[0].addresses[0];
    const dnsPort: number = slice.ports.find((p: any) => p.name === 'dns').port;
    assert.ok(dnsPort > 0);
    const k = await query(dnsPort, 'kubernetes.default.svc.cluster.local', 'A', {}, host);
    assert.deepEqual(k.answers?.map((a: any) => a.data), ['10.96.0.1']);
    assert.equal((await kubectl(['create', 'service', 'clusterip', 'shop', '--tcp=8080:80'])).code, 0);
    const ip = (await kubectl(['get', 'svc', 'shop', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    await until('shop in DNS', async () => ((await query(dnsPort, 'shop.default.svc.cluster.local', 'A', {}, host)).answers?.[0] as { data?: string } | undefined)?.data === ip, 10_000);
    const srv = await query(dnsPort, '_8080-80._tcp.shop.default.svc.cluster.local', 'SRV', { tcp: true }, host);
    assert.deepEqual(srv.answers?.map((a: any) => [a.data.port, a.data.target]), [[8080, 'shop.default.svc.cluster.local']]);
  });
});
