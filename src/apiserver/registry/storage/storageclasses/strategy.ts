// StorageClass (storage.k8s.io/v1 storageclasses).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    listKind: 'StorageClassList',
    resource: 'storageclasses',
    singular: 'storageclass',
    namespaced: false,
    shortNames: ['sc'],
  },
});
