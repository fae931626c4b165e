// LimitRange (core/v1 limitranges).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'LimitRange',
    listKind: 'LimitRangeList',
    resource: 'limitranges',
    singular: 'limitrange',
    namespaced: true,
    shortNames: ['limits'],
  },
});
