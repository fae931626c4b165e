// ValidatingAdmissionPolicy: CEL validations through bindings (Deny/Warn), messages, params
// from a ConfigMap, matchConditions, selectors, failure policy; and the kinds' validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { validatingAdmissionPolicy } from './validating-admission-policy.js';
import { ApiError } from '../status.js';

let f: Fixture;
const g = 'admissionregistration.k8s.io';
before(async () => {
  f = await fixture();
  await f.create('', 'namespaces', { metadata: { name: 'default' } });
  await f.create('', 'namespaces', { metadata: { name: 'prod', labels: { env: 'prod' } } });
  await f.create('', 'configmaps', { metadata: { name: 'limits', namespace: 'default' }, data: { maxReplicas: '3' } });
  const rules = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] };
  await f.create(g, 'validatingadmissionpolicies', {
    metadata: { name: 'replicas.example.com' },
    spec: {
      matchConstraints: rules,
      variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
      matchConditions: [{ name: 'not-exempt', expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)" }],
      validations: [{ expression: 'variables.replicas <= 5' }, { expression: "object.metadata.name.startsWith('app-')", messageExpression: "'name ' + object.metadata.name + ' must start with app-'", reason: 'Forbidden' }],
    },
  });
  await f.create(g, 'validatingadmissionpolicybindings', { metadata: { name: 'replicas-binding' }, spec: { policyName: 'replicas.example.com', validationActions: ['Deny'] } });
  await f.create(g, 'validatingadmissionpolicies', {
    metadata: { name: 'param.example.com' },
    spec: { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, matchConstraints: rules, validations: [{ expression: 'object.spec.replicas <= int(params.data.maxReplicas)', message: 'too many replicas for prod' }] },
  });
  await f.create(g, 'validatingadmissionpolicybindings', {
    metadata: { name: 'param-binding' },
    spec: { policyName: 'param.example.com', validationActions: ['Warn'], paramRef: { name: 'limits', namespace: 'default' }, matchResources: { namespaceSelector: { matchLabels: { env: 'prod' } } } },
  });
});
after(() => f.close());

const dep = (ns: string, name: string, replicas: number, labels?: Record<string, string>) => attrs('CREATE', { group: 'apps', resource: 'deployments', namespace: ns }, { metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, spec: { replicas } });

test('a failing validation denies with kube message and reason', async () => {
  const p = [validatingAdmissionPolicy(f.resources)];
  await admit(p, dep('default', 'app-ok', 2));
  await assert.rejects(admit(p, dep('default', 'app-big', 9)), (e: ApiError) => {
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, "ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas-binding' denied request: failed expression: variables.replicas <= 5");
    return true;
  });
  await assert.rejects(admit(p, dep('default', 'web', 1)), (e: ApiError) => e.code === 403 && e.message === "ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas-binding' denied request: name web must start with app-");
  await admit(p, dep('default', 'web', 9, { exempt: 'yes' }));
  await admit(p, attrs('CREATE', { resource: 'configmaps', namespace: 'default' }, { metadata: { name: 'x' } }));
});

test('params from the binding paramRef; Warn gives a warning; namespaceSelector narrows', async () => {
  const p = [validatingAdmissionPolicy(f.resources)];
  const a = await admit(p, dep('prod', 'app-p', 4));
  assert.deepEqual(a.ctx.warnings, ["Validation failed for ValidatingAdmissionPolicy 'param.example.com' with binding 'param-binding': too many replicas for prod"]);
  const b = await admit(p, dep('default', 'app-d', 4));
  assert.deepEqual(b.ctx.warnings, []);
});

test('policies and bindings are validated as kube does', async () => {
  await assert.rejects(
    f.create(g, 'validatingadmissionpolicybindings', { metadata: { name: 'bad' }, spec: { policyName: 'x', validationActions: ['Deny', 'Warn'] } }),
    /spec.validationActions: Invalid value: .*must not contain both Deny and Warn/,
  );
  await assert.rejects(
    f.create(g, 'validatingadmissionpolicies', { metadata: { name: 'bad' }, spec: { matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }, validations: [{ expression: 'object.spec.(' }] } }),
    /spec.validations\[0\].expression: Invalid value: "object.spec.\(": compilation failed/,
  );
});
