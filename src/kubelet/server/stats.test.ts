// The Summary API built from a runtime: the simulated runtime's request-derived usage gives
// predictable numbers (cpu rate = fraction x request, working set = fraction x request), the
// rate follows successive samples, and the node's host stats are filled in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedRuntime } from '../runtime/simulated/runtime.js';
import { StatsProvider } from './stats.js';
import type { PodView } from '../pod-worker.js';

describe('kubelet /stats/summary', () => {
  it('pods, containers and node from the runtime stats', async () => {
    const rt = new SimulatedRuntime({ usageFraction: 0.5 });
    const sb = await rt.runPodSandbox({ uid: 'uid-1', name: 'web', namespace: 'default', nodeName: 'n1', restartPolicy: 'Always', hostNetwork: false, logDirectory: '/nonexistent' });
    const mk = (name: string, cpu: number, mem: number) => rt.createContainer(sb.id, { name, image: 'img', command: [], args: [], env: [], attempt: 0, logPath: '/nonexistent/0.log', resources: { cpuRequestMilli: cpu, memoryRequestBytes: mem } });
    const a = await mk('a', 200, 64 << 20);
    const b = await mk('b', 1000, 0);
    await rt.startContainer(a);
    await rt.startContainer(b);
    const view: PodView = { pod: { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, status: { phase: 'Running' } } as never, containers: [{ name: 'a', id: a }, { name: 'b', id: b }, { name: 'c', waiting: 'ContainerCreating' }] };
    await new Promise((r) => setTimeout(r, 500));
    const host = async () => ({ cpuUsageCoreNanoSeconds: 5e9, memory: { capacityBytes: 8 << 30, availableBytes: 6 << 30, workingSetBytes: 2 << 30 } });
    const p = new StatsProvider({ nodeName: 'n1', runtime: rt, pods: () => [view], host });
    const s = await p.summary();
    assert.equal(s.node.nodeName, 'n1');
    assert.equal(s.node.memory.workingSetBytes, 2 << 30);
    assert.equal(s.pods.length, 1);
    const pod = s.pods[0];
    assert.deepEqual(pod.podRef, { name: 'web', namespace: 'default', uid: 'uid-1' });
    assert.deepEqual(pod.containers.map((c) => c.name), ['a', 'b']);
    const [ca, cb] = pod.containers;
    assert.equal(ca.memory.workingSetBytes, 32 << 20);
    // 0.5 x 200m = 100m = 1e8 nanocores (the first sample: the average since the start)
    assert.ok(Math.abs(ca.cpu.usageNanoCores! - 1e8) < 1e7, String(ca.cpu.usageNanoCores));
    assert.ok(Math.abs(cb.cpu.usageNanoCores! - 5e8) < 5e7, String(cb.cpu.usageNanoCores));
    assert.ok(cb.cpu.usageCoreNanoSeconds > 0);
    assert.equal(pod.cpu.usageNanoCores, ca.cpu.usageNanoCores! + cb.cpu.usageNanoCores!);
    assert.equal(pod.memory.workingSetBytes, 32 << 20);
    // Later samples: the rate over the interval since the previous one.
    await new Promise((r) => setTimeout(r, 1100));
    const s2 = await p.summary();
    assert.ok(Math.abs(s2.pods[0].containers[1].cpu.usageNanoCores! - 5e8) < 5e7, String(s2.pods[0].containers[1].cpu.usageNanoCores));
    // A stopped container is no longer reported.
    await rt.stopContainer(b);
    const s3 = await p.summary();
    assert.deepEqual(s3.pods[0].containers.map((c) => c.name), ['a']);
    await rt.close();
  });
});
