// The kubelet's certificate manager and file store without a cluster: the 70-90 % rotation
// deadline, the atomic current-pair symlink, and one renewal through a fake CSR API (approved
// and signed by a real CA here; denied: the error and no change).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { lstatSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject, RestClient } from '../../client/rest-client.js';
import { createCA } from '../../auth/pki/certs.js';
import { parseCsr, signCsr } from '../../auth/pki/csr.js';
import { logger } from '../../util/log.js';
import { CertFileStore, validity } from './cert-store.js';
import { CertificateManager, rotationDeadline } from './manager.js';

const dir = mkdtempSync(join(tmpdir(), 'keelson-certmgr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A CSR API that signs (or denies) what is posted, with a real CA. */
async function fakeCsrApi(deny = false) {
  const ca = await createCA('keelson-test-ca');
  const posted: KObject[] = [];
  const byName = new Map<string, KObject>();
  const client = {
    async post(_path: string, body: KObject) {
      posted.push(body);
      const req = Buffer.from(String(body.spec.request), 'base64').toString();
      const status = deny
        ? { conditions: [{ type: 'Denied', status: 'True', reason: 'KeelsonTest', message: 'denied by the test' }] }
        : { conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }], certificate: Buffer.from(await signCsr(ca, req, { usages: body.spec.usages, durationMs: 3_600_000 })).toString('base64') };
      byName.set(String(body.metadata?.name), { ...body, status });
      return body;
    },
    async get(path: string) {
      return byName.get(path.slice(path.lastIndexOf('/') + 1))!;
    },
  } as unknown as RestClient;
  return { ca, client, posted };
}

describe('kubelet certificate manager', () => {
  it('rotation deadline: 70 % to 90 % of the lifetime after notBefore', async () => {
    const { ca } = await fakeCsrApi();
    const { notBefore, notAfter } = validity(ca.cert);
    const life = notAfter - notBefore;
    assert.equal(rotationDeadline(ca.cert, () => 0), notBefore + 0.7 * life);
    assert.equal(rotationDeadline(ca.cert, () => 1), notBefore + 0.9 * life);
    const d = rotationDeadline(ca.cert);
    assert.ok(d >= notBefore + 0.7 * life && d <= notBefore + 0.9 * life);
  });

  it('file store: a timestamped pair behind an atomically swapped symlink; expired or broken pairs are not current', async () => {
    const { ca } = await fakeCsrApi();
    const store = new CertFileStore(join(dir, 'store'), 'kubelet-client');
    assert.equal(store.current(), undefined);
    store.update({ cert: ca.cert, key: ca.key }, Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.ok(lstatSync(store.currentPath).isSymbolicLink());
    assert.equal(readlinkSync(store.currentPath), 'kubelet-client-2026-01-02-03-04-05.pem');
    assert.equal((lstatSync(join(dir, 'store', 'kubelet-client-2026-01-02-03-04-05.pem')).mode & 0o777).toString(8), '600');
    const cur = store.current()!;
    assert.equal(new X509Certificate(cur.cert).serialNumber, new X509Certificate(ca.cert).serialNumber);
    assert.match(cur.key, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(store.current(validity(ca.cert).notAfter + 1), undefined, 'expired');
    store.update({ cert: ca.cert, key: ca.key }, Date.UTC(2026, 0, 2, 3, 4, 6));
    assert.equal(readlinkSync(store.currentPath), 'kubelet-client-2026-01-02-03-04-06.pem');
    writeFileSync(join(dir, 'store', 'kubelet-client-2026-01-02-03-04-06.pem'), 'not a pem');
    assert.equal(store.current(), undefined, 'broken');
  });

  it('renews through a CSR for system:node:<name> to the kubelet client signer; the new pair is stored and handed over', async () => {
    const { ca, client, posted } = await fakeCsrApi();
    const store = new CertFileStore(join(dir, 'renew'), 'kubelet-client');
    const handed: string[] = [];
    const m = new CertificateManager({ kind: 'client', client: () => client, nodeName: 'node-a', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], store, initial: { cert: ca.cert, key: ca.key }, onRotated: (p) => handed.push(p.cert), log: logger('test'), pollMs: 10 });
    assert.equal(await m.rotate(), true);
    assert.equal(posted.length, 1);
    assert.match(String(posted[0].metadata?.name), /^csr-[0-9a-f]+$/);
    assert.equal(posted[0].spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    assert.deepEqual(posted[0].spec.usages, ['digital signature', 'client auth']);
    const req = await parseCsr(Buffer.from(posted[0].spec.request, 'base64').toString());
    assert.equal(req.commonName, 'system:node:node-a');
    assert.deepEqual(req.organizations, ['system:nodes']);
    assert.equal(handed.length, 1);
    assert.equal(m.current()!.cert, handed[0]);
    assert.equal(store.current()!.cert.trim(), handed[0].trim());
    assert.match(new X509Certificate(handed[0]).subject, /CN=system:node:node-a/);
    m.stop();
  });

  it('a denied CSR is a failed renewal: the current pair stays', async () => {
    const { ca, client } = await fakeCsrApi(true);
    const store = new CertFileStore(join(dir, 'denied'), 'kubelet-client');
    let handed = 0;
    const m = new CertificateManager({ kind: 'client', client: () => client, nodeName: 'node-b', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], store, initial: { cert: ca.cert, key: ca.key }, onRotated: () => handed++, log: logger('test'), pollMs: 10 });
    assert.equal(await m.rotate(), false);
    assert.equal(handed, 0);
    assert.equal(m.current()!.cert, ca.cert);
    assert.equal(store.current(), undefined);
  });
});
