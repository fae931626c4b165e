import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computePodStatus, podPhase, qosClass, type ContainerRecord, type Pod, type PodView } from './pod-status.js';
import type { ContainerStatus } from './runtime/types.js';

const st = (name: string, state: ContainerStatus['state'], exitCode = 0, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  id: `id-${name}`,
  sandboxId: 'sb',
  name,
  attempt: 0,
  image: 'img',
  state,
  createdAt: 1000,
  startedAt: state === 'created' ? 0 : 2000,
  finishedAt: state === 'exited' ? 3000 : 0,
  exitCode,
  reason: state === 'exited' ? (exitCode === 0 ? 'Completed' : 'Error') : '',
  message: '',
  logPath: '/x',
  ...extra,
});
const rec = (name: string, status?: ContainerStatus, extra: Partial<ContainerRecord> = {}): ContainerRecord => ({ name, init: false, id: status?.id, status, restartCount: 0, started: true, ready: true, ...extra });
const pod = (restartPolicy: string, containers = ['c'], initContainers: string[] = []): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { restartPolicy, containers: containers.map((name) => ({ name, image: 'img' })), initContainers: initContainers.map((name) => ({ name, image: 'img' })) },
  status: { conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});
const view = (records: ContainerRecord[]): PodView => ({ sandboxReady: true, podIP: '10.0.0.5', hostIP: '192.168.1.2', startTime: '2026-01-01T00:00:01Z', records, runtimeName: 'rt' });
const cond = (s: Record<string, any>, type: string) => s.conditions.find((c: any) => c.type === type);

describe('podPhase (kubelet getPhase)', () => {
  it('is Pending while a container waits, Running once one runs', () => {
    assert.equal(podPhase(pod('Always'), view([rec('c')])), 'Pending');
    assert.equal(podPhase(pod('Always'), view([rec('c', st('c', 'running'))])), 'Running');
  });
  it('Never: Succeeded when all exited 0, Failed when one failed', () => {
    assert.equal(podPhase(pod('Never', ['a', 'b']), view([rec('a', st('a', 'exited', 0)), rec('b', st('b', 'exited', 0))])), 'Succeeded');
    assert.equal(podPhase(pod('Never', ['a', 'b']), view([rec('a', st('a', 'exited', 0)), rec('b', st('b', 'exited', 2))])), 'Failed');
  });
  it('a pod stopped for its deletion ends Succeeded or Failed whatever its restart policy (podIsTerminal)', () => {
    const stopped = (code: number) => ({ ...view([rec('a', st('a', 'exited', 0)), rec('b', st('b', 'exited', code))]), terminal: true });
    assert.equal(podPhase(pod('Always', ['a', 'b']), stopped(0)), 'Succeeded');
    assert.equal(podPhase(pod('Always', ['a', 'b']), stopped(143)), 'Failed');
    assert.equal(podPhase(pod('OnFailure', ['a', 'b']), stopped(137)), 'Failed');
    // a container that never started keeps the pod Pending, as kube's getPhase
    assert.equal(podPhase(pod('Always', ['a', 'b']), { ...view([rec('a', st('a', 'exited', 0)), rec('b')]), terminal: true }), 'Pending');
    const s = computePodStatus(pod('Always', ['a', 'b']), { ...stopped(143), sandboxReady: false });
    assert.equal(cond(s, 'Ready').status, 'False');
    assert.equal(cond(s, 'Ready').reason, 'PodFailed');
    assert.deepEqual(s.containerStatuses.map((c: any) => [c.name, c.state.terminated?.exitCode, c.state.terminated?.reason]), [['a', 0, 'Completed'], ['b', 143, 'Error']]);
  });
  it('Always: stays Running when all containers stopped (they restart)', () => {
    assert.equal(podPhase(pod('Always'), view([rec('c', st('c', 'exited', 1), { waiting: { reason: 'CrashLoopBackOff' } })])), 'Running');
  });
  it('OnFailure: Running while failures restart, Succeeded when all exited 0', () => {
    assert.equal(podPhase(pod('OnFailure'), view([rec('c', st('c', 'exited', 1))])), 'Running');
    assert.equal(podPhase(pod('OnFailure'), view([rec('c', st('c', 'exited', 0))])), 'Succeeded');
  });
  it('is Pending until init containers completed; Failed when one fails with Never', () => {
    const p = pod('Never', ['c'], ['init']);
    assert.equal(podPhase(p, view([rec('init', st('init', 'running'), { init: true }), rec('c')])), 'Pending');
    assert.equal(podPhase(p, view([rec('init', st('init', 'exited', 1), { init: true }), rec('c')])), 'Failed');
  });
});

