// ResourceQuota (core/v1 resourcequotas).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ResourceQuota',
    listKind: 'ResourceQuotaList',
    resource: 'resourcequotas',
    singular: 'resourcequota',
    namespaced: true,
    shortNames: ['quota'],
  },
  status: {},
});
