// ServiceAccount (core/v1 serviceaccounts).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    listKind: 'ServiceAccountList',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
  },
});
