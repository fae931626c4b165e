// ControllerRevision (apps/v1 controllerrevisions).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'ControllerRevision',
    listKind: 'ControllerRevisionList',
    resource: 'controllerrevisions',
    singular: 'controllerrevision',
    namespaced: true,
  },
});
