// CronJob (batch/v1 cronjobs).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    listKind: 'CronJobList',
    resource: 'cronjobs',
    singular: 'cronjob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
  },
  status: {},
  generation: true,
});
