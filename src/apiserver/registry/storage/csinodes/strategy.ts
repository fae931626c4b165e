// CSINode (storage.k8s.io/v1 csinodes).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSINode',
    listKind: 'CSINodeList',
    resource: 'csinodes',
    singular: 'csinode',
    namespaced: false,
  },
});
