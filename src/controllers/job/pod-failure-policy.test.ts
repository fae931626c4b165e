import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

const job = (rules: unknown[]) => ({ metadata: { name: 'keelson-job', namespace: 'ns1' }, spec: { podFailurePolicy: { rules } } });
const terminated = (name: string, exitCode: number) => ({ name, state: { terminated: { exitCode } } });
const pod = (status: Record<string, unknown>) => ({ metadata: { name: 'keelson-job-abc', namespace: 'ns1' }, status: { phase: 'Failed', ...status } });

test('exit-code rules: In / NotIn, container name, init containers, exit code 0 never matches', () => {
  const j = job([
    { action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'NotIn', values: [0, 1] } },
    { action: 'Count', onExitCodes: { operator: 'In', values: [1, 7] } },
  ]);
  assert.equal(matchPodFailurePolicy(j, pod({ containerStatuses: [terminated('main', 42)] }))?.action, 'Ignore');
  assert.deepEqual(matchPodFailurePolicy(j, pod({ containerStatuses: [terminated('side', 0), terminated('main', 3)] })), {
    action: 'FailJob',
    message: 'Container main for pod ns1/keelson-job-abc failed with exit code 3 matching FailJob rule at index 1',
  });
  // NotIn on another container's name does not apply to "side"; exit 7 falls to the Count rule.
  assert.equal(matchPodFailurePolicy(j, pod({ containerStatuses: [terminated('side', 7), terminated('main', 1)] }))?.action, 'Count');
  assert.equal(matchPodFailurePolicy(j, pod({ initContainerStatuses: [terminated('init', 42)], containerStatuses: [{ name: 'main', state: { waiting: {} } }] }))?.action, 'Ignore');
  assert.equal(matchPodFailurePolicy(j, pod({ containerStatuses: [terminated('main', 0)] })), undefined);
  assert.equal(matchPodFailurePolicy(j, pod({ containerStatuses: [{ name: 'main', state: { running: {} } }] })), undefined);
});

test('pod-condition rules match type and status (status defaults to True)', () => {
  const j = job([
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'False' }] },
  ]);
  const disrupted = pod({ conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }], containerStatuses: [terminated('main', 137)] });
  assert.equal(matchPodFailurePolicy(j, disrupted)?.action, 'Ignore');
  assert.deepEqual(matchPodFailurePolicy(j, pod({ conditions: [{ type: 'ConfigIssue', status: 'False' }] })), {
    action: 'FailJob',
    message: 'Pod ns1/keelson-job-abc has condition ConfigIssue matching FailJob rule at index 1',
  });
  assert.equal(matchPodFailurePolicy(j, pod({ conditions: [{ type: 'DisruptionTarget', status: 'False' }] })), undefined);
  assert.equal(matchPodFailurePolicy({ spec: {} }, disrupted), undefined);
});
