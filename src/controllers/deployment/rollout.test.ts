import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxOldScaleDown, newRSReplicasRolling, podTemplateHash, resolveIntOrPercent, safeEncodeString, surgeAndUnavailable, templatesEqual } from './rollout.js';

const dep = (replicas: number, surge?: number | string, unavail?: number | string) => ({ spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavail } } } });
const rs = (replicas: number, available = 0) => ({ spec: { replicas }, status: { availableReplicas: available } });

test('int-or-percent rounding as Kubernetes: surge up, unavailable down', () => {
  assert.equal(resolveIntOrPercent('25%', 10, true, '25%'), 3);
  assert.equal(resolveIntOrPercent('25%', 10, false, '25%'), 2);
  assert.equal(resolveIntOrPercent(undefined, 4, true, '25%'), 1);
  assert.deepEqual(surgeAndUnavailable(dep(3)), { maxSurge: 1, maxUnavailable: 0 });
  assert.deepEqual(surgeAndUnavailable(dep(3, 0, 0)), { maxSurge: 0, maxUnavailable: 1 });
});

test('rolling update bounds: the new RS grows within maxSurge, old RSs shrink within maxUnavailable', () => {
  const d = dep(10, 2, 1);
  const old = rs(10, 10);
  const fresh = rs(0);
  assert.equal(newRSReplicasRolling(d, [old, fresh], fresh), 2);
  const growing = rs(2, 0);
  assert.equal(maxOldScaleDown(d, [old, growing], growing), 12 - 9 - 2);
  const ready = rs(2, 2);
  assert.equal(maxOldScaleDown(d, [old, ready], ready), 3);
});

test('templates compare equal ignoring the hash label and null members; the hash is stable', () => {
  const a = { metadata: { labels: { app: 'web' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const b = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ image: 'x', name: 'c' }] } };
  assert.ok(templatesEqual(a, b));
  assert.ok(!templatesEqual(a, { ...b, spec: { containers: [{ name: 'c', image: 'y' }] } }));
  assert.equal(podTemplateHash(a), podTemplateHash(structuredClone(a)));
  assert.notEqual(podTemplateHash(a), podTemplateHash(a, 1));
  // A decimal uint32, safe-encoded: digits 0-5 become 4-9, 6-9 become b, c, d, f.
  assert.match(podTemplateHash(a), /^[4-9bcdf]{1,10}$/);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});
