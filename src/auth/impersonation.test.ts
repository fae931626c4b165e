import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { impersonate } from './impersonation.js';
import { privilegedGroups, unionAuthorizer } from './authz/union.js';
import { rbacFixture } from './rbac/test-fixture.js';
import { ApiError } from '../apiserver/status.js';

const rbac = rbacFixture();
const authz = unionAuthorizer([privilegedGroups, { name: 'RBAC', authorize: (a) => rbac.authorize(a) }]);
const ops = { name: 'ops', groups: ['system:authenticated'] };
const req = (headers: Record<string, string | string[]>) => {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, headersDistinct: Object.fromEntries(Object.entries(lower).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])) } as unknown as IncomingMessage;
};
const rejects = async (p: Promise<unknown>, code: number, message: string) => {
  await assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === code && e.message === message);
};

describe('impersonation', () => {
  it('no headers: the authenticated user', async () => {
    assert.equal(await impersonate(req({}), ops, authz), ops);
  });
  it('a permitted user and group; system:authenticated added', async () => {
    const u = await impersonate(req({ 'Impersonate-User': 'bob', 'Impersonate-Group': ['devs'] }), ops, authz);
    assert.deepEqual(u, { name: 'bob', groups: ['devs', 'system:authenticated'] });
  });
  it('a service account gets its groups', async () => {
    const u = await impersonate(req({ 'Impersonate-User': 'system:serviceaccount:ci:bot' }), ops, authz);
    assert.deepEqual(u.groups, ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']);
  });
  it('each header is checked with the impersonate verb', async () => {
    await rejects(impersonate(req({ 'Impersonate-User': 'alice' }), ops, authz), 403, 'users "alice" is forbidden: User "ops" cannot impersonate resource "users" in API group "" at the cluster scope');
    await rejects(impersonate(req({ 'Impersonate-User': 'bob', 'Impersonate-Group': 'system:masters' }), ops, authz), 403, 'groups "system:masters" is forbidden: User "ops" cannot impersonate resource "groups" in API group "" at the cluster scope');
    await rejects(
      impersonate(req({ 'Impersonate-User': 'bob', 'Impersonate-Extra-Scopes': 'view' }), ops, authz),
      403,
      'userextras.authentication.k8s.io "view" is forbidden: User "ops" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
    );
    await rejects(impersonate(req({ 'Impersonate-User': 'bob', 'Impersonate-Uid': '42' }), ops, authz), 403, 'uids.authentication.k8s.io "42" is forbidden: User "ops" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
    await rejects(impersonate(req({ 'Impersonate-User': 'system:serviceaccount:ci:bot' }), { name: 'jane', groups: [] }, authz), 403, 'serviceaccounts "bot" is forbidden: User "jane" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ci"');
  });
  it('system:masters may impersonate anyone, with extra and uid', async () => {
    const u = await impersonate(req({ 'Impersonate-User': 'x', 'Impersonate-Uid': '7', 'Impersonate-Extra-Reason%2fwhy': ['a', 'b'] }), { name: 'admin', groups: ['system:masters'] }, authz);
    assert.deepEqual(u, { name: 'x', groups: ['system:authenticated'], uid: '7', extra: { 'reason/why': ['a', 'b'] } });
  });
  it('groups without a user is an error', async () => {
    await assert.rejects(impersonate(req({ 'Impersonate-Group': 'devs' }), ops, authz), (e: unknown) => e instanceof ApiError && e.code === 500);
  });
});
