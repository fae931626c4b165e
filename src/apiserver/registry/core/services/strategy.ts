// Service (core/v1 services).
import { defineStrategy } from '../../define.js';
import { nameIsDNS1035Label } from '../../../../api/validation/names.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Service',
    listKind: 'ServiceList',
    resource: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    storagePrefix: 'services/specs',
  },
  nameFn: nameIsDNS1035Label,
  status: {},
});
