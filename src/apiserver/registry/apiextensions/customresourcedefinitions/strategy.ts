// CustomResourceDefinition (apiextensions.k8s.io/v1 customresourcedefinitions).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    listKind: 'CustomResourceDefinitionList',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    storagePrefix: 'apiextensions.k8s.io/customresourcedefinitions',
  },
  status: {},
  generation: true,
});
