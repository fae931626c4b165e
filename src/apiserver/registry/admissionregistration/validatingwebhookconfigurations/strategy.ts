// ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1 validatingwebhookconfigurations).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingWebhookConfiguration',
    listKind: 'ValidatingWebhookConfigurationList',
    resource: 'validatingwebhookconfigurations',
    singular: 'validatingwebhookconfiguration',
    namespaced: false,
    categories: ['api-extensions'],
  },
});
