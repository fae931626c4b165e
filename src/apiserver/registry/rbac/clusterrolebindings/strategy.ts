// ClusterRoleBinding (rbac.authorization.k8s.io/v1 clusterrolebindings).
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';

export const strategy = defineStrategy({
  info: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRoleBinding',
    listKind: 'ClusterRoleBindingList',
    resource: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    namespaced: false,
  },
  nameFn: isValidPathSegmentName,
});
