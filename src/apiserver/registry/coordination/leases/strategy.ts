// Lease (coordination.k8s.io/v1 leases).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    listKind: 'LeaseList',
    resource: 'leases',
    singular: 'lease',
    namespaced: true,
  },
});
