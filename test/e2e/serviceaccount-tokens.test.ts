// Service account tokens end to end with the real kubectl: `kubectl create token` (TokenRequest)
// gives a JWT that authenticates on the TLS port (`kubectl auth whoami` shows the service
// account), a token bound to a pod dies with the pod, expired / wrongly signed / unknown tokens
// are 401, bootstrap tokens authenticate, and TokenReview answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';
import { readSigningKey } from '../../src/auth/tokens/keys.js';
import { signJwt } from '../../src/auth/tokens/jwt.js';
import { boundClaims } from '../../src/auth/tokens/claims.js';

let api: TestApiServer;
/** kubectl with no kubeconfig credentials: only the token given. */
let asToken: (token: string, args: string[]) => ReturnType<TestApiServer['kubectl']>;

function httpsGet(url: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

before(async () => {
  api = await startTestApiServer();
  const empty = join(api.dataDir, 'empty.kubeconfig');
  writeFileSync(empty, 'apiVersion: v1\nkind: Config\n');
  const bare = kubectlWith({ kubeconfig: empty, cacheDir: join(api.cacheDir, 'token') });
  asToken = (token, args) => bare(['--server', api.secureUrl, '--insecure-skip-tls-verify', '--token', token, ...args]);
  const k = api.kubectl;
  for (const args of [
    ['create', 'serviceaccount', 'bot'],
    ['create', 'clusterrolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=default:bot'],
  ]) {
    const r = await k(args);
    assert.equal(r.code, 0, r.out);
  }
});

after(async () => {
  await api?.stop();
});

test('kubectl create token gives a JWT with kube claims that authenticates (auth whoami)', async () => {
  const r = await api.kubectl(['create', 'token', 'bot', '--duration', '10m', '--audience', 'https://kubernetes.default.svc.cluster.local', '--audience', 'extra']);
  assert.equal(r.code, 0, r.out);
  const token = r.stdout.trim();
  assert.match(token, /^ey/);
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
  assert.equal(header.alg, 'ES256');
  assert.ok(header.kid);
  const c = claimsOf(token);
  assert.equal(c.sub, 'system:serviceaccount:default:bot');
  assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local', 'extra']);
  assert.equal(c.exp - c.iat, 600);
  assert.equal(c.nbf, c.iat);
  assert.ok(c.jti);
  assert.equal(c['kubernetes.io'].namespace, 'default');
  assert.equal(c['kubernetes.io'].serviceaccount.name, 'bot');
  const sa = await api.kubectl(['get', 'sa', 'bot', '-o', 'jsonpath={.metadata.uid}']);
  assert.equal(c['kubernetes.io'].serviceaccount.uid, sa.stdout);

  const who = await asToken(token, ['auth', 'whoami']);
  assert.equal(who.code, 0, who.out);
  assert.match(who.stdout, /Username\s+system:serviceaccount:default:bot/);
  assert.match(who.stdout, /Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]/);
  assert.match(who.stdout, new RegExp(`Extra: authentication.kubernetes.io/credential-id\\s+\\[JTI=${c.jti}\\]`));
  const get = await asToken(token, ['get', 'serviceaccounts', 'bot', '-o', 'name']);
  assert.equal(get.code, 0, get.out);
  assert.equal(get.stdout.trim(), 'serviceaccount/bot');
});

