// Ingress (networking.k8s.io/v1 ingresses).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    listKind: 'IngressList',
    resource: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    storagePrefix: 'ingress',
  },
  status: {},
  generation: true,
});
