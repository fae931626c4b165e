// NetworkPolicy (networking.k8s.io/v1 networkpolicies).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    listKind: 'NetworkPolicyList',
    resource: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
  },
  generation: true,
});
