// Shared defaulting, validation and printing for Validating/MutatingWebhookConfigurations
// (admissionregistration/v1): SetDefaults_*Webhook and ValidateValidatingWebhookConfiguration,
// plus generation bumps when the webhooks change.
import { type FieldErrorList, invalid, required, notSupported, duplicate } from '../../../api/field-errors.js';
import { isDNS1123Subdomain } from '../../../api/validation/names.js';
import { validateLabelSelector } from '../../../api/validation/labels.js';
import { deepEqual } from '../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../printers/columns.js';
import type { KObject } from '../strategy.js';

export function defaultWebhooks(obj: KObject, mutating: boolean): void {
  for (const w of obj.webhooks ?? []) {
    if (!w || typeof w !== 'object') continue;
    w.failurePolicy ??= 'Fail';
    w.matchPolicy ??= 'Equivalent';
    w.namespaceSelector ??= {};
    w.objectSelector ??= {};
    w.timeoutSeconds ??= 10;
    if (mutating) w.reinvocationPolicy ??= 'Never';
    for (const r of w.rules ?? []) if (r && typeof r === 'object') r.scope ??= '*';
    const svc = w.clientConfig?.service;
    if (svc) svc.port ??= 443;
  }
}

export function validateWebhooks(obj: KObject, mutating: boolean): FieldErrorList {
  const errs: FieldErrorList = [];
  const names = new Set<string>();
  (obj.webhooks ?? []).forEach((w: any, i: number) => {
    const p = `webhooks[${i}]`;
    const name = w?.name ?? '';
    if (!name) errs.push(required(p + '.name', ''));
    else {
      for (const m of isDNS1123Subdomain(name)) errs.push(invalid(p + '.name', name, m));
      if (name.split('.').length < 3) errs.push(invalid(p + '.name', name, 'should be a domain with at least three segments separated by dots'));
      if (names.has(name)) errs.push(duplicate(p + '.name', name));
      names.add(name);
    }
    const se = w?.sideEffects;
    if (!se) errs.push(required(p + '.sideEffects', 'must specify one of None, NoneOnDryRun'));
    else if (!['None', 'NoneOnDryRun'].includes(se)) errs.push(notSupported(p + '.sideEffects', se, ['None', 'NoneOnDryRun']));
    const arv: string[] = w?.admissionReviewVersions ?? [];
    if (!arv.length) errs.push(required(p + '.admissionReviewVersions', 'must specify one of v1, v1beta1'));
    else if (!arv.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(invalid(p + '.admissionReviewVersions', arv, 'must include at least one of v1, v1beta1'));
    const fp = w?.failurePolicy;
    if (fp && !['Fail', 'Ignore'].includes(fp)) errs.push(notSupported(p + '.failurePolicy', fp, ['Fail', 'Ignore']));
    const mp = w?.matchPolicy;
    if (mp && !['Equivalent', 'Exact'].includes(mp)) errs.push(notSupported(p + '.matchPolicy', mp, ['Equivalent', 'Exact']));
    if (w?.timeoutSeconds != null && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) errs.push(invalid(p + '.timeoutSeconds', w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    if (mutating && w?.reinvocationPolicy && !['Never', 'IfNeeded'].includes(w.reinvocationPolicy)) errs.push(notSupported(p + '.reinvocationPolicy', w.reinvocationPolicy, ['IfNeeded', 'Never']));
    const cc = w?.clientConfig ?? {};
    if (cc.url && cc.service) errs.push(required(p + '.clientConfig', 'exactly one of url or service is required'));
    else if (!cc.url && !cc.service) errs.push(required(p + '.clientConfig', 'exactly one of url or service is required'));
    else if (cc.url) {
      try {
        const u = new URL(cc.url);
        if (u.protocol !== 'https:') errs.push(invalid(p + '.clientConfig.url', cc.url, "'https' is the only allowed URL scheme"));
      } catch {
        errs.push(invalid(p + '.clientConfig.url', cc.url, 'host must be specified'));
      }
    } else {
      if (!cc.service.name) errs.push(required(p + '.clientConfig.service.name', 'service name is required'));
      if (!cc.service.namespace) errs.push(required(p + '.clientConfig.service.namespace', 'service namespace is required'));
    }
    (w?.rules ?? []).forEach((r: any, j: number) => {
      const rp = `${p}.rules[${j}]`;
      if (!(r?.operations ?? []).length) errs.push(required(rp + '.operations', ''));
      if (!(r?.apiGroups ?? []).length) errs.push(required(rp + '.apiGroups', ''));
      if (!(r?.apiVersions ?? []).length) errs.push(required(rp + '.apiVersions', ''));
      if (!(r?.resources ?? []).length) errs.push(required(rp + '.resources', ''));
      if (r?.scope && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(notSupported(rp + '.scope', r.scope, ['*', 'Cluster', 'Namespaced']));
    });
    errs.push(...validateLabelSelector(w?.namespaceSelector, p + '.namespaceSelector'));
    errs.push(...validateLabelSelector(w?.objectSelector, p + '.objectSelector'));
  });
  return errs;
}

export function bumpGenerationOnWebhookChange(obj: KObject, old: KObject): void {
  if (!deepEqual(obj.webhooks, old.webhooks)) (obj.metadata ??= {}).generation = (old.metadata?.generation ?? 0) + 1;
}

export const webhookTable = table([col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn], (o, now) => [(o.webhooks ?? []).length, age(o, now)]);
