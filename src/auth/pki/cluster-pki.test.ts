import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ensureClusterPki } from './cluster-pki.js';
import { inspectCert } from './certs.js';
import { writeKubeconfig } from './kubeconfig-file.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'keelson-pki-'));

test('creates the kubeadm set of certificates with the right subjects, SANs and file modes', async () => {
  const dir = tmp();
  try {
    const pki = await ensureClusterPki(dir, { serviceIP: '10.96.0.1', hosts: ['node-a', '192.0.2.10'] });
    assert.deepEqual(pki.issued.sort(), ['admin', 'apiserver', 'apiserver-kubelet-client', 'ca', 'front-proxy-ca', 'front-proxy-client', 'sa'].sort());
    const api = inspectCert(pki.apiserver.cert);
    for (const h of ['localhost', '127.0.0.1', 'kubernetes.default.svc.cluster.local', '10.96.0.1', 'node-a', '192.0.2.10']) assert.ok(api.sans.includes(h), `SAN ${h}`);
    assert.ok(api.issuedBy(pki.ca.cert));
    const admin = inspectCert(pki.admin.cert);
    assert.match(admin.subject, /CN=kubernetes-admin/);
    assert.match(admin.subject, /O=system:masters/);
    for (const f of ['ca.key', 'apiserver.key', 'admin.key', 'sa.key']) assert.equal(statSync(join(dir, 'pki', f)).mode & 0o777, 0o600, f);
    // Reused on restart: nothing re-issued.
    const again = await ensureClusterPki(dir, { serviceIP: '10.96.0.1', hosts: ['node-a', '192.0.2.10'] });
    assert.deepEqual(again.issued, []);
    assert.equal(again.apiserver.cert, pki.apiserver.cert);
    // A new node address re-issues the serving cert only, from the same CA.
    const moved = await ensureClusterPki(dir, { serviceIP: '10.96.0.1', hosts: ['node-a', '192.0.2.11'] });
    assert.deepEqual(moved.issued, ['apiserver']);
    assert.ok(inspectCert(moved.apiserver.cert).sans.includes('192.0.2.11'));
    // Near expiry (renew window longer than the cert's life): leaf certs renewed, CA kept.
    const renewed = await ensureClusterPki(dir, { serviceIP: '10.96.0.1', hosts: ['node-a', '192.0.2.11'], renewBeforeDays: 400 });
    assert.deepEqual(renewed.issued.sort(), ['admin', 'apiserver', 'apiserver-kubelet-client', 'front-proxy-client']);
    assert.equal(renewed.ca.cert, pki.ca.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a TLS server with the serving cert authenticates the admin client cert; kubeconfig round-trips', async () => {
  const dir = tmp();
  try {
    const pki = await ensureClusterPki(dir);
    const server = https.createServer({ cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ cn: peer.subject.CN, o: peer.subject.O }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const kc = join(dir, 'admin.kubeconfig');
    writeKubeconfig(kc, { server: `https://127.0.0.1:${port}`, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key });
    assert.equal(statSync(kc).mode & 0o777, 0o600);
    const cfg = loadKubeconfig(kc);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/', ca: cfg.ca, cert: cfg.cert, key: cfg.key }, (res) => {
          let s = '';
          res.on('data', (d) => (s += d));
          res.on('end', () => resolve(s));
        })
        .on('error', reject);
    });
    assert.deepEqual(JSON.parse(body), { cn: 'kubernetes-admin', o: 'system:masters' });
    // Without a client certificate the handshake is refused.
    await assert.rejects(
      new Promise((resolve, reject) => https.get({ host: '127.0.0.1', port, path: '/', ca: cfg.ca }, resolve).on('error', reject)),
    );
    server.close();
    assert.match(readFileSync(kc, 'utf8'), /client-certificate-data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