test('TokenRequest validation: too short, unknown service account, wrong bound kind', async () => {
  const short = await api.kubectl(['create', 'token', 'bot', '--duration', '5m']);
  assert.notEqual(short.code, 0);
  assert.match(short.out, /spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
  const missing = await api.kubectl(['create', 'token', 'nobody']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.out, /serviceaccounts "nobody" not found/);
  const pod = await api.kubectl(['create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'ghost']);
  assert.notEqual(pod.code, 0);
  assert.match(pod.out, /pods "ghost" not found/);
});

test('a token bound to a pod names the pod and stops working once the pod is deleted', async () => {
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: boundpod}\nspec:\n  serviceAccountName: bot\n  containers: [{name: c, image: busybox}]\n`;
  const c = await api.kubectl(['create', '-f', '-'], { input: pod });
  assert.equal(c.code, 0, c.out);
  const r = await api.kubectl(['create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'boundpod']);
  assert.equal(r.code, 0, r.out);
  const token = r.stdout.trim();
  const uid = (await api.kubectl(['get', 'pod', 'boundpod', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  assert.deepEqual(claimsOf(token)['kubernetes.io'].pod, { name: 'boundpod', uid });
  const who = await asToken(token, ['auth', 'whoami', '-o', 'json']);
  assert.equal(who.code, 0, who.out);
  const info = JSON.parse(who.stdout).status.userInfo;
  assert.deepEqual(info.extra['authentication.kubernetes.io/pod-name'], ['boundpod']);
  assert.deepEqual(info.extra['authentication.kubernetes.io/pod-uid'], [uid]);

  const d = await api.kubectl(['delete', 'pod', 'boundpod', '--grace-period=0', '--force']);
  assert.equal(d.code, 0, d.out);
  const denied = await until('the pod-bound token to be rejected', async () => {
    const w = await asToken(token, ['get', 'serviceaccounts']);
    return w.code !== 0 && w;
  });
  assert.match(denied.out, /You must be logged in to the server \(Unauthorized\)/);
});

test('expired, wrongly signed and unknown tokens are 401 Unauthorized', async () => {
  const uid = (await api.kubectl(['get', 'sa', 'bot', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  const key = readSigningKey(join(api.dataDir, 'pki', 'sa.key'));
  const base = { issuer: 'https://kubernetes.default.svc.cluster.local', audiences: ['https://kubernetes.default.svc.cluster.local'], namespace: 'default', serviceAccount: { name: 'bot', uid }, expirationSeconds: 600 };
  const good = await signJwt(boundClaims({ ...base, now: new Date() }), key);
  assert.equal((await asToken(good, ['get', 'sa', 'bot'])).code, 0);
  const expired = await signJwt(boundClaims({ ...base, now: new Date(Date.now() - 3600_000) }), key);
  const parts = good.split('.');
  const tampered = [parts[0], Buffer.from(JSON.stringify({ ...claimsOf(good), sub: 'system:serviceaccount:kube-system:default' })).toString('base64url'), parts[2]].join('.');
  const wrongAud = await signJwt(boundClaims({ ...base, audiences: ['elsewhere'], now: new Date() }), key);
  for (const t of [expired, tampered, wrongAud, 'not-a-token-at-all']) {
    const r = await asToken(t, ['get', 'sa', 'bot']);
    assert.notEqual(r.code, 0, `token accepted: ${t}`);
    assert.match(r.out, /Unauthorized/);
  }
  const raw = await httpsGet(`${api.secureUrl}/api/v1/namespaces/default/serviceaccounts`, expired);
  assert.equal(raw.status, 401);
  assert.deepEqual({ kind: raw.body.kind, reason: raw.body.reason, message: raw.body.message, code: raw.body.code }, { kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
});

test('TokenReview answers for good and bad tokens', async () => {
  const token = (await api.kubectl(['create', 'token', 'bot'])).stdout.trim();
  const review = (t: string, auds?: string[]) =>
    api.kubectl(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: t, ...(auds ? { audiences: auds } : {}) } }) });
  const ok = await review(token);
  assert.equal(ok.code, 0, ok.out);
  const s = JSON.parse(ok.stdout).status;
  assert.equal(s.authenticated, true);
  assert.equal(s.user.username, 'system:serviceaccount:default:bot');
  assert.deepEqual(s.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  assert.deepEqual(s.audiences, ['https://kubernetes.default.svc.cluster.local']);
  const other = JSON.parse((await review(token, ['other'])).stdout).status;
  assert.equal(other.authenticated, false);
  assert.match(other.error, /token audiences \["https:\/\/kubernetes.default.svc.cluster.local"\] is invalid for the target audiences \["other"\]/);
  const bad = JSON.parse((await review(token.slice(0, -4) + 'AAAA')).stdout).status;
  assert.equal(bad.authenticated, false);
  assert.match(bad.error, /invalid signature/);
  const empty = await review('');
  assert.notEqual(empty.code, 0);
});

test('bootstrap tokens authenticate as system:bootstrap:<id> while valid', async () => {
  const secret = (id: string, extra: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: { 'token-id': id, 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', ...extra },
  });
  for (const s of [secret('abcdef', {}), secret('expird', { expiration: '2020-01-01T00:00:00Z' })]) {
    const r = await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(s) });
    assert.equal(r.code, 0, r.out);
  }
  const who = await until('the bootstrap token to authenticate', async () => {
    const w = await asToken('abcdef.0123456789abcdef', ['auth', 'whoami']);
    return w.code === 0 && w;
  });
  assert.match(who.stdout, /Username\s+system:bootstrap:abcdef/);
  assert.match(who.stdout, /Groups\s+\[system:bootstrappers system:bootstrappers:kubeadm:default-node-token system:authenticated\]/);
  for (const t of ['abcdef.0123456789abcdee', 'expird.0123456789abcdef', 'zzzzzz.0123456789abcdef']) {
    const r = await asToken(t, ['auth', 'whoami']);
    assert.notEqual(r.code, 0, t);
    assert.match(r.out, /Unauthorized/);
  }
});

test('discovery lists serviceaccounts/token, tokenreviews and selfsubjectreviews (create only)', async () => {
  const core = JSON.parse((await api.kubectl(['get', '--raw', '/api/v1'])).stdout);
  const token = core.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token');
  assert.deepEqual({ kind: token.kind, group: token.group, version: token.version, verbs: token.verbs }, { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] });
  const r = await api.kubectl(['api-resources', '--api-group=authentication.k8s.io', '-o', 'wide']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /selfsubjectreviews\s+authentication.k8s.io\/v1\s+false\s+SelfSubjectReview\s+create/);
  assert.match(r.stdout, /tokenreviews\s+authentication.k8s.io\/v1\s+false\s+TokenReview\s+create/);
  const get = await api.kubectl(['get', 'tokenreviews']);
  assert.notEqual(get.code, 0);
  assert.match(get.out, /\(MethodNotAllowed\)|the server does not allow this method/);
});

test('issuer discovery: a service account reads the OIDC document and JWKS, which verify its token', async () => {
  const token = (await api.kubectl(['create', 'token', 'bot'])).stdout.trim();
  const conf = await asToken(token, ['get', '--raw', '/.well-known/openid-configuration']);
  assert.equal(conf.code, 0, conf.out);
  const doc = JSON.parse(conf.stdout);
  assert.equal(doc.issuer, 'https://kubernetes.default.svc.cluster.local');
  assert.match(doc.jwks_uri, /^https:\/\/127\.0\.0\.1:\d+\/openid\/v1\/jwks$/);
  assert.deepEqual(doc.response_types_supported, ['id_token']);
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['ES256']);
  const jwks = await asToken(token, ['get', '--raw', '/openid/v1/jwks']);
  assert.equal(jwks.code, 0, jwks.out);
  const set = JSON.parse(jwks.stdout);
  assert.equal(set.keys[0].use, 'sig');
  assert.equal(set.keys[0].kty, 'EC');
  assert.equal(set.keys[0].d, undefined, 'no private part');
  const { payload } = await jwtVerify(token, createLocalJWKSet(set), { issuer: doc.issuer, audience: doc.issuer });
  assert.equal(payload.sub, 'system:serviceaccount:default:bot');
});
