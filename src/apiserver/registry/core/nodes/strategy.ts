// Node (core/v1 nodes).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Node',
    listKind: 'NodeList',
    resource: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    storagePrefix: 'minions',
  },
  status: {},
});
