// CSIDriver (storage.k8s.io/v1 csidrivers).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSIDriver',
    listKind: 'CSIDriverList',
    resource: 'csidrivers',
    singular: 'csidriver',
    namespaced: false,
  },
});