describe('computePodStatus', () => {
  it('reports a running ready pod with Kubernetes conditions, IPs and container state', () => {
    const s = computePodStatus(pod('Always'), view([rec('c', st('c', 'running'))]), '2026-01-01T00:00:05Z');
    assert.equal(s.phase, 'Running');
    assert.deepEqual(
      s.conditions.map((c: any) => [c.type, c.status]),
      [
        ['PodReadyToStartContainers', 'True'],
        ['Initialized', 'True'],
        ['ContainersReady', 'True'],
        ['Ready', 'True'],
        ['PodScheduled', 'True'],
      ],
    );
    assert.equal(cond(s, 'PodScheduled').lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.deepEqual([s.podIP, s.podIPs, s.hostIP, s.hostIPs], ['10.0.0.5', [{ ip: '10.0.0.5' }], '192.168.1.2', [{ ip: '192.168.1.2' }]]);
    const c = s.containerStatuses[0];
    assert.deepEqual([c.ready, c.started, c.containerID, c.state.running.startedAt], [true, true, 'rt://id-c', '1970-01-01T00:00:02Z']);
  });
  it('shows ContainerCreating and ContainersNotReady before the container runs', () => {
    const s = computePodStatus(pod('Always', ['a', 'b']), view([rec('a'), rec('b', st('b', 'running'))]));
    assert.deepEqual(s.containerStatuses[0].state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual([cond(s, 'Ready').status, cond(s, 'Ready').reason, cond(s, 'Ready').message], ['False', 'ContainersNotReady', 'containers with unready status: [a]']);
  });
  it('shows PodInitializing and ContainersNotInitialized while init containers run', () => {
    const s = computePodStatus(pod('Always', ['c'], ['i1', 'i2']), view([rec('i1', st('i1', 'exited', 0), { init: true }), rec('i2', st('i2', 'running'), { init: true }), rec('c')]));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses[0].state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual([cond(s, 'Initialized').status, cond(s, 'Initialized').message], ['False', 'containers with incomplete status: [i2]']);
    assert.equal(s.initContainerStatuses[0].ready, true);
    assert.equal(s.initContainerStatuses[0].state.terminated.reason, 'Completed');
  });
  it('reports CrashLoopBackOff with lastState and restartCount', () => {
    const s = computePodStatus(pod('Always'), view([rec('c', st('c', 'exited', 1), { restartCount: 3, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s ...' } })]));
    const c = s.containerStatuses[0];
    assert.deepEqual(c.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s ...' } });
    assert.deepEqual([c.lastState.terminated.exitCode, c.lastState.terminated.reason, c.restartCount, c.ready], [1, 'Error', 3, false]);
  });
  it('gives terminal pods PodCompleted / PodFailed reasons', () => {
    const ok = computePodStatus(pod('Never'), { ...view([rec('c', st('c', 'exited', 0))]), sandboxReady: false });
    assert.deepEqual([cond(ok, 'Ready').reason, cond(ok, 'ContainersReady').reason, cond(ok, 'Initialized').reason, cond(ok, 'PodReadyToStartContainers').status], ['PodCompleted', 'PodCompleted', 'PodCompleted', 'False']);
    const bad = computePodStatus(pod('Never'), view([rec('c', st('c', 'exited', 1))]));
    assert.deepEqual([bad.phase, cond(bad, 'Ready').reason], ['Failed', 'PodFailed']);
  });
  it('keeps lastTransitionTime while a condition holds and moves it when it flips', () => {
    const p = pod('Always');
    const s1 = computePodStatus(p, view([rec('c', st('c', 'running'))]), '2026-01-01T00:00:05Z');
    const s2 = computePodStatus({ ...p, status: s1 }, view([rec('c', st('c', 'running'))]), '2026-01-01T00:00:09Z');
    assert.equal(cond(s2, 'Ready').lastTransitionTime, '2026-01-01T00:00:05Z');
    const s3 = computePodStatus({ ...p, status: s2 }, view([rec('c', st('c', 'running'), { ready: false })]), '2026-01-01T00:00:12Z');
    assert.deepEqual([cond(s3, 'Ready').status, cond(s3, 'Ready').lastTransitionTime], ['False', '2026-01-01T00:00:12Z']);
  });
});

describe('qosClass', () => {
  const withRes = (resources: Record<string, any>) => ({ spec: { containers: [{ name: 'c', resources }] } });
  it('classifies BestEffort, Burstable and Guaranteed', () => {
    assert.equal(qosClass(withRes({})), 'BestEffort');
    assert.equal(qosClass(withRes({ requests: { cpu: '100m' } })), 'Burstable');
    assert.equal(qosClass(withRes({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
    assert.equal(qosClass(withRes({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } })), 'Burstable');
  });
});

describe('ephemeral containers (kubectl debug)', () => {
  const withDebug = (): Pod => ({ ...pod('Never'), spec: { ...pod('Never').spec, ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] } });

  it('are reported in ephemeralContainerStatuses, never ready, and take no part in the phase or readiness', () => {
    const records = [rec('c', st('c', 'running')), rec('debugger', st('debugger', 'exited', 3), { ephemeral: true })];
    const s = computePodStatus(withDebug(), view(records));
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.containerStatuses.map((c: any) => c.name), ['c']);
    assert.equal(s.ephemeralContainerStatuses.length, 1);
    const e = s.ephemeralContainerStatuses[0];
    assert.equal(e.name, 'debugger');
    assert.equal(e.ready, false);
    assert.equal(e.image, 'busybox');
    assert.deepEqual([e.state.terminated.exitCode, e.state.terminated.reason], [3, 'Error']);
    assert.equal(cond(s, 'Ready').status, 'True');
  });

  it('a running one does not keep a finished pod from Succeeding', () => {
    const records = [rec('c', st('c', 'exited', 0)), rec('debugger', st('debugger', 'running'), { ephemeral: true })];
    assert.equal(podPhase(withDebug(), view(records)), 'Succeeded');
  });

  it('a waiting one shows ContainerCreating', () => {
    const s = computePodStatus(withDebug(), view([rec('c', st('c', 'running')), rec('debugger', undefined, { ephemeral: true })]));
    assert.equal(s.ephemeralContainerStatuses[0].state.waiting.reason, 'ContainerCreating');
  });
});
