// ClusterRole (rbac.authorization.k8s.io/v1 clusterroles).
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';

export const strategy = defineStrategy({
  info: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    listKind: 'ClusterRoleList',
    resource: 'clusterroles',
    singular: 'clusterrole',
    namespaced: false,
  },
  nameFn: isValidPathSegmentName,
});
