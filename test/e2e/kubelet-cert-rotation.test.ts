// Kubelet client certificate rotation with the real CLI: `keelson controller-manager
// --cluster-signing-duration 30s` signs short-lived certificates, the node's first one through
// a CSR the admin sends (auto-approved as nodeclient); `keelson kubelet --rotate-certificates`
// renews it through its own CSR (CN system:node:<name>, auto-approved as selfnodeclient) once
// 70-90 % of its life has passed (at once here: see below; the deadline itself is unit-tested
// in src/kubelet/certificate), stores the pair as <root-dir>/pki/kubelet-client-current.pem (a symlink
// to a timestamped file) and keeps heartbeating with it after the first certificate expired,
// without a restart; a restarted kubelet starts from the stored pair although the kubeconfig's
// certificate has expired. With --rotate-server-certificates the kubelet asks for its serving
// certificate (kubernetes.io/kubelet-serving, its addresses as SANs); nothing approves that on
// its own (as in kube) until `kubectl certificate approve`, and then the kubelet server presents
// the issued certificate on new connections.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCsr } from '../../src/auth/pki/csr.js';
import { writeKubeconfig } from '../../src/auth/pki/kubeconfig-file.js';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';
import { testPodNetwork } from '../helpers/pod-network.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const NODE = 'keelson-rotation-node';
const USER = `system:node:${NODE}`;

interface Csr {
  metadata: { name: string };
  spec: { username: string; signerName: string };
  status?: { certificate?: string; conditions?: Array<{ type: string; reason?: string; message?: string }> };
}

