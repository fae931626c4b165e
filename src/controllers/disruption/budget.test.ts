import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeBudget, DELETION_TIMEOUT_MS, scaledValue } from './budget.js';
import type { K } from '../pod-util.js';

const now = Date.parse('2026-01-01T00:10:00Z');

function pod(name: string, o: { ready?: boolean; labels?: Record<string, string>; owner?: string; deleting?: boolean } = {}): K {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: o.labels ?? { app: 'web' },
      ...(o.owner ? { ownerReferences: [{ kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:09:00Z' } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const pdb = (spec: K, status: K = {}): K => ({ metadata: { name: 'b', namespace: 'default', generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status });
const scales = (m: Record<string, number>) => (ref: K) => m[ref.name];

describe('disruption budget', () => {
  it('minAvailable as an integer counts the selected pods', () => {
    const r = computeBudget({ pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b'), pod('c', { ready: false }), pod('x', { labels: { app: 'other' } })], scaleOf: scales({}), now });
    assert.equal(r.status.expectedPods, 3);
    assert.equal(r.status.desiredHealthy, 1);
    assert.equal(r.status.currentHealthy, 2);
    assert.equal(r.status.disruptionsAllowed, 1);
    assert.equal(r.status.observedGeneration, 2);
    const cond = r.status.conditions.find((c: K) => c.type === 'DisruptionAllowed');
    assert.deepEqual([cond.status, cond.reason], ['True', 'SufficientPods']);
  });

  it('no disruption when healthy pods are at the minimum', () => {
    const r = computeBudget({ pdb: pdb({ minAvailable: 2 }), pods: [pod('a'), pod('b')], scaleOf: scales({}), now });
    assert.equal(r.status.disruptionsAllowed, 0);
    const cond = r.status.conditions.find((c: K) => c.type === 'DisruptionAllowed');
    assert.deepEqual([cond.status, cond.reason], ['False', 'InsufficientPods']);
  });

  it('maxUnavailable and percentages use the controllers\' scale, rounding up', () => {
    const pods = [pod('a', { owner: 'rs' }), pod('b', { owner: 'rs' }), pod('c', { owner: 'rs', ready: false })];
    const max = computeBudget({ pdb: pdb({ maxUnavailable: '50%' }), pods, scaleOf: scales({ rs: 4 }), now });
    assert.deepEqual([max.status.expectedPods, max.status.desiredHealthy, max.status.currentHealthy, max.status.disruptionsAllowed], [4, 2, 2, 0]);
    const min = computeBudget({ pdb: pdb({ minAvailable: '30%' }), pods, scaleOf: scales({ rs: 4 }), now });
    assert.deepEqual([min.status.expectedPods, min.status.desiredHealthy, min.status.disruptionsAllowed], [4, 2, 0]);
    assert.equal(scaledValue('25%', 3), 1);
  });

  it('a pod whose controller is unknown makes the budget SyncFailed with no disruptions', () => {
    const r = computeBudget({ pdb: pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 3 }), pods: [pod('a', { owner: 'gone' })], scaleOf: scales({}), now });
    assert.match(r.error ?? '', /found no controllers for pod "a"/);
    assert.equal(r.status.disruptionsAllowed, 0);
    assert.equal(r.status.conditions[0].reason, 'SyncFailed');
  });

  it('pods without a controller are reported and left out of the expected count', () => {
    const r = computeBudget({ pdb: pdb({ maxUnavailable: 1 }), pods: [pod('a', { owner: 'rs' }), pod('lone')], scaleOf: scales({ rs: 1 }), now });
    assert.deepEqual(r.unmanaged, ['lone']);
    assert.equal(r.status.expectedPods, 1);
  });

  it('recently disrupted and deleting pods are not healthy; stale entries are dropped', () => {
    const recent = new Date(now - 10_000).toISOString();
    const stale = new Date(now - DELETION_TIMEOUT_MS - 1).toISOString();
    const r = computeBudget({
      pdb: pdb({ minAvailable: 1 }, { disruptedPods: { a: recent, b: stale, gone: recent } }),
      pods: [pod('a'), pod('b'), pod('c', { deleting: true }), pod('d')],
      scaleOf: scales({}),
      now,
    });
    assert.deepEqual(r.status.disruptedPods, { a: recent });
    assert.equal(r.status.currentHealthy, 2);
    assert.equal(r.status.disruptionsAllowed, 1);
    assert.equal(r.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  });

  it('a missing selector selects nothing, an empty one everything', () => {
    const none = computeBudget({ pdb: { ...pdb({ minAvailable: 0 }), spec: { minAvailable: 0 } }, pods: [pod('a')], scaleOf: scales({}), now });
    assert.equal(none.status.expectedPods, 0);
    const all = computeBudget({ pdb: pdb({ minAvailable: 0, selector: {} }), pods: [pod('a'), pod('b', { labels: {} })], scaleOf: scales({}), now });
    assert.deepEqual([all.status.expectedPods, all.status.disruptionsAllowed], [2, 2]);
  });
});
