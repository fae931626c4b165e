// Authentication over real TLS: who the apiserver says a request is, for each kind of
// credential, and 401 for credentials that are presented but wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startApiServer, type ApiServer } from './index.js';
import type { Authorizer, UserInfo } from './filters/pipeline.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { createCA, issueCert } from '../auth/pki/certs.js';
import { ensureClientCert } from '../auth/pki/cluster-pki.js';

const run = promisify(execFile);
let dir: string;
let api: ApiServer;
let seen: UserInfo[] = [];
const recording: Authorizer = {
  authorize(user) {
    seen.push(user);
    return { allowed: true };
  },
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keelson-authn-'));
  writeFileSync(join(dir, 'tokens.csv'), '# static tokens\nsecret-token-1,alice,uid-a,"dev,ops"\nsecret-token-2,bob,uid-b\n');
  api = await startApiServer({ dataDir: join(dir, 'data'), securePort: 0, compactionIntervalSeconds: 0, tokenAuthFile: join(dir, 'tokens.csv'), pipeline: { authorizer: recording } });
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string, o: { token?: string; cert?: string | Buffer; key?: string | Buffer } = {}): Promise<{ status: number; body: any }> {
  const kc = loadKubeconfig(api.kubeconfigPath!);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${api.url}${path}`,
      { ca: kc.ca, cert: o.cert, key: o.key, headers: o.token ? { Authorization: `Bearer ${o.token}` } : {}, agent: false },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: data.startsWith('{') ? JSON.parse(data) : data }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function whoIs(o: Parameters<typeof get>[1]): Promise<UserInfo> {
  seen = [];
  const r = await get('/api/v1/namespaces/default/configmaps', o);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return seen[0];
}

test('the admin kubeconfig authenticates over TLS as kubernetes-admin in system:masters', async () => {
  const kc = loadKubeconfig(api.kubeconfigPath!);
  assert.match(kc.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  const u = await whoIs({ cert: kc.cert, key: kc.key });
  assert.equal(u.name, 'kubernetes-admin');
  assert.deepEqual(u.groups, ['system:masters', 'system:authenticated']);
});

test('a component certificate names its user and groups (CN, O)', async () => {
  const pair = await ensureClientCert(api.pkiDir!, 'kubelet-test', 'system:node:n1', ['system:nodes']);
  const u = await whoIs({ cert: pair.cert, key: pair.key });
  assert.equal(u.name, 'system:node:n1');
  assert.deepEqual(u.groups, ['system:nodes', 'system:authenticated']);
});

test('static token file users, with uid and groups', async () => {
  const u = await whoIs({ token: 'secret-token-1' });
  assert.deepEqual({ name: u.name, uid: u.uid, groups: u.groups }, { name: 'alice', uid: 'uid-a', groups: ['dev', 'ops', 'system:authenticated'] });
  assert.equal((await whoIs({ token: 'secret-token-2' })).name, 'bob');
});

test('no credentials: system:anonymous in system:unauthenticated', async () => {
  const u = await whoIs({});
  assert.deepEqual(u, { name: 'system:anonymous', groups: ['system:unauthenticated'] });
});

test('an unknown token is 401 Unauthorized, never anonymous', async () => {
  seen = [];
  const r = await get('/api/v1/namespaces/default/configmaps', { token: 'not-a-token' });
  assert.equal(r.status, 401);
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, 'Unauthorized');
  assert.equal(seen.length, 0);
});

test('a certificate from another CA, or an expired one, is 401', async () => {
  const other = await createCA('not-the-cluster-ca');
  const foreign = await issueCert(other, { commonName: 'mallory', organizations: ['system:masters'], usage: 'client' });
  assert.equal((await get('/api/v1/namespaces/default/configmaps', foreign)).status, 401);
  const ca = { cert: readFileSync(join(api.pkiDir!, 'ca.crt'), 'utf8'), key: readFileSync(join(api.pkiDir!, 'ca.key'), 'utf8') };
  const expired = await issueCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client', days: -0.001 });
  assert.equal((await get('/api/v1/namespaces/default/configmaps', expired)).status, 401);
  const valid = await issueCert(ca, { commonName: 'carol', usage: 'client' });
  assert.equal((await whoIs(valid)).name, 'carol');
});

test('the real kubectl: a bad token gets "You must be logged in to the server"', async () => {
  const r = await run('kubectl', ['--server', api.url, '--insecure-skip-tls-verify', '--token', 'nope', 'get', 'pods'], { env: { ...process.env, KUBECONFIG: '/dev/null', KUBECACHEDIR: join(dir, 'kcache') } }).catch((e) => e);
  assert.match(String(r.stderr), /error: You must be logged in to the server \(/);
  const ok = await run('kubectl', ['--server', api.url, '--insecure-skip-tls-verify', '--token', 'secret-token-2', 'get', 'configmaps'], { env: { ...process.env, KUBECONFIG: '/dev/null', KUBECACHEDIR: join(dir, 'kcache') } });
  assert.equal(ok.stderr.includes('Unauthorized'), false);
});

test('with --anonymous-auth=false a request without credentials is 401', async () => {
  const d = mkdtempSync(join(tmpdir(), 'keelson-authn-'));
  const a = await startApiServer({ dataDir: d, securePort: 0, compactionIntervalSeconds: 0, anonymousAuth: false, pipeline: { authorizer: recording } });
  try {
    const kc = loadKubeconfig(a.kubeconfigPath!);
    const status = await new Promise<number>((resolve, reject) => https.get(`${a.url}/version`, { ca: kc.ca, agent: false }, (res) => resolve(res.statusCode!)).on('error', reject));
    assert.equal(status, 401);
  } finally {
    await a.close();
    rmSync(d, { recursive: true, force: true });
  }
});
