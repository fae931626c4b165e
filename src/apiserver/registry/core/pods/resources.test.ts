import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isExtendedResourceName, validateResourceRequirements } from './resources.js';
import { fieldErrorBody } from '../../../../api/field-errors.js';

const errs = (res: unknown) => validateResourceRequirements(res, 'spec.containers[0].resources').map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const R = 'spec.containers[0].resources';

test('valid requirements: standard, hugepages with memory, extended resources whole and equal', () => {
  assert.deepEqual(errs({ requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1G' }, limits: { cpu: '1', memory: '1Gi' } }), []);
  assert.deepEqual(errs({ limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' }, requests: { 'hugepages-2Mi': '4Mi', memory: '1Gi' } }), []);
  assert.deepEqual(errs({ limits: { 'example.com/gpu': '2' } }), []);
  assert.deepEqual(errs({ limits: { 'example.com/gpu': '2' }, requests: { 'example.com/gpu': '2000m' } }), []);
  // kubernetes.io-prefixed names are native: overcommit allowed, fractions allowed.
  assert.deepEqual(errs({ requests: { 'kubernetes.io/foo': '500m' } }), []);
});

test('requests against limits: the error names the requests map; resources that cannot be overcommitted need an equal limit', () => {
  assert.deepEqual(errs({ requests: { cpu: '2' }, limits: { cpu: '1' } }), [`${R}.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`]);
  assert.deepEqual(errs({ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } }), [`${R}.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2`]);
  assert.deepEqual(errs({ requests: { 'example.com/gpu': '1' } }), [`${R}.limits: Required value: Limit must be set for non overcommitable resources`]);
  assert.deepEqual(errs({ requests: { 'hugepages-2Mi': '2Mi', cpu: '1' } }), [`${R}.limits: Required value: Limit must be set for non overcommitable resources`]);
});

test('values: negative, fractions of extended resources, hugepages multiples, hugepages alone', () => {
  assert.deepEqual(errs({ requests: { cpu: '-1' } }), [`${R}.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0`]);
  assert.deepEqual(errs({ limits: { 'example.com/gpu': '500m' }, requests: { 'example.com/gpu': '500m' } }), [
    `${R}.limits[example.com/gpu]: Invalid value: "500m": must be an integer`,
    `${R}.requests[example.com/gpu]: Invalid value: "500m": must be an integer`,
  ]);
  assert.deepEqual(errs({ limits: { 'hugepages-2Mi': '3Mi', memory: '1Gi' } }), [`${R}.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`]);
  assert.deepEqual(errs({ limits: { 'hugepages-2Mi': '2Mi' } }), [`${R}: Forbidden: HugePages require cpu or memory`]);
  assert.deepEqual(errs({ limits: { cpu: 'lots' } }), [`${R}.limits[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]);
});

test('names: a bare name must be a container resource; a prefixed one an extended resource name', () => {
  assert.deepEqual(errs({ requests: { maxmemory: '1' } }), [
    `${R}.requests[maxmemory]: Invalid value: "maxmemory": must be a standard resource type or fully qualified`,
    `${R}.requests[maxmemory]: Invalid value: "maxmemory": must be a standard resource for containers`,
  ]);
  assert.deepEqual(errs({ requests: { pods: '1' } }), [`${R}.requests[pods]: Invalid value: "pods": must be a standard resource for containers`]);
  assert.ok(isExtendedResourceName('example.com/gpu'));
  assert.ok(!isExtendedResourceName('kubernetes.io/gpu'));
  assert.ok(!isExtendedResourceName('cpu'));
  assert.ok(!isExtendedResourceName('requests.example.com/gpu'));
});
