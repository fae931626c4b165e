import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyExists, conflict, invalid, notFound, tooManyRequests } from './status.js';
import { required, invalid as fieldInvalid } from '../api/field-errors.js';

test('Status errors carry Kubernetes messages and details', () => {
  assert.deepEqual(notFound({ group: '', resource: 'pods' }, 'x').toStatus(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', group: undefined, kind: 'pods' }, code: 404,
  });
  assert.equal(alreadyExists({ group: 'apps', resource: 'deployments' }, 'd').message, 'deployments.apps "d" already exists');
  assert.equal(conflict({ group: '', resource: 'configmaps' }, 'c').message, 'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again');
  const one = invalid('', 'Pod', 'p', [required('spec.containers[0].image')]);
  assert.equal(one.message, 'Pod "p" is invalid: spec.containers[0].image: Required value');
  assert.deepEqual(one.details!.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
  const two = invalid('apps', 'Deployment', 'd', [required('spec.selector'), fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0')]);
  assert.equal(two.message, 'Deployment.apps "d" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]');
  assert.equal(two.code, 422);
  const t = tooManyRequests(1);
  assert.equal(t.headers!['Retry-After'], '1');
  assert.equal(t.toStatus().details!.retryAfterSeconds, 1);
});
