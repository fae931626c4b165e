// IngressClass (networking.k8s.io/v1 ingressclasses).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'IngressClass',
    listKind: 'IngressClassList',
    resource: 'ingressclasses',
    singular: 'ingressclass',
    namespaced: false,
  },
});
