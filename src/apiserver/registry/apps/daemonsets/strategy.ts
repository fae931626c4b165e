// DaemonSet (apps/v1 daemonsets).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    listKind: 'DaemonSetList',
    resource: 'daemonsets',
    singular: 'daemonset',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
  },
  status: {},
  generation: true,
});
