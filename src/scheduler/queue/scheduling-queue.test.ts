// The scheduling queue's handling of updates to a pod waiting in unschedulable: only a change
// beyond status and bookkeeping metadata sends it back to be tried (kube's isPodUpdated).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue, isPodUpdated } from './scheduling-queue.js';

const pod = (rv: string, extra: any = {}) => ({ metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: rv, labels: { app: 'x' }, ...extra.metadata }, spec: { containers: [{ name: 'c', image: 'i' }], ...extra.spec }, status: { phase: 'Pending', ...extra.status } });

describe('SchedulingQueue updates', () => {
  it('isPodUpdated ignores status, resourceVersion, generation, managedFields and finalizers', () => {
    assert.equal(isPodUpdated(pod('1'), pod('2', { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } })), false);
    assert.equal(isPodUpdated(pod('1'), pod('2', { metadata: { managedFields: [{ manager: 'x' }], finalizers: ['f'], generation: 3 } })), false);
    assert.equal(isPodUpdated(pod('1'), pod('2', { metadata: { labels: { app: 'y' } } })), true);
    assert.equal(isPodUpdated(pod('1'), pod('2', { spec: { tolerations: [{ operator: 'Exists' }] } })), true);
  });

  it('a status-only update leaves an unschedulable pod waiting (with the new object); a spec change moves it', async () => {
    let now = 0;
    const q = new SchedulingQueue({ less: () => false, now: () => now, initialBackoffMs: 1000 });
    try {
      q.add(pod('1'));
      const qpi = await q.pop();
      assert.ok(qpi);
      q.addUnschedulable(qpi, q.schedulingCycle);
      assert.deepEqual(q.depths(), { active: 0, backoff: 0, unschedulable: 1 });
      const statusOnly = pod('2', { status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } });
      q.update(pod('1'), statusOnly);
      assert.deepEqual(q.depths(), { active: 0, backoff: 0, unschedulable: 1 });
      assert.equal(qpi.pod, statusOnly);
      now = 5000; // past its backoff: a real change goes straight to active
      q.update(statusOnly, pod('3', { spec: { tolerations: [{ operator: 'Exists' }] } }));
      assert.deepEqual(q.depths(), { active: 1, backoff: 0, unschedulable: 0 });
    } finally {
      q.close();
    }
  });
});
