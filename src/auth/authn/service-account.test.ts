// Unit tests of the service account token authenticator: kube's claims, expiry with leeway,
// audiences, key selection, bound-object invalidation and legacy secret tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { serviceAccountAuthenticator, tokenAudiences } from './service-account.js';
import type { ObjectGetter } from './object-getter.js';
import type { KObject } from '../../apiserver/registry/strategy.js';
import { keyId, signingKeyFromPem, verifyingKeysFromPem } from '../tokens/keys.js';
import { boundClaims, legacyClaims } from '../tokens/claims.js';
import { signJwt, TokenError } from '../tokens/jwt.js';
import { AuthenticationError } from './errors.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const pem = (type: 'ec' | 'rsa') =>
  type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    : generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const ec = pem('ec');
const rsa = pem('rsa');
const signer = signingKeyFromPem(ec.privateKey);

function world() {
  const objs = new Map<string, KObject>();
  const put = (resource: string, ns: string, name: string, uid: string, extra: KObject = {}) => objs.set(`${resource}/${ns}/${name}`, { metadata: { name, namespace: ns, uid }, ...extra });
  const get: ObjectGetter = async (resource, ns, name) => objs.get(`${resource}/${resource === 'nodes' ? '' : ns}/${name}`);
  put('serviceaccounts', 'default', 'bot', 'sa-uid');
  return { objs, put, get };
}

const claims = (over: Partial<Parameters<typeof boundClaims>[0]> = {}) =>
  boundClaims({ issuer: ISS, audiences: [ISS], namespace: 'default', serviceAccount: { name: 'bot', uid: 'sa-uid' }, now: new Date(), expirationSeconds: 3600, ...over });

const rejects = async (p: unknown, re: RegExp) => {
  await assert.rejects(Promise.resolve(p), (e: unknown) => e instanceof TokenError && e instanceof AuthenticationError && re.test((e as Error).message));
};

