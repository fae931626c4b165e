import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alwaysAllow, alwaysDeny, privilegedGroups, unionAuthorizer } from './union.js';
import type { ModeAuthorizer, Verdict } from './types.js';
import { forbiddenError } from './forbidden.js';
import { parseRequestInfo } from '../../apiserver/request-info.js';

const mode = (name: string, decision: Verdict, reason = ''): ModeAuthorizer & { calls: number } => {
  const m = { name, calls: 0, authorize: () => (m.calls++, { decision, reason }) };
  return m;
};
const jane = { name: 'jane', groups: ['system:authenticated'] };
const info = (method: string, path: string) => parseRequestInfo(method, path, new URLSearchParams());

describe('union authorizer', () => {
  it('the first Allow wins; later modes are not asked', () => {
    const later = mode('later', 'deny');
    const u = unionAuthorizer([mode('a', 'noopinion'), mode('b', 'allow'), later]);
    assert.equal(u.authorize(jane, info('GET', '/api/v1/pods')).allowed, true);
    assert.equal(later.calls, 0);
  });
  it('an explicit Deny stops the chain', () => {
    const later = mode('later', 'allow');
    const u = unionAuthorizer([mode('a', 'noopinion', 'first'), alwaysDeny, later]);
    const d = u.authorize(jane, info('GET', '/api/v1/pods'));
    assert.deepEqual(d, { allowed: false, reason: 'Everything is forbidden.' });
    assert.equal(later.calls, 0);
  });
  it('no opinion from everyone is a denial with the reasons joined', () => {
    const u = unionAuthorizer([mode('a', 'noopinion', 'no relationship'), mode('b', 'noopinion'), mode('c', 'noopinion', 'other')]);
    assert.deepEqual(u.authorize(jane, info('GET', '/api/v1/pods')), { allowed: false, reason: 'no relationship\nother' });
  });
  it('system:masters bypasses AlwaysDeny; AlwaysAllow allows anyone', () => {
    const u = unionAuthorizer([privilegedGroups, alwaysDeny]);
    assert.equal(u.authorize({ name: 'root', groups: ['system:masters'] }, info('DELETE', '/api/v1/nodes/n1')).allowed, true);
    assert.equal(u.authorize(jane, info('DELETE', '/api/v1/nodes/n1')).allowed, false);
    assert.equal(unionAuthorizer([alwaysAllow]).authorize(jane, info('GET', '/metrics')).allowed, true);
  });
  it('lists rules of every mode; a mode that cannot list makes them incomplete', () => {
    const u = unionAuthorizer([privilegedGroups, mode('webhook', 'noopinion'), alwaysAllow]);
    const r = u.rulesFor(jane, 'default');
    assert.equal(r.incomplete, true);
    assert.equal(r.rules.length, 2);
  });
  it("Forbidden messages are kube's, subresources included", () => {
    const attrs = (method: string, path: string) => {
      const i = info(method, path);
      return { user: jane, verb: i.verb, resourceRequest: i.isResourceRequest, apiGroup: i.group, resource: i.resource, subresource: i.subresource || undefined, namespace: i.namespace || undefined, name: i.name || undefined, path: i.path };
    };
    assert.equal(forbiddenError(attrs('GET', '/api/v1/namespaces/default/pods')).message, 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal(forbiddenError(attrs('GET', '/api/v1/namespaces/default/pods/web/log')).message, 'pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"');
    assert.equal(forbiddenError(attrs('DELETE', '/apis/apps/v1/namespaces/x/deployments/d')).message, 'deployments.apps "d" is forbidden: User "jane" cannot delete resource "deployments" in API group "apps" in the namespace "x"');
    assert.equal(forbiddenError(attrs('GET', '/api/v1/nodes'), 'why').message, 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope: why');
    const nr = forbiddenError(attrs('GET', '/metrics'));
    assert.equal(nr.message, 'forbidden: User "jane" cannot get path "/metrics"');
    assert.equal(nr.code, 403);
  });
});
