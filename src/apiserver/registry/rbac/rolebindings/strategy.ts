// RoleBinding (rbac.authorization.k8s.io/v1 rolebindings).
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';

export const strategy = defineStrategy({
  info: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    listKind: 'RoleBindingList',
    resource: 'rolebindings',
    singular: 'rolebinding',
    namespaced: true,
  },
  nameFn: isValidPathSegmentName,
});
