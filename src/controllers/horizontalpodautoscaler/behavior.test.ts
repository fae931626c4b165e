// The HPA's stabilization windows and scaling policies (kube's horizontal_test.go cases of
// normalizeDesiredReplicasWithBehaviors / calculateScale{Up,Down}LimitWithScalingRules).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScalingHistory, scaleDownLimit, scaleUpLimit, type Behavior } from './behavior.js';

const defaults: Behavior = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};
const base = { key: 'ns/hpa', minReplicas: 1, maxReplicas: 100, downscaleStabilizationMs: 300_000 };

describe('HPA behavior', () => {
  it('scale-up limit: the larger of the default policies (4 pods or 100%) per 15 s', () => {
    assert.equal(scaleUpLimit(1, [], 0, defaults.scaleUp!), 5);
    assert.equal(scaleUpLimit(10, [], 0, defaults.scaleUp!), 20);
    // 6 pods were added 10 s ago: the period started at 4 replicas -> max(8, 8)
    assert.equal(scaleUpLimit(10, [{ at: -10_000, change: 6 }], 0, defaults.scaleUp!), 8);
    // ... and are forgotten once outside the period
    assert.equal(scaleUpLimit(10, [{ at: -20_000, change: 6 }], 0, defaults.scaleUp!), 20);
    assert.equal(scaleUpLimit(10, [], 0, { ...defaults.scaleUp, selectPolicy: 'Min' }), 14);
    assert.equal(scaleUpLimit(10, [], 0, { ...defaults.scaleUp, selectPolicy: 'Disabled' }), 10);
  });
  it('scale-down limit: policies over their period', () => {
    assert.equal(scaleDownLimit(10, [], 0, { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }), 8);
    assert.equal(scaleDownLimit(8, [{ at: -30_000, change: -2 }], 0, { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }), 8);
    assert.equal(scaleDownLimit(10, [], 0, { policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }] }), 7);
  });
  it('scale-down is stabilized over its window (highest recent recommendation), then allowed', () => {
    const h = new ScalingHistory();
    const b: Behavior = { ...defaults, scaleDown: { ...defaults.scaleDown, stabilizationWindowSeconds: 60 } };
    let n = h.normalize({ ...base, now: 0, currentReplicas: 5, desiredReplicas: 5, behavior: b });
    assert.equal(n.replicas, 5);
    n = h.normalize({ ...base, now: 30_000, currentReplicas: 5, desiredReplicas: 2, behavior: b });
    assert.equal(n.replicas, 5);
    assert.deepEqual(n.ableToScale, { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    n = h.normalize({ ...base, now: 61_000, currentReplicas: 5, desiredReplicas: 2, behavior: b });
    assert.equal(n.replicas, 2);
    assert.equal(n.ableToScale.reason, 'ReadyForNewScale');
    assert.deepEqual(n.limited, { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
  });
  it('scale-up goes at once by default and is limited by the rate and maxReplicas', () => {
    const h = new ScalingHistory();
    let n = h.normalize({ ...base, now: 0, currentReplicas: 2, desiredReplicas: 30, behavior: defaults });
    assert.deepEqual([n.replicas, n.limited.status, n.limited.reason], [6, 'True', 'ScaleUpLimit']);
    h.record(base.key, 0, 4, defaults);
    n = h.normalize({ ...base, now: 5_000, currentReplicas: 6, desiredReplicas: 30, behavior: defaults });
    // the period started at 2 replicas: max(2 + 4, 2 * 2) = 6: no more until it passes
    assert.equal(n.replicas, 6);
    n = h.normalize({ ...base, now: 16_000, currentReplicas: 6, desiredReplicas: 8, maxReplicas: 7, behavior: defaults });
    assert.deepEqual([n.replicas, n.limited.reason, n.limited.message], [7, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
  });
  it('a scale-up window applies the lowest recent recommendation', () => {
    const h = new ScalingHistory();
    const b: Behavior = { ...defaults, scaleUp: { ...defaults.scaleUp, stabilizationWindowSeconds: 30 } };
    h.normalize({ ...base, now: 0, currentReplicas: 2, desiredReplicas: 3, behavior: b });
    const n = h.normalize({ ...base, now: 10_000, currentReplicas: 2, desiredReplicas: 6, behavior: b });
    assert.deepEqual([n.replicas, n.ableToScale.reason], [3, 'ScaleUpStabilized']);
  });
  it('without behavior: scale-down waits the stabilization window; scale-up limited to max(2 * current, 4)', () => {
    const h = new ScalingHistory();
    h.normalize({ ...base, now: 0, currentReplicas: 4, desiredReplicas: 4 });
    assert.equal(h.normalize({ ...base, now: 100_000, currentReplicas: 4, desiredReplicas: 1 }).replicas, 4);
    assert.equal(h.normalize({ ...base, now: 301_000, currentReplicas: 4, desiredReplicas: 1 }).replicas, 1);
    const n = h.normalize({ ...base, key: 'other', now: 0, currentReplicas: 3, desiredReplicas: 20 });
    assert.deepEqual([n.replicas, n.limited.reason], [6, 'ScaleUpLimit']);
    assert.equal(h.normalize({ ...base, key: 'min', minReplicas: 2, now: 0, currentReplicas: 2, desiredReplicas: 1, behavior: defaults }).limited.reason, 'TooFewReplicas');
  });
});
