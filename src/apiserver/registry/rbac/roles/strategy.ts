// Role (rbac.authorization.k8s.io/v1 roles): policy rule validation; NAME CREATED AT.
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';
import { validateRules, roleTable } from '../rbac.js';

export const strategy = defineStrategy({
  info: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'Role',
    listKind: 'RoleList',
    resource: 'roles',
    singular: 'role',
    namespaced: true,
  },
  nameFn: isValidPathSegmentName,
  validate: (r) => validateRules(r, true),
  table: roleTable,
});
