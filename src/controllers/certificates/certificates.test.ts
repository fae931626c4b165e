// The node join flow against a real apiserver (in process) with the real kubectl: a bootstrap
// token discovers the cluster CA from the signed cluster-info, its CSR is auto-approved
// (csrapproving, SubjectAccessReview on certificatesigningrequests/nodeclient) and signed by the
// cluster CA (csrsigning); the issued kubeconfig authenticates as system:node:<name>. Other CSRs
// wait for `kubectl certificate approve|deny`; the signer refuses what the signer may not issue.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { until } from '../../../test/helpers/until.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { ControllerManager } from '../manager.js';
import { createCsr, caCertHash } from '../../auth/pki/csr.js';
import { inspectCert } from '../../auth/pki/certs.js';
import { createToken, listTokens } from '../../cluster/bootstrap-tokens.js';
import { discoverCluster, publishClusterInfo } from '../../cluster/cluster-info.js';
import { tlsBootstrap } from '../../cluster/tls-bootstrap.js';
import { joinCluster } from '../../cluster/agent.js';

describe('certificate signing requests and node join', () => {
  let api: TestApiServer;
  let admin: RestClient;
  let ca: string;
  let dir: string;
  const ac = new AbortController();

  before(async () => {
    api = await startTestApiServer({ inProcess: true });
    dir = await mkdtemp(join(tmpdir(), 'keelson-join-'));
    admin = new RestClient(loadKubeconfig(api.kubeconfig));
    ca = await readFile(join(api.dataDir, 'pki', 'ca.crt'), 'utf8');
    const cm = new ControllerManager({
      client: admin,
      controllers: ['csrapproving', 'csrsigning', 'bootstrapsigner'],
      leaderElect: false,
      options: { clusterSigningCertFile: join(api.dataDir, 'pki', 'ca.crt'), clusterSigningKeyFile: join(api.dataDir, 'pki', 'ca.key') },
    });
    void cm.start(ac.signal);
    await cm.ready;
    await publishClusterInfo(admin, api.secureUrl, ca);
  });
  after(async () => {
    ac.abort();
    admin?.close();
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const csrObject = (name: string, request: string, signerName: string, usages: string[]) => ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(request).toString('base64'), signerName, usages },
  });

  it('a bootstrap token joins: CA from signed cluster-info, CSR auto-approved and signed, node credentials work', async () => {
    const token = await createToken(admin, { ttlSeconds: 3600, description: 'test join' });
    assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const listed = (await listTokens(admin)).find((t) => t.token === token);
    assert.deepEqual(listed?.usages.sort(), ['authentication', 'signing']);
    assert.deepEqual(listed?.groups, ['system:bootstrappers:kubeadm:default-node-token']);

    // Discovery: the JWS appears once the bootstrap signer ran; a wrong pin is refused.
    const found = await until('cluster-info signed for the token', () => discoverCluster(api.secureUrl, token, [caCertHash(ca)]).catch(() => undefined));
    assert.equal(found.caCert.trim(), ca.trim());
    assert.deepEqual(found.verifiedBy, [`JWS of token ${token.split('.')[0]}`, `pinned ${caCertHash(ca)}`]);
    await assert.rejects(discoverCluster(api.secureUrl, token, [`sha256:${'0'.repeat(64)}`]), /none of the public keys "sha256:[0-9a-f]{64}" are pinned/);
    await assert.rejects(discoverCluster(api.secureUrl, `${token.slice(0, 7)}${'x'.repeat(16)}`), /failed to verify JWS signature/);

    const kubeconfigPath = join(dir, 'kubelet.kubeconfig');
    await tlsBootstrap({ server: api.secureUrl, caCert: found.caCert, token, nodeName: 'joiner-1', kubeconfigPath, timeoutMs: 30_000 });
    const node = new RestClient(loadKubeconfig(kubeconfigPath));
    try {
      const who = await node.post('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
      assert.equal(who.status.userInfo.username, 'system:node:joiner-1');
      assert.ok(who.status.userInfo.groups.includes('system:nodes'));
    } finally {
      node.close();
    }
    // A second start finds the kubeconfig and does not join again (no token needed).
    assert.equal(await joinCluster({ dataDir: dir, nodeName: 'joiner-1' }), kubeconfigPath);
    const cert = loadKubeconfig(kubeconfigPath).cert!.toString('utf8');
    assert.ok(inspectCert(cert).issuedBy(ca));

    // What kubectl shows of it: requested by the bootstrap user, approved and issued.
    const r = await api.kubectl(['get', 'csr']);
    assert.equal(r.code, 0, r.out);
    const line = r.stdout.split('\n').find((l) => l.includes(`system:bootstrap:${token.split('.')[0]}`));
    assert.ok(line, r.stdout);
    assert.match(line!, /kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:\w{6}\s+<none>\s+Approved,Issued/);
    const csr = (await admin.get('/apis/certificates.k8s.io/v1/certificatesigningrequests')).items.find((c: any) => c.spec.username.startsWith('system:bootstrap:'));
    const approved = csr.status.conditions.find((c: any) => c.type === 'Approved');
    assert.equal(approved.reason, 'AutoApproved');
    assert.equal(approved.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
  });

  it('other requests wait for kubectl certificate approve|deny; the signer fails a kubelet CSR with SANs', async () => {
    const alice = await createCsr('alice', ['devs']);
    await admin.post('/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('alice', alice.csr, 'kubernetes.io/kube-apiserver-client', ['client auth']));
    const bob = await createCsr('bob');
    await admin.post('/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('bob', bob.csr, 'kubernetes.io/kube-apiserver-client', ['client auth']));
    await new Promise((r) => setTimeout(r, 500));
    let got = await api.kubectl(['get', 'csr', 'alice', '--no-headers']);
    assert.match(got.stdout, /Pending/);

    const ok = await api.kubectl(['certificate', 'approve', 'alice']);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.stdout, /certificatesigningrequest.certificates.k8s.io\/alice approved/);
    const issued = await until('alice issued', async () => (await admin.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/alice')).status?.certificate);
    const pem = Buffer.from(issued, 'base64').toString('utf8');
    assert.ok(inspectCert(pem).issuedBy(ca));
    assert.match(inspectCert(pem).subject, /CN=alice/);
    got = await api.kubectl(['get', 'csr', 'alice', '--no-headers']);
    assert.match(got.stdout, /Approved,Issued/);

    const no = await api.kubectl(['certificate', 'deny', 'bob']);
    assert.equal(no.code, 0, no.out);
    assert.match(no.stdout, /certificatesigningrequest.certificates.k8s.io\/bob denied/);
    await new Promise((r) => setTimeout(r, 500));
    const b = await admin.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/bob');
    assert.equal(b.status.certificate, undefined);
    got = await api.kubectl(['get', 'csr', 'bob', '--no-headers']);
    assert.match(got.stdout, /Denied/);

    // A node client CSR must not carry names: not auto-approved, and the signer refuses it.
    const x509 = await import('@peculiar/x509');
    const { webcrypto } = await import('node:crypto');
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const withSan = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=system:node:evil, O=system:nodes',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'evil.example' }])],
    });
    await admin.post('/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('evil', withSan.toString('pem'), 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']));
    await new Promise((r) => setTimeout(r, 500));
    assert.match((await api.kubectl(['get', 'csr', 'evil', '--no-headers'])).stdout, /Pending/);
    assert.equal((await api.kubectl(['certificate', 'approve', 'evil'])).code, 0);
    const failed = await until('the signer to fail evil', async () => (await admin.get('/apis/certificates.k8s.io/v1/certificatesigningrequests/evil')).status?.conditions?.find((c: any) => c.type === 'Failed'));
    assert.equal(failed.reason, 'SignerValidationFailure');
    assert.equal(failed.message, 'subjectAltNames are not allowed');
    assert.match((await api.kubectl(['get', 'csr', 'evil', '--no-headers'])).stdout, /Approved,Failed/);
  });
});
