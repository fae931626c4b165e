// ClusterRole (rbac.authorization.k8s.io/v1 clusterroles): policy rule validation and the aggregation rule; NAME CREATED AT.
import { defineStrategy } from '../../define.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';
import { validateRules, validateAggregationRule, roleTable } from '../rbac.js';

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
  validate: (r) => [...validateRules(r, false), ...validateAggregationRule(r)],
  table: roleTable,
});
