// ConfigMap (core/v1 configmaps).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    listKind: 'ConfigMapList',
    resource: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
  },
});
