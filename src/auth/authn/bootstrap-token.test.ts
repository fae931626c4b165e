// Unit tests of the bootstrap token authenticator (kube-system bootstrap-token-<id> secrets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapTokenAuthenticator } from './bootstrap-token.js';
import type { KObject } from '../../apiserver/registry/strategy.js';
import { AuthenticationError } from './errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secret(id: string, data: Record<string, string>, extra: KObject = {}): KObject {
  const d: Record<string, string> = { 'token-id': id, 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', ...data };
  return { metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system', uid: 'u' }, type: 'bootstrap.kubernetes.io/token', data: Object.fromEntries(Object.entries(d).map(([k, v]) => [k, b64(v)])), ...extra };
}

function auth(secrets: KObject[], now = new Date('2030-01-01T00:00:00Z')) {
  const byName = new Map(secrets.map((s) => [`${s.metadata!.namespace}/${s.metadata!.name}`, s]));
  return bootstrapTokenAuthenticator(async (_r, ns, name) => byName.get(`${ns}/${name}`), () => now);
}

test('a matching token is system:bootstrap:<id> with system:bootstrappers and the extra groups', async () => {
  const a = auth([secret('abcdef', { 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', expiration: '2030-01-02T00:00:00Z' })]);
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdef'), { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] });
});

test('tokens of another shape are not bootstrap tokens', async () => {
  const a = auth([]);
  for (const t of ['abcdef.0123456789abcde', 'ABCDEF.0123456789abcdef', 'eyJhbGciOi.x.y', 'abcdef0123456789abcdef']) assert.equal(await a.authenticateToken(t), undefined, t);
});

test('wrong secret, missing, expired, wrong type, not for authentication, bad group, being deleted: refused', async () => {
  const cases: Array<[KObject[], string, RegExp]> = [
    [[secret('abcdef', {})], 'abcdef.0123456789abcdee', /does not match/],
    [[], 'abcdef.0123456789abcdef', /no secret of name bootstrap-token-abcdef/],
    [[secret('abcdef', { expiration: '2029-12-31T23:59:59Z' })], 'abcdef.0123456789abcdef', /expired/],
    [[secret('abcdef', {}, { type: 'Opaque' })], 'abcdef.0123456789abcdef', /wrong type/],
    [[secret('abcdef', { 'usage-bootstrap-authentication': 'false' })], 'abcdef.0123456789abcdef', /not usable for authentication/],
    [[secret('abcdef', { 'auth-extra-groups': 'system:masters' })], 'abcdef.0123456789abcdef', /bootstrap group "system:masters" is invalid/],
    [[secret('abcdef', {}, { metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', deletionTimestamp: '2029-01-01T00:00:00Z' } })], 'abcdef.0123456789abcdef', /being deleted/],
    [[secret('abcdef', { 'token-id': 'zzzzzz' })], 'abcdef.0123456789abcdef', /does not match/],
  ];
  for (const [secrets, token, re] of cases) {
    await assert.rejects(Promise.resolve(auth(secrets).authenticateToken(token)), (e: unknown) => e instanceof AuthenticationError && re.test((e as Error).message), String(re));
  }
});
