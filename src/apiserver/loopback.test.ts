// The in-process listener (`keelson server`'s components): the same API and the same answers as
// over TLS on the secure port, for every kind of client, judged by the real authenticators and
// RBAC: the REST client with `transport: api.loopback` against the REST client over the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from './index.js';
import { loadKubeconfig, type ClientConfig } from '../client/kubeconfig.js';
import { ApiError, RestClient, type KObject, type WatchEvent } from '../client/rest-client.js';
import { createCA, issueCert } from '../auth/pki/certs.js';
import { ensureClientCert } from '../auth/pki/cluster-pki.js';

let dir: string;
let api: ApiServer;
const clients: RestClient[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keelson-loopback-'));
  api = await startApiServer({ dataDir: join(dir, 'data'), securePort: 0, compactionIntervalSeconds: 0 });
});
after(async () => {
  for (const c of clients) c.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The same credentials twice: over the network (TLS) and in process. */
function pair(creds: Partial<ClientConfig>): { tls: RestClient; local: RestClient } {
  const base = { server: api.url, ca: loadKubeconfig(api.kubeconfigPath!).ca, ...creds };
  const tls = new RestClient(base);
  const local = new RestClient({ ...base, transport: api.loopback });
  clients.push(tls, local);
  return { tls, local };
}

const whoami = async (c: RestClient) =>
  (await c.post<KObject>('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).status.userInfo;

/** The Status of a failed request (code, reason, message), or 'ok'. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e) => (e instanceof ApiError ? { code: e.code, reason: e.reason, message: e.message } : Promise.reject(e)),
  );

test('the admin certificate: the same user in process as over TLS', async () => {
  const kc = loadKubeconfig(api.kubeconfigPath!);
  const { tls, local } = pair({ cert: kc.cert, key: kc.key });
  const u = await whoami(local);
  assert.equal(u.username, 'kubernetes-admin');
  assert.deepEqual(u.groups, ['system:masters', 'system:authenticated']);
  assert.deepEqual(u, await whoami(tls));
  const ns = await local.get<KObject>('/api/v1/namespaces');
  assert.ok(ns.items.some((n: KObject) => n.metadata?.name === 'default'));
});

test('a component certificate: its own user, and RBAC decides as over TLS', async () => {
  const p = await ensureClientCert(api.pkiDir!, 'scheduler-test', 'system:kube-scheduler');
  const { tls, local } = pair({ cert: Buffer.from(p.cert), key: Buffer.from(p.key) });
  assert.equal((await whoami(local)).username, 'system:kube-scheduler');
  assert.equal(await outcome(local.get('/api/v1/nodes')), 'ok');
  const denied = await outcome(local.get('/api/v1/namespaces/kube-system/secrets'));
  assert.deepEqual(denied, await outcome(tls.get('/api/v1/namespaces/kube-system/secrets')));
  assert.equal((denied as { code: number }).code, 403);
  assert.match((denied as { message: string }).message, /User "system:kube-scheduler" cannot list resource "secrets"/);
});

test('a certificate of another CA, or an expired one, is 401 as over TLS', async () => {
  const other = await createCA('not-the-cluster-ca');
  const foreign = await issueCert(other, { commonName: 'mallory', organizations: ['system:masters'], usage: 'client' });
  const f = pair({ cert: Buffer.from(foreign.cert), key: Buffer.from(foreign.key) });
  const r = await outcome(f.local.get('/api/v1/namespaces'));
  assert.deepEqual(r, { code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
  assert.deepEqual(r, await outcome(f.tls.get('/api/v1/namespaces')));
  const ca = { cert: readFileSync(join(api.pkiDir!, 'ca.crt'), 'utf8'), key: readFileSync(join(api.pkiDir!, 'ca.key'), 'utf8') };
  const expired = await issueCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client', days: -0.001 });
  const e = pair({ cert: Buffer.from(expired.cert), key: Buffer.from(expired.key) });
  assert.deepEqual(await outcome(e.local.get('/api/v1/namespaces')), r);
});

test('a server certificate is not a client certificate', async () => {
  const ca = { cert: readFileSync(join(api.pkiDir!, 'ca.crt'), 'utf8'), key: readFileSync(join(api.pkiDir!, 'ca.key'), 'utf8') };
  const serving = await issueCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'server', hosts: ['localhost'] });
  const { tls, local } = pair({ cert: Buffer.from(serving.cert), key: Buffer.from(serving.key) });
  const r = await outcome(local.get('/api/v1/namespaces'));
  assert.equal((r as { code: number }).code, 401);
  assert.deepEqual(r, await outcome(tls.get('/api/v1/namespaces')));
});

test('no credentials: anonymous, as over TLS; a bearer token is judged per request', async () => {
  const { tls, local } = pair({});
  assert.equal(await outcome(local.get('/version')), 'ok');
  const r = await outcome(local.get('/api/v1/namespaces'));
  assert.equal((r as { code: number }).code, 403);
  assert.match((r as { message: string }).message, /User "system:anonymous" cannot list/);
  assert.deepEqual(r, await outcome(tls.get('/api/v1/namespaces')));
  const bad = pair({ token: 'not-a-token' });
  assert.deepEqual(await outcome(bad.local.get('/api/v1/namespaces')), { code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
});

test('a client whose key does not match its certificate gets no connection', async () => {
  // (Over TLS, Node refuses such a pair before connecting: "key values mismatch".)
  const kc = loadKubeconfig(api.kubeconfigPath!);
  const p = await ensureClientCert(api.pkiDir!, 'mismatch-test', 'someone');
  const local = new RestClient({ server: api.url, cert: kc.cert, key: Buffer.from(p.key), transport: api.loopback });
  clients.push(local);
  await assert.rejects(local.get('/api/v1/namespaces'), /does not match its private key/);
});

test('a rotated client certificate is used by new in-process connections', async () => {
  const first = await ensureClientCert(api.pkiDir!, 'rotate-a', 'system:node:rotating', ['system:nodes']);
  const second = await ensureClientCert(api.pkiDir!, 'rotate-b', 'system:node:rotated', ['system:nodes']);
  const { local } = pair({ cert: Buffer.from(first.cert), key: Buffer.from(first.key) });
  assert.equal((await whoami(local)).username, 'system:node:rotating');
  local.setClientCertificate(Buffer.from(second.cert), Buffer.from(second.key));
  assert.equal((await whoami(local)).username, 'system:node:rotated');
});

test('watch streams events in process; closing the apiserver ends them and refuses new connections', async () => {
  const d = mkdtempSync(join(tmpdir(), 'keelson-loopback-'));
  const a = await startApiServer({ dataDir: d, securePort: 0, compactionIntervalSeconds: 0 });
  const kc = loadKubeconfig(a.kubeconfigPath!);
  const c = new RestClient({ ...kc, transport: a.loopback });
  try {
    const events: WatchEvent[] = [];
    const list = await c.get<KObject>('/api/v1/namespaces/default/configmaps');
    const watching = c.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion }, (e) => events.push(e));
    watching.catch(() => undefined);
    await c.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'keelson-loopback' }, data: { big: 'x'.repeat(1 << 20) } });
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(events[0]?.type, 'ADDED');
    assert.equal(events[0].object.metadata?.name, 'keelson-loopback');
    assert.equal(events[0].object.data.big.length, 1 << 20);
    // The apiserver ends its watches as it stops (the stream closes), then its connections.
    await a.close();
    await watching.catch(() => undefined);
    await assert.rejects(c.get('/api/v1/namespaces'), /ECONNREFUSED/);
  } finally {
    c.close();
    await a.close();
    rmSync(d, { recursive: true, force: true });
  }
});
