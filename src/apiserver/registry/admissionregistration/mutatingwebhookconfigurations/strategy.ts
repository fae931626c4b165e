// MutatingWebhookConfiguration (admissionregistration.k8s.io/v1 mutatingwebhookconfigurations).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'MutatingWebhookConfiguration',
    listKind: 'MutatingWebhookConfigurationList',
    resource: 'mutatingwebhookconfigurations',
    singular: 'mutatingwebhookconfiguration',
    namespaced: false,
    categories: ['api-extensions'],
  },
});
