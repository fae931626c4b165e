// Event (events.k8s.io/v1 events).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    listKind: 'EventList',
    resource: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    storagePrefix: 'events',
  },
});
