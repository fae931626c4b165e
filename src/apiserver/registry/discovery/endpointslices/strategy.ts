// EndpointSlice (discovery.k8s.io/v1 endpointslices).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    listKind: 'EndpointSliceList',
    resource: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
  },
});
