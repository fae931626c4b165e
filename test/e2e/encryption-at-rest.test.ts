// Encryption at rest end to end: keelson apiserver (the real CLI) on a real etcd with
// --encryption-provider-config; etcdctl sees kube's ciphertext, kubectl sees plaintext; a restart
// with key2 first rotates by `kubectl get secrets -o json | kubectl replace -f -`; a bad
// configuration stops the apiserver with a clear message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdAvailable, freePort, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { startTestApiServer } from '../helpers/apiserver.js';
import { aesgcmSecretsConfig } from '../helpers/encryption.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const skip = etcdAvailable() ? false : 'etcd is not installed';
const key1 = Buffer.alloc(32, 11).toString('base64');
const key2 = Buffer.alloc(32, 22).toString('base64');
const config = aesgcmSecretsConfig;

let etcd: StartedEtcd;
let dir: string;
before(async () => {
  if (skip) return;
  etcd = await startEtcd();
  dir = await mkdtemp(join(tmpdir(), 'keelson-enc-e2e-'));
});
after(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function etcdctlValue(key: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile('etcdctl', ['--endpoints', etcd.endpoint, 'get', key, '--print-value-only'], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'buffer' }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
}

test('secrets are aesgcm ciphertext in etcd and plaintext through kubectl; rotation by re-writing', { skip }, async () => {
  const f = join(dir, 'enc.yaml');
  await writeFile(f, config(['key1', key1]));
  let api = await startTestApiServer({ etcdServers: [etcd.endpoint], args: ['--encryption-provider-config', f], inProcess: false });
  try {
    const r = await api.kubectl(['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2']);
    assert.equal(r.code, 0, r.out);
    await api.kubectl(['create', 'configmap', 'c1', '--from-literal=color=blue']);
    const stored = await etcdctlValue('/registry/secrets/default/s1');
    assert.equal(stored.subarray(0, 23).toString(), 'k8s:enc:aesgcm:v1:key1:');
    assert.ok(!stored.includes('hunter2') && !stored.includes('aHVudGVyMg=='));
    assert.match((await etcdctlValue('/registry/configmaps/default/c1')).toString(), /"color":"blue"/);
    assert.equal((await api.kubectl(['get', 'secret', 's1', '-o', 'jsonpath={.data.password}'])).stdout, 'aHVudGVyMg==');
    assert.match((await api.kubectl(['get', 'secrets', '-o', 'name'])).stdout, /secret\/s1/);
  } finally {
    await api.stop();
  }
  // Restart with key2 first, key1 still known: old values read, a re-write seals with key2.
  await writeFile(f, config(['key2', key2], ['key1', key1]));
  api = await startTestApiServer({ etcdServers: [etcd.endpoint], args: ['--encryption-provider-config', f], inProcess: false });
  try {
    assert.equal((await api.kubectl(['get', 'secret', 's1', '-o', 'jsonpath={.data.password}'])).stdout, 'aHVudGVyMg==');
    const all = await api.kubectl(['get', 'secrets', '-A', '-o', 'json']);
    assert.equal(all.code, 0, all.out);
    const replaced = await api.kubectl(['replace', '-f', '-'], { input: all.stdout });
    assert.equal(replaced.code, 0, replaced.out);
    assert.equal((await etcdctlValue('/registry/secrets/default/s1')).subarray(0, 23).toString(), 'k8s:enc:aesgcm:v1:key2:');
    assert.equal((await api.kubectl(['get', 'secret', 's1', '-o', 'jsonpath={.data.password}'])).stdout, 'aHVudGVyMg==');
  } finally {
    await api.stop();
  }
  // key1 gone, a value only key1 opened: that object answers an InternalError, the rest works.
  await writeFile(f, config(['key2', key2]));
  const stale = join(dir, 'stale.yaml');
  await writeFile(stale, config(['key1', key1]));
  api = await startTestApiServer({ etcdServers: [etcd.endpoint], args: ['--encryption-provider-config', stale], inProcess: false });
  await api.kubectl(['create', 'secret', 'generic', 's2', '--from-literal=password=old']);
  await api.stop();
  api = await startTestApiServer({ etcdServers: [etcd.endpoint], args: ['--encryption-provider-config', f], inProcess: false });
  try {
    const bad = await api.kubectl(['get', 'secret', 's2']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Error from server \(InternalError\): Internal error occurred: identity transformer tried to read encrypted data/);
    assert.equal((await api.kubectl(['get', 'secret', 's1', '-o', 'jsonpath={.data.password}'])).stdout, 'aHVudGVyMg==');
  } finally {
    await api.stop();
  }
});

test('a bad encryption configuration stops the apiserver with a clear message', { skip }, async () => {
  const f = join(dir, 'bad.yaml');
  await writeFile(f, config(['key1', Buffer.alloc(8).toString('base64')]));
  const child = spawn(join(repo, 'bin', 'keelson'), ['apiserver', '--data-dir', join(dir, 'bad-data'), '--secure-port', String(await freePort()), '--etcd-servers', etcd.endpoint, '--encryption-provider-config', f], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  assert.notEqual(code, 0);
  assert.match(out, /error while parsing encryption provider configuration file ".*bad\.yaml": resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of \[16 24 32\]/);
});
