import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { capacity, newNodeObject, nodeConditions, parseLabels, parseTaints } from './node-status.js';
import { checkRuntime, notReadyMessage, runtimeErrors } from './runtime-readiness.js';
import type { ContainerRuntime } from './runtime/types.js';
import { goDuration } from './pod-worker.js';
import { expand } from './env.js';

const cfg = { name: 'n1', maxPods: 110, rootDir: tmpdir(), internalIP: '10.0.0.1', runtimeName: 'rt', runtimeVersion: '1' };

describe('node status', () => {
  it('builds the Node with labels, taints, addresses, nodeInfo and the four conditions', () => {
    const n = newNodeObject({ ...cfg, labels: { a: 'b' }, taints: [{ key: 'k', effect: 'NoSchedule' }] }, '2026-01-01T00:00:00Z');
    assert.equal(n.metadata!.labels['kubernetes.io/hostname'], 'n1');
    assert.equal(n.metadata!.labels.a, 'b');
    assert.ok(n.metadata!.labels['beta.kubernetes.io/arch']);
    assert.deepEqual(n.spec.taints, [{ key: 'k', effect: 'NoSchedule' }]);
    assert.deepEqual(n.status.addresses, [
      { type: 'InternalIP', address: '10.0.0.1' },
      { type: 'Hostname', address: 'n1' },
    ]);
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.0-keelson');
    assert.equal(n.status.nodeInfo.containerRuntimeVersion, 'rt://1');
    assert.deepEqual(n.status.conditions.map((c: any) => c.type), ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
  });
  it('nodeInfo carries the host\'s machine and boot ids (none for simulated nodes)', () => {
    const n = newNodeObject(cfg, '2026-01-01T00:00:00Z');
    assert.equal(n.status.nodeInfo.bootID, readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    let machineId = '';
    try {
      machineId = readFileSync('/etc/machine-id', 'utf8').trim();
    } catch {
      /* a host without one */
    }
    if (machineId) assert.equal(n.status.nodeInfo.machineID, machineId);
    const sim = newNodeObject({ ...cfg, simulated: true }, '2026-01-01T00:00:00Z');
    assert.deepEqual([sim.status.nodeInfo.machineID, sim.status.nodeInfo.bootID], ['', '']);
  });
  it('reads capacity from the host, fixed values for simulated nodes', () => {
    const host = capacity(cfg);
    assert.ok(Number(host.cpu) >= 1);
    assert.match(host.memory, /^\d+Ki$/);
    assert.ok(Number(host['ephemeral-storage'].replace('Ki', '')) > 0);
    assert.deepEqual(capacity({ ...cfg, simulated: true, maxPods: 50 }).pods, '50');
    assert.equal(capacity({ ...cfg, simulated: true }).cpu, '32');
  });
  it('keeps transition times and moves heartbeats', () => {
    const a = nodeConditions(undefined, 't1');
    const b = nodeConditions(a, 't2');
    assert.deepEqual([b[3].lastTransitionTime, b[3].lastHeartbeatTime], ['t1', 't2']);
  });
  it('reads Ready False (KubeletNotReady) while the runtime is not ready, and moves its transition time when it is', async () => {
    const conds = [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
    ];
    const errs = runtimeErrors(conds);
    assert.deepEqual(errs, ['container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized']);
    const a = nodeConditions(undefined, 't1', errs);
    assert.deepEqual(a[3], { type: 'Ready', status: 'False', lastHeartbeatTime: 't1', lastTransitionTime: 't1', reason: 'KubeletNotReady', message: errs[0] });
    const b = nodeConditions(a, 't2', runtimeErrors(conds.map((c) => ({ ...c, status: true }))));
    assert.deepEqual([b[3].status, b[3].reason, b[3].message, b[3].lastTransitionTime], ['True', 'KubeletReady', 'kubelet is posting ready status', 't2']);
    // Nothing answers: both conditions missing, as the kubelet aggregates several errors.
    assert.equal(notReadyMessage(runtimeErrors([])), '[container runtime not ready: RuntimeReady condition missing, container runtime network not ready: NetworkReady condition missing]');
    const down = await checkRuntime({ status: async () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as ContainerRuntime);
    assert.deepEqual(down, ['container runtime is down: connect ECONNREFUSED']);
    assert.deepEqual(await checkRuntime({} as ContainerRuntime), [], 'a runtime without Status (process, simulated) is ready');
  });
  it('parses --node-labels and --register-with-taints', () => {
    assert.deepEqual(parseLabels('a=b, c=d'), { a: 'b', c: 'd' });
    assert.throws(() => parseLabels('nope'), /invalid label "nope"/);
    assert.deepEqual(parseTaints('k=v:NoSchedule,x:NoExecute'), [
      { key: 'k', value: 'v', effect: 'NoSchedule' },
      { key: 'x', effect: 'NoExecute' },
    ]);
    assert.throws(() => parseTaints('k=v:Sometimes'), /invalid taint/);
  });
});

describe('helpers', () => {
  it('formats back-off durations like Go', () => {
    assert.deepEqual([10_000, 80_000, 160_000, 300_000].map(goDuration), ['10s', '1m20s', '2m40s', '5m0s']);
  });
  it('expands $(VAR) references', () => {
    const vars = new Map([['A', 'x']]);
    assert.equal(expand('$(A)-$(B)-$$(A)', vars), 'x-$(B)-$(A)');
  });
});
