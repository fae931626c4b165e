// Table tests of the HPA replica calculation against cases of kube's replica_calculator_test.go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicaCalcError, resourceReplicas, type PodSample } from './replica-calculator.js';

const pod = (name: string, usageMilli: number | undefined, o: Partial<PodSample> = {}): PodSample => ({ name, ready: true, phase: 'Running', requestMilli: 1000, usageMilli, ...o });
const calc = (current: number, pods: PodSample[], target: number, resource = 'cpu') => resourceReplicas({ currentReplicas: current, pods, resource, targetUtilization: target, tolerance: 0.1 });

describe('HPA replica calculator', () => {
  it('scales up by ceil(current * utilization / target)', () => {
    const r = calc(3, [pod('a', 900), pod('b', 1000), pod('c', 1100)], 30);
    assert.equal(r.utilization, 100);
    assert.equal(r.replicas, 10);
    assert.equal(r.averageMilli, 1000);
  });
  it('scales down', () => {
    const r = calc(5, [pod('a', 100), pod('b', 300), pod('c', 500), pod('d', 250), pod('e', 250)], 50);
    assert.deepEqual([r.replicas, r.utilization], [3, 28]);
  });
  it('keeps the count within the 10% tolerance', () => {
    assert.equal(calc(3, [pod('a', 1050), pod('b', 1050), pod('c', 1050)], 100).replicas, 3);
    assert.equal(calc(3, [pod('a', 1150), pod('b', 1150), pod('c', 1150)], 100).replicas, 4);
  });
  it('unready cpu pods count as 0 when scaling up (and are not counted otherwise)', () => {
    const r = calc(3, [pod('a', 400, { ready: false }), pod('b', 500), pod('c', 700)], 30);
    // ready pods: 1200m of 2000m = 60% -> ratio 2; rebalanced with the unready pod at 0: 1200/3000 = 40% -> ceil(3 * 40/30) = 4
    assert.deepEqual([r.replicas, r.utilization], [4, 60]);
  });
  it('missing metrics: 0 usage when scaling up, 100% of the request when scaling down', () => {
    assert.equal(calc(4, [pod('a', 1000), pod('b', 1000), pod('c', 1000), pod('d', undefined)], 50).replicas, 6);
    // 100m each of 1000m = 10% vs 50% target; missing pod at its request: (300 + 1000) / 4000 = 32.5% -> ceil(4 * 0.65) = 3
    assert.equal(calc(4, [pod('a', 100), pod('b', 100), pod('c', 100), pod('d', undefined)], 50).replicas, 3);
  });
  it('a rebalanced ratio that crosses 1 keeps the current count', () => {
    // 60% vs 50% target over 2 pods; 2 missing pods at 0 -> 30%: would scale down, so nothing is done
    assert.equal(calc(4, [pod('a', 600), pod('b', 600), pod('c', undefined), pod('d', undefined)], 50).replicas, 4);
  });
  it('failed and deleted pods are ignored', () => {
    assert.equal(calc(3, [pod('a', 1000), pod('b', 5000, { phase: 'Failed' }), pod('c', 5000, { deleted: true })], 50).replicas, 2);
  });
  it('AverageValue targets compare the average usage per pod', () => {
    const r = resourceReplicas({ currentReplicas: 2, pods: [pod('a', 300_000_000_000, { requestMilli: undefined }), pod('b', 500_000_000_000, { requestMilli: undefined })], resource: 'memory', targetAverageMilli: 200_000_000_000, tolerance: 0.1 });
    assert.deepEqual([r.replicas, r.utilization], [4, undefined]);
  });
  it('errors as kube words them', () => {
    assert.throws(() => calc(1, [], 50), (e: Error) => e instanceof ReplicaCalcError && /no pods returned by selector/.test(e.message));
    assert.throws(() => calc(1, [pod('a', undefined)], 50), /did not receive metrics for targeted pods/);
  });
});
