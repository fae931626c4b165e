import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, clusterRoleRules, forbiddenMessage, ruleAllows, type RbacObjects, type RequestAttributes } from './authorizer.js';

const jane = { name: 'jane', groups: ['system:authenticated'] };
const req = (over: Partial<RequestAttributes>): RequestAttributes => ({ user: jane, verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'default', ...over });

describe('RBAC rules', () => {
  const cases: Array<[string, Record<string, any>, Partial<RequestAttributes>, boolean]> = [
    ['verb and resource', { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }, {}, true],
    ['other verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, {}, false],
    ['wrong group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, {}, false],
    ['wildcards', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verb: 'delete', apiGroup: 'apps', resource: 'deployments' }, true],
    ['subresource needs its own entry', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { subresource: 'log' }, false],
    ['subresource entry', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { subresource: 'log' }, true],
    ['*/scale', { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }, { verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }, true],
    ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] }, { name: 'web' }, true],
    ['resourceNames exclude list', { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] }, { verb: 'list' }, false],
    ['non-resource URL', { verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }, { resourceRequest: false, path: '/version' }, true],
    ['non-resource prefix', { verbs: ['get'], nonResourceURLs: ['/metrics/*'] }, { resourceRequest: false, path: '/metrics/slis' }, true],
    ['non-resource rule does not grant resources', { verbs: ['get'], nonResourceURLs: ['*'] }, {}, false],
  ];
  for (const [name, rule, over, want] of cases) it(name, () => assert.equal(ruleAllows(rule, req(over)), want));
});

describe('RBAC bindings', () => {
  const objs: RbacObjects = {
    roles: [{ metadata: { name: 'pod-reader', namespace: 'team' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] }],
    roleBindings: [
      { metadata: { name: 'jane-reads', namespace: 'team' }, subjects: [{ kind: 'User', name: 'jane' }], roleRef: { kind: 'Role', name: 'pod-reader' } },
      { metadata: { name: 'sa-view', namespace: 'team' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }], roleRef: { kind: 'ClusterRole', name: 'view' } },
    ],
    clusterRoles: [
      { metadata: { name: 'view' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] }, rules: [] },
      { metadata: { name: 'view-core', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services'] }] },
      { metadata: { name: 'cluster-admin' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
    ],
    clusterRoleBindings: [{ metadata: { name: 'admins' }, subjects: [{ kind: 'Group', name: 'system:masters' }], roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } }],
  };

  it('a RoleBinding grants only in its namespace', () => {
    assert.equal(authorize(objs, req({ namespace: 'team', verb: 'list' })).allowed, true);
    assert.equal(authorize(objs, req({ namespace: 'default', verb: 'list' })).allowed, false);
    assert.equal(authorize(objs, req({ namespace: 'team', verb: 'delete' })).allowed, false);
  });
  it('service accounts by their user name; aggregated ClusterRoles', () => {
    const bot = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };
    assert.equal(authorize(objs, req({ user: bot, namespace: 'team', resource: 'services', verb: 'watch' })).allowed, true);
    assert.equal(authorize(objs, req({ user: bot, namespace: 'team', resource: 'secrets' })).allowed, false);
    assert.equal(clusterRoleRules('view', objs.clusterRoles).length, 1);
  });
  it('system:masters can do anything; the Forbidden message is Kubernetes\'', () => {
    const admin = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
    const d = authorize(objs, req({ user: admin, verb: 'delete', apiGroup: 'apps', resource: 'deployments', namespace: 'x' }));
    assert.equal(d.allowed, true);
    assert.match(d.reason, /ClusterRoleBinding "admins"/);
    assert.equal(authorize(objs, req({ user: admin, resourceRequest: false, path: '/metrics' })).allowed, true);
    assert.equal(forbiddenMessage(req({ verb: 'list' })), 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal(forbiddenMessage(req({ name: 'web', resource: 'secrets' })), 'secrets "web" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "default"');
    assert.equal(forbiddenMessage(req({ verb: 'list', resource: 'nodes', namespace: undefined })), 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
  });
});