describe('kubelet --rotate-certificates', () => {
  let api: TestApiServer;
  let dir: string;
  let cm: ChildProcess | undefined;
  let kubelet: ChildProcess | undefined;
  let logs = '';
  let first: X509Certificate;
  const net = testPodNetwork();
  const pemFile = () => join(dir, 'kubelet', 'pki', 'kubelet-client-current.pem');
  const spawnLogged = (args: string[]) => {
    const p = spawn(bin, args, { env: { ...process.env, KEELSON_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => (logs += d));
    p.stderr!.on('data', (d) => (logs += d));
    return p;
  };
  const stop = async (p: ChildProcess | undefined) => {
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (p.exitCode === null) p.kill('SIGKILL');
  };
  const startKubelet = (extra: string[] = ['--runtime', 'simulated']) =>
    spawnLogged(['kubelet', '--kubeconfig', join(dir, 'kubelet.kubeconfig'), '--hostname-override', NODE, '--root-dir', join(dir, 'kubelet'), '--rotate-certificates', '--node-lease-renew-interval', '1s', '--node-status-update-frequency', '1s', ...extra]);
  /** The certificate the kubelet server presents on a new connection. */
  const servedCert = (host: string, port: number) =>
    new Promise<X509Certificate>((resolve, reject) => {
      const s = connect({ host, port, rejectUnauthorized: false }, () => {
        const raw = s.getPeerX509Certificate();
        s.end();
        if (raw) resolve(raw);
        else reject(new Error('no peer certificate'));
      });
      s.on('error', reject);
    });
  const csrs = async (): Promise<Csr[]> => JSON.parse((await api.kubectl(['get', 'csr', '-o', 'json'])).stdout).items;
  const leaseRenewTime = async () => Date.parse((await api.kubectl(['get', 'lease', NODE, '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}'])).stdout);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-certrot-'));
    api = await startTestApiServer();
    const pki = join(api.dataDir, 'pki');
    cm = spawnLogged(['controller-manager', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect', 'false', '--controllers', 'csrapproving,csrsigning', '--cluster-signing-cert-file', join(pki, 'ca.crt'), '--cluster-signing-key-file', join(pki, 'ca.key'), '--cluster-signing-duration', '30s']);
    // The node's first certificate: a CSR sent by the admin (approved as nodeclient), 30 s long.
    const { csr, key } = await createCsr(USER, ['system:nodes']);
    const req = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'keelson-rotation-first' }, spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(req) })).code, 0);
    const cert = await until('the first certificate', async () => (await csrs()).find((c) => c.metadata.name === 'keelson-rotation-first')?.status?.certificate, 30_000, () => logs);
    const pem = Buffer.from(cert, 'base64').toString();
    first = new X509Certificate(pem);
    writeKubeconfig(join(dir, 'kubelet.kubeconfig'), { server: api.secureUrl, clusterName: 'keelson', userName: USER, contextName: 'keelson', caCert: readFileSync(join(pki, 'ca.crt'), 'utf8'), clientCert: pem, clientKey: key });
  });
  after(async () => {
    await stop(kubelet);
    await stop(cm);
    await api?.stop();
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('renews the client certificate through a selfnodeclient CSR and keeps working past the first one\'s expiry', async () => {
    // kube's signer backdates notBefore by 5 min, so a 30 s certificate lives 5.5 min on paper
    // and its rotation deadline (70-90 % of that) has passed already: the kubelet renews at once
    // (and keeps renewing, as kube's certificate manager does with such a short duration).
    const life = Date.parse(first.validTo) - Date.parse(first.validFrom);
    assert.ok(life <= 331_000 && life >= 329_000, `the signer issued a 30 s certificate, backdated 5 min (${life} ms)`);
    kubelet = startKubelet();
    await until('the node Ready', async () => / Ready /.test((await api.kubectl(['get', 'node', NODE])).stdout), 30_000, () => logs);
    const renewal = await until('an issued CSR of the node itself', async () => (await csrs()).find((c) => c.spec.username === USER && c.status?.certificate), 40_000, () => logs);
    assert.match(renewal.metadata.name, /^csr-/);
    assert.equal(renewal.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    const approved = renewal.status!.conditions!.find((c) => c.type === 'Approved')!;
    assert.equal(approved.reason, 'AutoApproved');
    assert.equal(approved.message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
    // Stored atomically: kubelet-client-current.pem is a symlink to a timestamped pair.
    await until('kubelet-client-current.pem', async () => lstatSync(pemFile(), { throwIfNoEntry: false })?.isSymbolicLink(), 10_000, () => logs);
    assert.match(readlinkSync(pemFile()), /^kubelet-client-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.pem$/);
    const stored = readFileSync(pemFile(), 'utf8');
    assert.match(stored, /-----BEGIN PRIVATE KEY-----/);
    const second = new X509Certificate(stored);
    assert.notEqual(second.serialNumber, first.serialNumber);
    assert.equal(second.subject.includes(`CN=${USER}`), true, second.subject);
    assert.ok(Date.parse(second.validTo) > Date.parse(first.validTo), `the new certificate outlives the first (${second.validTo} > ${first.validTo})`);
    // After the first certificate expired the kubelet still renews its Lease: new connections use the new certificate.
    const expired = Date.parse(first.validTo);
    await until('the first certificate expired and the lease renewed since', async () => Date.now() > expired + 1000 && (await leaseRenewTime()) > expired + 1000, 40_000, () => logs);
    assert.match((await api.kubectl(['get', 'node', NODE])).stdout, / Ready /);
    assert.doesNotMatch(logs, /failed to renew node lease.*(certificate|Unauthorized)/);
    // Its pod watch and status writes work too: a new pod bound to the node runs.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-rotation' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) })).code, 0);
    await until('the pod Running', async () => (await api.kubectl(['get', 'pod', 'after-rotation', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 30_000, () => logs);
  });

  it('a restarted kubelet uses the stored certificate although the kubeconfig\'s has expired', async () => {
    await stop(kubelet);
    assert.ok(Date.now() > Date.parse(first.validTo));
    logs = '';
    kubelet = startKubelet();
    await until('the rotated certificate used at start', async () => /using the rotated client certificate/.test(logs), 20_000, () => logs);
    const before = Date.now();
    await until('the lease renewed by the restarted kubelet', async () => (await leaseRenewTime()) > before, 20_000, () => logs);
  });

  it('--rotate-server-certificates: a kubelet-serving CSR waits for an administrator; once approved the server presents the issued certificate', async () => {
    await stop(kubelet);
    logs = '';
    // Process pods get network namespaces (as root): a pod network of the test's own.
    kubelet = startKubelet(['--runtime', 'process', '--port', '0', '--rotate-server-certificates', ...net.kubeletArgs]);
    const endpoint = await until('the kubelet endpoint', async () => {
      const r = await api.kubectl(['get', 'node', NODE, '-o', 'json']);
      if (r.code !== 0) return undefined;
      const n = JSON.parse(r.stdout);
      const port = n.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      const ip = (n.status?.addresses ?? []).find((a: { type: string }) => a.type === 'InternalIP')?.address;
      // The port this kubelet listens on (its log says), once the Node shows it: until the new
      // kubelet's status write, the Node still names the previous kubelet's port, which another
      // suite's server may have taken since.
      const listening = /"port":(\d+)[^\n]*kubelet server listening/.exec(logs)?.[1];
      return port && ip && listening && Number(listening) === Number(port) ? { ip: String(ip), port: Number(port) } : undefined;
    }, 30_000, () => logs);
    const serving = await until('a kubelet-serving CSR of the node', async () => (await csrs()).find((c) => c.spec.signerName === 'kubernetes.io/kubelet-serving' && c.spec.username === USER), 30_000, () => logs);
    const ca = readFileSync(join(api.dataDir, 'pki', 'ca.crt'), 'utf8');
    const before = await servedCert(endpoint.ip, endpoint.port);
    assert.equal(before.checkIssued(new X509Certificate(ca)), false, 'before approval: not a cluster-CA certificate');
    // Nothing approves it on its own (the approver handles client certificates only).
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await csrs()).find((c) => c.metadata.name === serving.metadata.name)!.status?.conditions?.length ?? 0, 0, 'still Pending');
    const approve = await api.kubectl(['certificate', 'approve', serving.metadata.name]);
    assert.equal(approve.code, 0, approve.out);
    const after = await until('the issued serving certificate presented', async () => {
      // A rotation attempt that failed (say its POST lost its connection to a client-certificate
      // rotation) is retried with a new key and a new CSR: approve the node's pending ones, as an
      // administrator would.
      for (const c of await csrs()) {
        if (c.spec.signerName === 'kubernetes.io/kubelet-serving' && c.spec.username === USER && !c.status?.conditions?.length) await api.kubectl(['certificate', 'approve', c.metadata.name]);
      }
      const c = await servedCert(endpoint.ip, endpoint.port);
      return c.checkIssued(new X509Certificate(ca)) ? c : undefined;
      // Generous: with 30 s certificates the client and serving certificates are renewed about
      // every second, each through an approval round, which is slow on a loaded machine.
    }, 60_000, () => logs);
    assert.match(after.subject, new RegExp(`CN=${USER}`));
    assert.match(after.subjectAltName ?? '', new RegExp(`IP Address:${endpoint.ip.replace(/\./g, '\\.')}`));
    assert.match(after.subjectAltName ?? '', new RegExp(`DNS:${NODE}`));
    assert.ok(lstatSync(join(dir, 'kubelet', 'pki', 'kubelet-server-current.pem')).isSymbolicLink());
  });
});
