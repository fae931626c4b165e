// Binding (core/v1 bindings).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Binding',
    listKind: 'BindingList',
    resource: 'bindings',
    singular: 'binding',
    namespaced: true,
    verbs: ['create'],
  },
});
