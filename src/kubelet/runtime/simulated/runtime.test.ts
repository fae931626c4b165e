import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedRuntime } from './runtime.js';
import type { PodSandboxConfig } from '../types.js';

const sandbox = (restartPolicy: PodSandboxConfig['restartPolicy']): PodSandboxConfig => ({ uid: 'u', name: 'p', namespace: 'ns', nodeName: 'n', restartPolicy, hostNetwork: false, logDirectory: '/nonexistent' });
const container = (command: string[] = [], init = false, name = 'c') => ({ name, image: 'img', command, args: [], env: [], attempt: 0, logPath: '/nonexistent/0.log', init });

describe('SimulatedRuntime', () => {
  it('runs a service container until stopped', async () => {
    const rt = new SimulatedRuntime({ completeAfterMs: 10, allocateIp: () => '10.1.2.3' });
    const sb = await rt.runPodSandbox(sandbox('Always'));
    assert.equal(sb.ip, '10.1.2.3');
    const id = await rt.createContainer(sb.id, container(['sleep', '1']));
    assert.equal((await rt.containerStatus(id))!.state, 'created');
    await rt.startContainer(id);
    assert.equal((await rt.containerStatus(id))!.state, 'running');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal((await rt.containerStatus(id))!.state, 'running', 'restartPolicy Always: runs forever');
    await rt.stopContainer(id);
    const s = (await rt.containerStatus(id))!;
    assert.deepEqual([s.state, s.exitCode, s.reason], ['exited', 0, 'Completed']);
    await rt.close();
  });
  it('completes a job-like container (Never + command) and an init container, with an event', async () => {
    const rt = new SimulatedRuntime({ completeAfterMs: 10 });
    const events: string[] = [];
    rt.onContainerEvent((_sb, id) => events.push(id));
    const sb = await rt.runPodSandbox(sandbox('Never'));
    const job = await rt.createContainer(sb.id, container(['echo', 'hi']));
    const svc = await rt.createContainer(sb.id, container([], false, 'svc'));
    const sb2 = await rt.runPodSandbox({ ...sandbox('Always'), uid: 'u2' });
    const init = await rt.createContainer(sb2.id, container([], true));
    for (const id of [job, svc, init]) await rt.startContainer(id);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(events.sort(), [init, job].sort());
    assert.equal((await rt.containerStatus(job))!.state, 'exited');
    assert.equal((await rt.containerStatus(svc))!.state, 'running', 'no command: runs until stopped');
    assert.equal((await rt.listContainers({ sandboxId: sb.id })).length, 2);
    await rt.removePodSandbox(sb.id);
    assert.equal(await rt.containerStatus(job), undefined);
    await rt.close();
  });
  it('resumes a container at its previous start time and IP (kubelet restart), with a stable id', async () => {
    const rt = new SimulatedRuntime({ startDelayMs: 1000 });
    const sb = await rt.runPodSandbox({ ...sandbox('Always'), previousIP: '10.9.9.9' });
    assert.equal(sb.ip, '10.9.9.9');
    const id = await rt.createContainer(sb.id, { ...container(), previousStartedAt: 12345 });
    assert.equal(id, 'u-c-0');
    await rt.startContainer(id);
    const s = (await rt.containerStatus(id))!;
    assert.deepEqual([s.state, s.startedAt], ['running', 12345]);
    await rt.close();
  });

  it('honours a start delay', async () => {
    const rt = new SimulatedRuntime({ startDelayMs: 20 });
    const sb = await rt.runPodSandbox(sandbox('Always'));
    const id = await rt.createContainer(sb.id, container());
    let fired = false;
    rt.onContainerEvent(() => (fired = true));
    await rt.startContainer(id);
    assert.equal((await rt.containerStatus(id))!.state, 'created');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await rt.containerStatus(id))!.state, 'running');
    assert.ok(fired);
    await rt.close();
  });
});
