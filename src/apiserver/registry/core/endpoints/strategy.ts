// Endpoints (core/v1 endpoints).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    listKind: 'EndpointsList',
    resource: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
    storagePrefix: 'services/endpoints',
  },
});
