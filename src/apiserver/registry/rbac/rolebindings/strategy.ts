// RoleBinding (rbac.authorization.k8s.io/v1 rolebindings): roleRef and subject defaults and validation,
// roleRef immutable; NAME ROLE AGE (+USERS GROUPS SERVICEACCOUNTS).
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';
import { defaultBinding, validateBinding, validateRoleRefUpdate, bindingTable } from '../rbac.js';

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
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: validateRoleRefUpdate,
  table: bindingTable,
});
