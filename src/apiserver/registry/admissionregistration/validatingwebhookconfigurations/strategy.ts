// ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1 validatingwebhookconfigurations): webhook defaults
// and validation (registry/admissionregistration/webhooks.ts), generation 1 on create and bumped
// when the webhooks change; NAME WEBHOOKS AGE.
import { defineStrategy } from '../../define.js';
import { defaultWebhooks, validateWebhooks, bumpGenerationOnWebhookChange, webhookTable } from '../webhooks.js';

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
  defaults: (o) => defaultWebhooks(o, false),
  prepareForCreate(o) {
    (o.metadata ??= {}).generation = 1;
  },
  prepareForUpdate: bumpGenerationOnWebhookChange,
  validate: (o) => validateWebhooks(o, false),
  table: webhookTable,
});