test('kid is base64url(sha256(DER SPKI)) and the algorithm follows the key', async () => {
  const [v] = verifyingKeysFromPem(ec.publicKey);
  assert.equal(v.kid, signer.kid);
  assert.match(v.kid, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(v.kid, keyId(v.key));
  assert.equal(v.alg, 'ES256');
  assert.equal(signingKeyFromPem(rsa.privateKey).alg, 'RS256');
  // a private key in a key file stands for its public half
  assert.equal(verifyingKeysFromPem(ec.privateKey)[0].kid, signer.kid);
});

test('a bound token authenticates as the service account with kube groups, uid and credential-id', async () => {
  const w = world();
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get });
  const c = claims();
  const u = await a.authenticateToken(await signJwt(c, signer));
  assert.deepEqual(u, {
    name: 'system:serviceaccount:default:bot',
    uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
    extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${c.jti}`] },
  });
  assert.deepEqual(tokenAudiences(u!), [ISS]);
  assert.equal(c.sub, 'system:serviceaccount:default:bot');
  assert.equal(c.exp - c.iat, 3600);
});

test('tokens of other issuers or not JWTs are not ours (undefined); bad signature is an error', async () => {
  const w = world();
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get });
  assert.equal(await a.authenticateToken('abcdef.0123456789abcdef'), undefined);
  assert.equal(await a.authenticateToken(await signJwt(claims({ issuer: 'https://elsewhere' }), signer)), undefined);
  const other = signingKeyFromPem(pem('ec').privateKey);
  await rejects(a.authenticateToken(await signJwt(claims(), other)), /invalid signature/);
  // several keys: any of them verifies (key rotation)
  const both = serviceAccountAuthenticator({ keys: [...verifyingKeysFromPem(rsa.publicKey), ...verifyingKeysFromPem(ec.publicKey)], issuers: [ISS], apiAudiences: [ISS], get: w.get });
  assert.ok(await both.authenticateToken(await signJwt(claims(), signingKeyFromPem(rsa.privateKey))));
  assert.ok(await both.authenticateToken(await signJwt(claims(), signer)));
});

test('expiry honours the 60 s leeway; not-yet-valid tokens are refused', async () => {
  let now = new Date('2030-01-01T00:00:00Z');
  const w = world();
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get, now: () => now });
  const t = await signJwt(claims({ now: new Date('2030-01-01T00:00:00Z'), expirationSeconds: 600 }), signer);
  now = new Date('2030-01-01T00:10:30Z');
  assert.ok(await a.authenticateToken(t), 'within the leeway');
  now = new Date('2030-01-01T00:11:01Z');
  await rejects(a.authenticateToken(t), /service account token has expired/);
  now = new Date('2029-12-31T23:58:00Z');
  await rejects(a.authenticateToken(t), /not valid yet/);
});

test('audiences: the token must share one with the accepted audiences', async () => {
  const w = world();
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS, 'api'], get: w.get });
  const t = await signJwt(claims({ audiences: ['vault', 'api'] }), signer);
  const u = await a.authenticateToken(t);
  assert.deepEqual(tokenAudiences(u!), ['api']);
  assert.deepEqual(tokenAudiences((await a.authenticateToken(t, ['vault']))!), ['vault']);
  await rejects(a.authenticateToken(await signJwt(claims({ audiences: ['vault'] }), signer)), /token audiences \["vault"\] is invalid for the target audiences \["https:\/\/kubernetes.default.svc.cluster.local" "api"\]/);
});

test('the service account must still exist with the same uid', async () => {
  const w = world();
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get });
  const t = await signJwt(claims(), signer);
  w.put('serviceaccounts', 'default', 'bot', 'recreated');
  await rejects(a.authenticateToken(t), /service account UID \(recreated\) does not match claim \(sa-uid\)/);
  w.objs.delete('serviceaccounts/default/bot');
  await rejects(a.authenticateToken(t), /serviceaccounts "bot" not found/);
});

test('pod-bound tokens carry pod (and node) extras and die with the pod; secret-bound with the secret', async () => {
  const w = world();
  w.put('pods', 'default', 'web', 'pod-1');
  w.put('secrets', 'default', 's', 'sec-1');
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get });
  const t = await signJwt(claims({ pod: { name: 'web', uid: 'pod-1' }, node: { name: 'n1', uid: 'node-1' } }), signer);
  const u = await a.authenticateToken(t);
  assert.deepEqual(u!.extra!['authentication.kubernetes.io/pod-name'], ['web']);
  assert.deepEqual(u!.extra!['authentication.kubernetes.io/pod-uid'], ['pod-1']);
  assert.deepEqual(u!.extra!['authentication.kubernetes.io/node-name'], ['n1']);
  w.put('pods', 'default', 'web', 'pod-1', { metadata: { name: 'web', namespace: 'default', uid: 'pod-1', deletionTimestamp: new Date(Date.now() + 30_000).toISOString() } });
  assert.ok(await a.authenticateToken(t), 'valid during the grace period');
  w.put('pods', 'default', 'web', 'pod-2');
  await rejects(a.authenticateToken(t), /pod UID \(pod-2\) does not match service account pod ref claim \(pod-1\)/);
  w.objs.delete('pods/default/web');
  await rejects(a.authenticateToken(t), /pods "web" not found/);

  const st = await signJwt(claims({ secret: { name: 's', uid: 'sec-1' } }), signer);
  assert.ok(await a.authenticateToken(st));
  w.objs.delete('secrets/default/s');
  await rejects(a.authenticateToken(st), /secrets "s" not found/);
});

test('legacy secret tokens: valid while the secret holds this token and the service account lives', async () => {
  const w = world();
  const a = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get });
  const lc = legacyClaims('default', { name: 'bot', uid: 'sa-uid' }, 'bot-token');
  assert.equal(lc.iss, 'kubernetes/serviceaccount');
  const t = await signJwt(lc, signer);
  w.put('secrets', 'default', 'bot-token', 'sec-1', { data: { token: Buffer.from(t).toString('base64') } });
  const u = await a.authenticateToken(t);
  assert.equal(u!.name, 'system:serviceaccount:default:bot');
  assert.equal(u!.extra, undefined);
  assert.deepEqual(tokenAudiences(u!), [ISS]);
  w.put('secrets', 'default', 'bot-token', 'sec-1', { data: { token: Buffer.from('other').toString('base64') } });
  await rejects(a.authenticateToken(t), /token does not match/);
  w.objs.delete('secrets/default/bot-token');
  await rejects(a.authenticateToken(t), /secrets "bot-token" not found/);
  const off = serviceAccountAuthenticator({ keys: verifyingKeysFromPem(ec.publicKey), issuers: [ISS], apiAudiences: [ISS], get: w.get, legacy: false });
  assert.equal(await off.authenticateToken(t), undefined);
});
