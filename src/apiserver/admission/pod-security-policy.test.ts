// The policy PodSecurity evaluates: labels over defaults, kube's fallbacks for bad values, warn
// following a stricter enforce, and the PodSecurityConfiguration's validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePodSecurityConfig, policyToEvaluate, PodSecurityConfigError, privilegedPolicy } from './pod-security-policy.js';

const P = 'pod-security.kubernetes.io/';

test('labels over defaults; warn follows a stricter enforce unless warn is set', () => {
  assert.deepEqual(policyToEvaluate(undefined), privilegedPolicy());
  const p = policyToEvaluate({ [`${P}enforce`]: 'baseline', [`${P}enforce-version`]: 'v1.30', [`${P}audit`]: 'restricted' });
  assert.deepEqual(p, { enforce: { level: 'baseline', version: 'v1.30' }, audit: { level: 'restricted', version: 'latest' }, warn: { level: 'baseline', version: 'v1.30' } });
  const w = policyToEvaluate({ [`${P}enforce`]: 'restricted', [`${P}warn`]: 'baseline' });
  assert.deepEqual(w.warn, { level: 'baseline', version: 'latest' });
  const wv = policyToEvaluate({ [`${P}enforce`]: 'restricted', [`${P}warn-version`]: 'v1.25' });
  assert.deepEqual(wv.warn, { level: 'restricted', version: 'v1.25' });
  // Only a version on enforce: no level set, warn stays at the default.
  assert.deepEqual(policyToEvaluate({ [`${P}enforce-version`]: 'v1.30' }).warn, { level: 'privileged', version: 'latest' });
});

test('bad values: enforce fails closed, audit and warn fail open, versions fall back to latest', () => {
  const p = policyToEvaluate({ [`${P}enforce`]: 'strict', [`${P}audit`]: 'nope', [`${P}warn`]: 'x', [`${P}enforce-version`]: '1.30' });
  assert.deepEqual(p.enforce, { level: 'restricted', version: 'latest' });
  assert.equal(p.audit.level, 'privileged');
  assert.equal(p.warn.level, 'privileged');
});

test('PodSecurityConfiguration: defaults, exemptions, errors', () => {
  const c = parsePodSecurityConfig({
    apiVersion: 'pod-security.admission.config.k8s.io/v1',
    kind: 'PodSecurityConfiguration',
    defaults: { enforce: 'baseline', 'enforce-version': 'latest', warn: 'restricted', 'warn-version': 'v1.29' },
    exemptions: { usernames: ['admin'], namespaces: ['kube-system'] },
  });
  assert.deepEqual(c.defaults, { enforce: { level: 'baseline', version: 'latest' }, audit: { level: 'privileged', version: 'latest' }, warn: { level: 'restricted', version: 'v1.29' } });
  assert.deepEqual(c.exemptions, { usernames: ['admin'], runtimeClasses: [], namespaces: ['kube-system'] });
  assert.throws(() => parsePodSecurityConfig({ apiVersion: 'v1', kind: 'PodSecurityConfiguration' }), PodSecurityConfigError);
  assert.throws(
    () => parsePodSecurityConfig({ apiVersion: 'pod-security.admission.config.k8s.io/v1', kind: 'PodSecurityConfiguration', defaults: { audit: 'loose' }, exemptions: { usernames: ['a', 'a'] } }),
    { message: 'defaults.audit: Invalid value: "loose": must be one of privileged, baseline, restricted, exemptions.usernames[1]: Duplicate value: "a"' },
  );
});
