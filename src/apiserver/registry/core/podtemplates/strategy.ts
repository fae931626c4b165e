// PodTemplate (core/v1 podtemplates).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'PodTemplate',
    listKind: 'PodTemplateList',
    resource: 'podtemplates',
    singular: 'podtemplate',
    namespaced: true,
  },
});
