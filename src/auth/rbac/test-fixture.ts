// A small RBAC state for the authorization unit tests: jane views pods in team, ops may
// impersonate bob, the devs group and any service account, system:masters is cluster-admin.
import { RbacIndex } from './live-authorizer.js';

export function rbacFixture(): RbacIndex {
  const ix = new RbacIndex();
  ix.clusterRoles.upsert({ metadata: { name: 'view' }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }] });
  ix.clusterRoles.upsert({ metadata: { name: 'cluster-admin' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] });
  ix.clusterRoles.upsert({ metadata: { name: 'impersonator' }, rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'], resourceNames: ['bob', 'devs'] }, { verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] }] });
  ix.roleBindings.upsert({ metadata: { name: 'jane-view', namespace: 'team' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'jane' }] });
  ix.clusterRoleBindings.upsert({ metadata: { name: 'admins' }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] });
  ix.clusterRoleBindings.upsert({ metadata: { name: 'imp' }, roleRef: { kind: 'ClusterRole', name: 'impersonator' }, subjects: [{ kind: 'User', name: 'ops' }] });
  return ix;
}
