// Job (batch/v1 jobs).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    listKind: 'JobList',
    resource: 'jobs',
    singular: 'job',
    namespaced: true,
    categories: ['all'],
  },
  status: {},
  generation: true,
});
