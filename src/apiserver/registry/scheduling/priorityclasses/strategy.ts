// PriorityClass (scheduling.k8s.io/v1 priorityclasses).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'scheduling.k8s.io',
    version: 'v1',
    kind: 'PriorityClass',
    listKind: 'PriorityClassList',
    resource: 'priorityclasses',
    singular: 'priorityclass',
    namespaced: false,
    shortNames: ['pc'],
  },
});
