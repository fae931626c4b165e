// CRD validation rules (x-kubernetes-validations) through the real kubectl against a fresh
// `keelson apiserver`: the CRD's rules compile, a valid custom resource is applied, invalid ones
// are refused with kube's messages as kubectl prints them, a transition rule (`self ==
// oldSelf`) refuses an update, and a CRD whose rule does not compile is refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { kubectlExpect } from '../helpers/kubectl.js';

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: scalers.keelson.example.com}
spec:
  group: keelson.example.com
  scope: Namespaced
  names: {plural: scalers, singular: scaler, kind: Scaler}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: self.minReplicas <= self.replicas
            - rule: "!has(self.memory) || quantity(self.memory).isLessThan(quantity('1Gi'))"
              messageExpression: "'memory ' + self.memory + ' is over 1Gi'"
              fieldPath: .memory
            properties:
              replicas: {type: integer}
              minReplicas: {type: integer}
              memory: {type: string}
              storageClass:
                type: string
                x-kubernetes-validations: [{rule: self == oldSelf, message: storageClass is immutable}]
              endpoints:
                type: array
                items: {type: string}
                x-kubernetes-validations: [{rule: "self.all(e, isURL(e) && url(e).getScheme() == 'https')", message: endpoints must be https URLs, reason: FieldValueForbidden}]
          status:
            type: object
            properties:
              ready: {type: integer, x-kubernetes-validations: [{rule: self >= 0}]}
`;

const scaler = (name: string, spec: string) => `apiVersion: keelson.example.com/v1\nkind: Scaler\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('CRD validation rules through kubectl (keelson apiserver)', () => {
  let api: TestApiServer;
  let k: TestApiServer['kubectl'];
  const { ok, fails } = kubectlExpect(() => k);

  before(async () => {
    api = await startTestApiServer();
    k = api.kubectl;
    assert.match(await ok(['apply', '-f', '-'], crd), /scalers.keelson.example.com created/);
    assert.match(await ok(['wait', '--for=condition=Established', 'crd/scalers.keelson.example.com', '--timeout=10s']), /condition met/);
  });
  after(async () => {
    await api?.stop();
  });

  it('applies a custom resource that satisfies the rules', async () => {
    assert.match(await ok(['apply', '-f', '-'], scaler('good', '{replicas: 3, minReplicas: 1, memory: 512Mi, storageClass: fast, endpoints: ["https://a.example.com/x"]}')), /scaler.keelson.example.com\/good created/);
    assert.equal(await ok(['get', 'scaler', 'good', '-o', 'jsonpath={.spec.replicas}']), '3');
  });

  it('refuses custom resources that break a rule, with kube\'s messages', async () => {
    const out = await fails(['apply', '-f', '-'], scaler('bad', '{replicas: 1, minReplicas: 3}'));
    assert.match(out, /The Scaler "bad" is invalid: spec: Invalid value: "object": failed rule: self.minReplicas <= self.replicas/);
    const mem = await fails(['apply', '-f', '-'], scaler('big', '{replicas: 1, minReplicas: 1, memory: 2Gi}'));
    assert.match(mem, /The Scaler "big" is invalid: spec.memory: Invalid value: "object": memory 2Gi is over 1Gi/);
    const urls = await fails(['apply', '-f', '-'], scaler('plain', '{replicas: 1, minReplicas: 1, endpoints: ["http://a.example.com"]}'));
    assert.match(urls, /The Scaler "plain" is invalid: spec.endpoints: Forbidden: endpoints must be https URLs/);
    // Two failed rules are both reported.
    const both = await fails(['apply', '-f', '-'], scaler('both', '{replicas: 1, minReplicas: 2, memory: 4Gi}'));
    assert.match(both, /The Scaler "both" is invalid: \n\* spec: Invalid value: "object": failed rule: self.minReplicas <= self.replicas\n\* spec.memory: Invalid value: "object": memory 4Gi is over 1Gi\n/);
    assert.match(await fails(['get', 'scaler', 'bad']), /NotFound/);
  });

  it('a transition rule refuses an update that changes an immutable field', async () => {
    const out = await fails(['apply', '-f', '-'], scaler('good', '{replicas: 3, minReplicas: 1, memory: 512Mi, storageClass: slow}'));
    assert.match(out, /The Scaler "good" is invalid: spec.storageClass: Invalid value: "string": storageClass is immutable/);
    assert.match(await ok(['patch', 'scaler', 'good', '--type=merge', '-p', '{"spec":{"replicas":5}}']), /scaler.keelson.example.com\/good patched/);
    assert.equal(await ok(['get', 'scaler', 'good', '-o', 'jsonpath={.spec.storageClass} {.spec.replicas}']), 'fast 5');
  });

  it('rules under status run on the status subresource', async () => {
    const out = await fails(['patch', 'scaler', 'good', '--subresource=status', '--type=merge', '-p', '{"status":{"ready":-1}}']);
    assert.match(out, /The Scaler "good" is invalid: status.ready: Invalid value: "integer": failed rule: self >= 0/);
    assert.match(await ok(['patch', 'scaler', 'good', '--subresource=status', '--type=merge', '-p', '{"status":{"ready":2}}']), /patched/);
  });

  it('refuses a CRD whose rule does not compile', async () => {
    const broken = crd.replace('scalers.keelson.example.com', 'brokens.keelson.example.com').replace('{plural: scalers, singular: scaler, kind: Scaler}', '{plural: brokens, singular: broken, kind: Broken}').replace('self.minReplicas <= self.replicas', 'self.minReplicas <= self.maxReplicas');
    const out = await fails(['apply', '-f', '-'], broken);
    assert.match(out, /The CustomResourceDefinition "brokens.keelson.example.com" is invalid: spec.validation.openAPIV3Schema.properties\[spec\].x-kubernetes-validations\[0\].rule: Invalid value: apiextensions.ValidationRule\{Rule:"self.minReplicas <= self.maxReplicas", Message:"", MessageExpression:"", Reason:\(\*apiextensions.FieldValueErrorReason\)\(nil\), FieldPath:"", OptionalOldSelf:\(\*bool\)\(nil\)\}: compilation failed: ERROR: <input>:1:25: undefined field 'maxReplicas'\n \| self.minReplicas <= self.maxReplicas\n \| \.{24}\^/);
    assert.match(await fails(['get', 'crd', 'brokens.keelson.example.com']), /NotFound/);
  });
});
