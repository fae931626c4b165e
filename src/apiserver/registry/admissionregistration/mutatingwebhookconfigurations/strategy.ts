// MutatingWebhookConfiguration (admissionregistration.k8s.io/v1 mutatingwebhookconfigurations): webhook defaults
// and validation (registry/admissionregistration/webhooks.ts), generation 1 on create and bumped
// when the webhooks change; NAME WEBHOOKS AGE.
import { defineStrategy } from '../../define.js';
import { defaultWebhooks, validateWebhooks, bumpGenerationOnWebhookChange, webhookTable } from '../webhooks.js';

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
  defaults: (o) => defaultWebhooks(o, true),
  prepareForCreate(o) {
    (o.metadata ??= {}).generation = 1;
  },
  prepareForUpdate: bumpGenerationOnWebhookChange,
  validate: (o) => validateWebhooks(o, true),
  table: webhookTable,
});
