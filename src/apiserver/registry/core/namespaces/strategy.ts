// Namespace (core/v1 namespaces).
import { defineStrategy } from '../../define.js';
import { nameIsDNSLabel } from '../../../../api/validation/names.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    listKind: 'NamespaceList',
    resource: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  nameFn: nameIsDNSLabel,
  status: {},
});
