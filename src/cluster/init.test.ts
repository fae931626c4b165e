// `keelson init` without running anything: the files it writes, their identities, idempotence
// (a second run reuses the CA and keys), and systemd quoting of arguments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inspectCert } from '../auth/pki/certs.js';
import { runInit } from './init.js';
import { systemdUnit } from './init-systemd.js';

describe('keelson init files', () => {
  it('writes manifests, units and per-component credentials; a second run reuses the PKI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-init-unit-'));
    try {
      const o = { manifests: join(dir, 'm'), systemd: join(dir, 's'), dataDir: dir, nodeName: 'n1', keelson: '/opt/keelson/bin/keelson', advertiseAddress: '127.0.0.1', apiserverPort: 7443, etcdPort: 12379 };
      const r = await runInit(o);
      assert.deepEqual(r.kubelet.slice(0, 3), ['/opt/keelson/bin/keelson', 'kubelet', '--runtime=process']);
      assert.ok(r.kubelet.includes(`--pod-manifest-path=${join(dir, 'm')}`));
      const kc = parse(readFileSync(join(dir, 'kubelet.kubeconfig'), 'utf8'));
      assert.equal(kc.clusters[0].cluster.server, 'https://127.0.0.1:7443');
      const cert = inspectCert(Buffer.from(kc.users[0].user['client-certificate-data'], 'base64').toString('utf8'));
      assert.match(cert.subject, /CN=system:node:n1/);
      assert.match(cert.subject, /O=system:nodes/);
      assert.equal(statSync(join(dir, 'pki', 'ca.key')).mode & 0o777, 0o600);
      const etcd = parse(readFileSync(join(dir, 'm', 'etcd.yaml'), 'utf8'));
      const env = Object.fromEntries((etcd.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
      assert.equal(env.ETCDCTL_ENDPOINTS, 'https://127.0.0.1:12379');
      assert.equal(env.ETCDCTL_CERT, join(dir, 'pki', 'etcd', 'healthcheck-client.crt'));
      assert.deepEqual(r.files.filter((f) => f.endsWith('.service')).map((f) => f.slice(join(dir, 's').length + 1)), ['etcd.service', 'kube-apiserver.service', 'kube-controller-manager.service', 'kube-scheduler.service', 'kubelet.service']);
      assert.match(readFileSync(join(dir, 's', 'etcd.service'), 'utf8'), /\nEnvironment=ETCDCTL_ENDPOINTS=https:\/\/127\.0\.0\.1:12379\n/);
      const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
      const etcdCa = readFileSync(join(dir, 'pki', 'etcd', 'ca.crt'), 'utf8');
      await runInit(o);
      assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), ca);
      assert.equal(readFileSync(join(dir, 'pki', 'etcd', 'ca.crt'), 'utf8'), etcdCa);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes ExecStart words with spaces, quotes and % specifiers', () => {
    const unit = systemdUnit({ description: 'x', argv: ['/usr/bin/keelson', 'etcd', '--name=a b', '--x="q"', '--p=50%'] });
    assert.match(unit, /ExecStart=\/usr\/bin\/keelson \\\n {2}etcd \\\n {2}"--name=a b" \\\n {2}"--x=\\"q\\"" \\\n {2}--p=50%%\n/);
  });
});
