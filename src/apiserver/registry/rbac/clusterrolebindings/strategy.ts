// ClusterRoleBinding (rbac.authorization.k8s.io/v1 clusterrolebindings): roleRef and subject defaults and validation,
// roleRef immutable; NAME ROLE AGE (+USERS GROUPS SERVICEACCOUNTS).
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';
import { defaultBinding, validateBinding, validateRoleRefUpdate, bindingTable } from '../rbac.js';

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
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: validateRoleRefUpdate,
  table: bindingTable,
});
