import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../api/field-errors.js';
import type { KObject, StrategyContext } from '../strategy.js';
import { crontabCrd } from './fixtures.js';
import { setCrdDefaults, validateCrd } from './crd-validation.js';
import { strategyForCustomResource } from './crd-strategy.js';

/** The CronTab CRD with rules on spec. */
function crdWithRules(rules: unknown[], extra: Record<string, unknown> = {}): any {
  const crd: any = crontabCrd();
  const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
  Object.assign(spec.properties, { minReplicas: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } }, extra);
  spec['x-kubernetes-validations'] = rules;
  setCrdDefaults(crd);
  return crd;
}

const crdErrors = (crd: any) => validateCrd(crd).map(fieldErrorString);
const P = 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations';

test('a CRD with compiling rules is valid', () => {
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'self.minReplicas <= self.replicas', message: 'min over max', reason: 'FieldValueForbidden', fieldPath: '.minReplicas' }, { rule: 'self.cronSpec == oldSelf.cronSpec' }])), []);
});

test('a rule that does not compile is refused with the rule as kube prints it', () => {
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'self.replicas <= self.maxReplicas' }])), [
    `${P}[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas <= self.maxReplicas", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:22: undefined field 'maxReplicas'\n | self.replicas <= self.maxReplicas\n | .....................^`,
  ]);
  const [syntax] = crdErrors(crdWithRules([{ rule: 'self.replicas <' }]));
  assert.match(syntax, /\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"self\.replicas <", .*\}: compilation failed: ERROR: <input>:1:16: Syntax error: /);
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'self.replicas + 1' }])), [
    `${P}[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas + 1", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: cel expression must evaluate to a bool`,
  ]);
  assert.match(crdErrors(crdWithRules([{ rule: 'self.cronSpec.foo == 1' }]))[0], /type 'string' does not support field selection/);
  assert.match(crdErrors(crdWithRules([{ rule: 'self.tags.all(t, t.size() < 5 && t.nope)' }]))[0], /type 'string' does not support field selection/);
});

test('message, messageExpression, reason, fieldPath and optionalOldSelf are checked', () => {
  assert.deepEqual(crdErrors(crdWithRules([{ rule: '' }])), [`${P}[0].rule: Required value: rule is not specified`]);
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'true', message: 'two\nlines' }])), [`${P}[0].message: Invalid value: "two\\nlines": message must not contain line breaks`]);
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'true', reason: 'Bogus' }])), [
    `${P}[0].reason: Unsupported value: "Bogus": supported values: "FieldValueRequired", "FieldValueDuplicate", "FieldValueInvalid", "FieldValueForbidden"`,
  ]);
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'true', fieldPath: '.nope' }])), [`${P}[0].fieldPath: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field`]);
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'true', messageExpression: 'self.replicas' }])), [
    `${P}[0].messageExpression: Invalid value: apiextensions.ValidationRule{Rule:"true", Message:"", MessageExpression:"self.replicas", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: messageExpression must evaluate to a string`,
  ]);
  assert.match(crdErrors(crdWithRules([{ rule: 'true', messageExpression: '"x" +' }]))[0], /\.messageExpression: Invalid value: .*: messageExpression compilation failed: ERROR: <input>:1:6: Syntax error/);
  assert.deepEqual(crdErrors(crdWithRules([{ rule: 'self.replicas > 0', optionalOldSelf: true }])), [`${P}[0].optionalOldSelf: Invalid value: true: may not be set if rule does not use oldSelf`]);
});

test('oldSelf is refused where no old value can be correlated (items of lists that are not list-type map)', () => {
  const crd = crdWithRules([], { tags: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } });
  assert.deepEqual(crdErrors(crd), [
    `${P.replace('x-kubernetes-validations', 'properties[tags].items.x-kubernetes-validations')}[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${P.replace('.x-kubernetes-validations', '')}.properties[tags].items`,
  ]);
});

test('with versions of different schemas, errors name the version', () => {
  const crd = crdWithRules([{ rule: 'self.nope' }]);
  const v2 = structuredClone(crd.spec.versions[0]);
  v2.name = 'v2';
  v2.storage = false;
  delete v2.schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'];
  crd.spec.versions.push(v2);
  assert.match(crdErrors(crd)[0], /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: /);
});

const ctx = (warnings: string[] = []) => ({ namespace: 'default', user: { name: 'admin', groups: [] }, dryRun: false, now: () => new Date(), warnings }) as StrategyContext & { warnings: string[] };
const cr = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c1', namespace: 'default' }, spec });

test('the custom resource strategy runs the rules on create, update and status updates', () => {
  const crd = crdWithRules([{ rule: 'self.minReplicas <= self.replicas' }, { rule: 'self.cronSpec == oldSelf.cronSpec', message: 'cronSpec is immutable' }]);
  crd.spec.versions[0].subresources = { status: {} };
  crd.spec.versions[0].schema.openAPIV3Schema.properties.status = { type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0' }] } } };
  const s = strategyForCustomResource(crd, 'v1');
  assert.deepEqual(s.validate!(cr({ cronSpec: 'a', replicas: 2, minReplicas: 1 }), ctx()), []);
  assert.deepEqual(s.validate!(cr({ cronSpec: 'a', replicas: 1, minReplicas: 2 }), ctx()).map(fieldErrorString), ['spec: Invalid value: "object": failed rule: self.minReplicas <= self.replicas']);
  const old = cr({ cronSpec: 'a', replicas: 2, minReplicas: 1 });
  assert.deepEqual(s.validateUpdate!(cr({ cronSpec: 'b', replicas: 2, minReplicas: 1 }), old, ctx()).map(fieldErrorString), ['spec: Invalid value: "object": cronSpec is immutable']);
  const withStatus = { ...old, status: { n: -1 } };
  assert.deepEqual(s.status!.validateUpdate!(withStatus, old, ctx()).map(fieldErrorString), ['status.n: Invalid value: "integer": failed rule: self >= 0']);
  // A type error blocks the rules, as kube's hasBlockingErr.
  assert.deepEqual(s.validate!(cr({ cronSpec: 'a', replicas: 'x', minReplicas: 2 }), ctx()).map(fieldErrorString), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
  // An unchanged invalid value is ratcheted into a warning.
  const bad = cr({ cronSpec: 'a', replicas: 1, minReplicas: 2 });
  const c = ctx();
  assert.deepEqual(s.validateUpdate!(cr({ cronSpec: 'a', replicas: 1, minReplicas: 2 }), bad, c), []);
  assert.deepEqual(c.warnings, ['spec: Invalid value: "object": failed rule: self.minReplicas <= self.replicas']);
});
