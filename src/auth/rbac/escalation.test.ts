import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rbacFixture } from './test-fixture.js';
import { compactRules, compactString, covers } from './covers.js';
import { confirmNoEscalation } from './escalation.js';
import { privilegedGroups, unionAuthorizer } from '../authz/union.js';

const jane = { name: 'jane', groups: ['system:authenticated'] };

describe('RBAC escalation checks', () => {
  const rbac = rbacFixture();
  const deps = { rbac, authorizer: unionAuthorizer([privilegedGroups, { name: 'RBAC', authorize: (a) => rbac.authorize(a) }]) };

  it('covers: verbs, subresources, resourceNames, */sub and URL prefixes', () => {
    const owner = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/scale'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
      { verbs: ['get'], nonResourceURLs: ['/logs/*'] },
    ];
    assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'deployments/scale'] }])[0], true);
    assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }])[0], true);
    assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])[0], false);
    assert.equal(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/logs/x'] }])[0], true);
    const [ok, missing] = covers(owner, [{ verbs: ['get', 'list', 'delete', 'watch'], apiGroups: [''], resources: ['pods'] }]);
    assert.equal(ok, false);
    assert.deepEqual(compactRules(missing).map(compactString), ['{APIGroups:[""], Resources:["pods"], Verbs:["delete" "watch"]}']);
  });
  it("refuses rules the user does not hold in the namespace, with kube's message", () => {
    assert.equal(confirmNoEscalation(deps, jane, 'team', [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]), undefined);
    assert.equal(
      confirmNoEscalation(deps, jane, 'default', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]),
      'user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
    const admin = confirmNoEscalation(deps, jane, 'team', rbac.roleRefRules({ kind: 'ClusterRole', name: 'cluster-admin' }, 'team')!);
    assert.match(admin!, /\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}\n\{NonResourceURLs:\["\*"\], Verbs:\["\*"\]\}$/);
  });
  it('a binding index answers by subject, aggregated roles resolved', () => {
    rbac.clusterRoles.upsert({ metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] }, rules: [] });
    rbac.clusterRoles.upsert({ metadata: { name: 'part', labels: { x: 'y' } }, rules: [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }] });
    rbac.clusterRoleBindings.upsert({ metadata: { name: 'sa-agg' }, roleRef: { kind: 'ClusterRole', name: 'agg' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'ci' }] });
    const bot = { name: 'system:serviceaccount:ci:bot', groups: ['system:serviceaccounts'] };
    assert.equal(rbac.authorize({ user: bot, verb: 'get', resourceRequest: true, apiGroup: 'apps', resource: 'deployments', namespace: 'x' }).decision, 'allow');
    rbac.clusterRoles.remove({ metadata: { name: 'part' } });
    assert.equal(rbac.authorize({ user: bot, verb: 'get', resourceRequest: true, apiGroup: 'apps', resource: 'deployments', namespace: 'x' }).decision, 'noopinion');
    rbac.clusterRoleBindings.remove({ metadata: { name: 'sa-agg' } });
    assert.equal(rbac.clusterRoleBindings.forUser(bot).length, 0);
  });
});
