// The apiserver -> etcd connection over TLS (issue 4: "the same for the apiserver -> etcd
// connection"): a real etcd serving https with client-certificate authentication, keelson
// apiserver (the real CLI) with --etcd-cafile/--etcd-certfile/--etcd-keyfile; kubectl writes land
// in etcd (read back with the real etcdctl and the same certificates), and etcdctl without a
// client certificate is turned away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdAvailable, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { ensureEtcdPki, type EtcdPki } from '../../src/auth/pki/etcd-pki.js';

const skip = etcdAvailable() ? false : 'etcd is not installed';

let dir: string;
let pki: EtcdPki;
let etcd: StartedEtcd;
let api: TestApiServer;
before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'keelson-etcd-tls-e2e-'));
  pki = await ensureEtcdPki(dir, []);
  etcd = await startEtcd({
    tls: { certFile: pki.certFile, keyFile: pki.keyFile, clientCaFile: pki.caFile, probe: { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile } },
  });
  api = await startTestApiServer({
    etcdServers: [etcd.endpoint],
    args: ['--etcd-cafile', pki.caFile, '--etcd-certfile', pki.clientCertFile, '--etcd-keyfile', pki.clientKeyFile],
    inProcess: false,
  });
});
after(async () => {
  await api?.stop();
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function etcdctl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('etcdctl', ['--endpoints', etcd.endpoint, '--command-timeout=5s', ...args], { env: { ...process.env, ETCDCTL_API: '3' } }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, out: stdout + stderr }),
    ),
  );
}

test('kubectl writes reach etcd over TLS with the client certificate', { skip }, async () => {
  assert.match(etcd.endpoint, /^https:\/\//);
  const r = await api.kubectl(['create', 'configmap', 'keelson-tls', '--from-literal=color=blue']);
  assert.equal(r.code, 0, r.out);
  assert.equal((await api.kubectl(['get', 'configmap', 'keelson-tls', '-o', 'jsonpath={.data.color}'])).stdout, 'blue');
  const withCert = await etcdctl(['--cacert', pki.caFile, '--cert', pki.clientCertFile, '--key', pki.clientKeyFile, 'get', '/registry/configmaps/default/keelson-tls', '--keys-only']);
  assert.equal(withCert.code, 0, withCert.out);
  assert.equal(withCert.out.trim(), '/registry/configmaps/default/keelson-tls');
  const without = await etcdctl(['--cacert', pki.caFile, 'get', '/registry/configmaps/default/keelson-tls', '--keys-only']);
  assert.notEqual(without.code, 0, 'etcd requires a client certificate');
});
