// `keelson kubelet --runtime simulated` as a user runs it, beside a fresh apiserver: nodes
// register and stay Ready with their Leases renewed, pods bound to them run (kubectl shows
// 1/1 Running), job-like pods succeed, graceful deletion removes the pod, and many simulated
// nodes in one process all stay Ready (memory printed for the report).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));


function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

describe('keelson kubelet --runtime simulated', () => {
  let api: TestApiServer;
  const children: ChildProcess[] = [];
  let logs = '';
  const kubelet = (...args: string[]) => {
    const child = spawn(bin, ['kubelet', '--kubeconfig', api.kubeconfig, '--runtime', 'simulated', '--data-dir', api.dataDir, ...args], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (logs += d));
    child.stderr!.on('data', (d) => (logs += d));
    children.push(child);
    return child;
  };
  const json = async (args: string[]) => {
    const r = await api.kubectl([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.out);
    return JSON.parse(r.stdout);
  };

  const simnodeArgs = ['--hostname-override', 'simnode', '--node-lease-renew-interval', '1s', '--node-status-update-frequency', '1s', '--simulated-job-duration', '500ms', '--node-labels', 'team=a,tier=web', '--register-with-taints', 'dedicated=sim:PreferNoSchedule'];
  before(async () => {
    api = await startTestApiServer();
    kubelet(...simnodeArgs);
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await api.stop();
  });

  it('registers the node Ready with Kubernetes conditions, labels, taints, and renews its lease', async () => {
    await until('node Ready', async () => (await api.kubectl(['get', 'node', 'simnode'])).stdout.includes(' Ready '), 20_000, () => logs);
    const node = await json(['get', 'node', 'simnode']);
    const conds = Object.fromEntries(node.status.conditions.map((c: any) => [c.type, c]));
    assert.deepEqual(
      ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((t) => [t, conds[t].status, conds[t].reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.equal(conds.Ready.message, 'kubelet is posting ready status');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'simnode');
    assert.equal(node.metadata.labels.team, 'a');
    assert.ok(node.metadata.labels['kubernetes.io/os']);
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'sim', effect: 'PreferNoSchedule' }]);
    assert.equal(node.status.capacity.pods, '110');
    assert.equal(node.status.capacity.cpu, '32');
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.0-keelson');
    assert.deepEqual(node.status.addresses.map((a: any) => a.type), ['InternalIP', 'Hostname']);
    const lease1 = await json(['get', 'lease', '-n', 'kube-node-lease', 'simnode']);
    assert.equal(lease1.spec.holderIdentity, 'simnode');
    assert.equal(lease1.spec.leaseDurationSeconds, 40);
    assert.deepEqual(lease1.metadata.ownerReferences.map((o: any) => [o.kind, o.name, o.uid]), [['Node', 'simnode', node.metadata.uid]]);
    await until('lease renewed', async () => (await json(['get', 'lease', '-n', 'kube-node-lease', 'simnode'])).spec.renewTime !== lease1.spec.renewTime, 5_000);
  });

  it('runs a bound pod: kubectl shows 1/1 Running, conditions Ready, a pod IP', async () => {
    const r = await api.kubectl(['run', 'web', '--image=nginx', '--overrides={"spec":{"nodeName":"simnode"}}']);
    assert.equal(r.code, 0, r.out);
    await until('1/1 Running', async () => /web\s+1\/1\s+Running\s+0/.test((await api.kubectl(['get', 'pods'])).stdout), 15_000, () => logs);
    const pod = await json(['get', 'pod', 'web']);
    const conds = Object.fromEntries(pod.status.conditions.map((c: any) => [c.type, c.status]));
    assert.deepEqual(conds, { PodReadyToStartContainers: 'True', Initialized: 'True', ContainersReady: 'True', Ready: 'True', PodScheduled: 'True' });
    assert.match(pod.status.podIP, /^10\.\d+\.\d+\.\d+$/);
    assert.ok(pod.status.hostIP);
    assert.ok(pod.status.startTime);
    assert.equal(pod.status.qosClass, 'BestEffort');
    assert.equal(pod.status.containerStatuses[0].ready, true);
  });

  it('completes a restartPolicy=Never pod with a command: Succeeded, Completed, Ready=False PodCompleted', async () => {
    const r = await api.kubectl(['run', 'job1', '--image=busybox', '--restart=Never', '--overrides={"spec":{"nodeName":"simnode"}}', '--', 'sh', '-c', 'echo done']);
    assert.equal(r.code, 0, r.out);
    await until('Succeeded', async () => (await api.kubectl(['get', 'pod', 'job1', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 15_000, () => logs);
    const pod = await json(['get', 'pod', 'job1']);
    assert.equal(pod.status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 0);
    const ready = pod.status.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason], ['False', 'PodCompleted']);
    assert.match((await api.kubectl(['get', 'pod', 'job1'])).stdout, /job1\s+0\/1\s+Completed/);
  });

  it('runs init containers first, then the containers', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'withinit' },
      spec: { nodeName: 'simnode', initContainers: [{ name: 'setup', image: 'busybox', command: ['true'] }], containers: [{ name: 'app', image: 'nginx' }] },
    };
    const r = await api.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    assert.equal(r.code, 0, r.out);
    await until('Running after init', async () => /withinit\s+1\/1\s+Running/.test((await api.kubectl(['get', 'pod', 'withinit'])).stdout), 15_000, () => logs);
    const p = await json(['get', 'pod', 'withinit']);
    assert.equal(p.status.initContainerStatuses[0].state.terminated.reason, 'Completed');
  });

  it('deletes gracefully: the kubelet stops the pod and makes the final delete', async () => {
    const r = await api.kubectl(['delete', 'pod', 'web', '--wait=true', '--timeout=20s']);
    assert.equal(r.code, 0, r.out);
    const g = await api.kubectl(['get', 'pod', 'web']);
    assert.notEqual(g.code, 0);
    assert.match(g.out, /NotFound|not found/);
  });

  it('runs a pod placed by the real scheduler (bin/keelson scheduler) on a simulated node', async () => {
    const sched = spawn(bin, ['scheduler', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect', 'false'], { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    sched.stderr!.on('data', (d) => (logs += d));
    children.push(sched);
    const r = await api.kubectl(['run', 'scheduled', '--image=nginx']);
    assert.equal(r.code, 0, r.out);
    await until('scheduled pod Running', async () => /scheduled\s+1\/1\s+Running/.test((await api.kubectl(['get', 'pod', 'scheduled'])).stdout), 20_000, () => logs);
    assert.equal((await api.kubectl(['get', 'pod', 'scheduled', '-o', 'jsonpath={.spec.nodeName}'])).stdout, 'simnode');
    sched.kill('SIGTERM');
  });

  it('adopts its running pods after a restart without rewriting their status', async () => {
    const before = await json(['get', 'pod', 'withinit']);
    const first = children[0];
    first.kill('SIGTERM');
    await new Promise((r) => first.once('exit', r));
    kubelet(...simnodeArgs);
    await new Promise((r) => setTimeout(r, 4000));
    const after = await json(['get', 'pod', 'withinit']);
    assert.equal(after.status.phase, 'Running');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, 'status not rewritten');
    // ...and the restarted kubelet still runs new pods.
    assert.equal((await api.kubectl(['run', 'afterrestart', '--image=nginx', '--overrides={"spec":{"nodeName":"simnode"}}'])).code, 0);
    await until('Running after restart', async () => /afterrestart\s+1\/1\s+Running/.test((await api.kubectl(['get', 'pod', 'afterrestart'])).stdout), 15_000, () => logs);
  });

  it('runs 200 simulated nodes in one process, all Ready with fresh leases', async () => {
    const n = Number(process.env.KEELSON_SIM_NODES ?? 200);
    const child = kubelet('--hostname-override', 'many', '--nodes', String(n), '--node-lease-renew-interval', '2s');
    await until(`${n} nodes Ready`, async () => {
      const list = await json(['get', 'nodes', '-l', 'node.keelson.io/simulated=true']);
      const ready = list.items.filter((x: any) => x.metadata.name.startsWith('many-') && x.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === n;
    }, 60_000, () => logs);
    // Stay Ready: after a few renew intervals every lease is fresh (renewed in the last 6 s).
    await new Promise((r) => setTimeout(r, 5000));
    const leases = await json(['get', 'leases', '-n', 'kube-node-lease']);
    const fresh = leases.items.filter((l: any) => l.metadata.name.startsWith('many-') && Date.now() - Date.parse(l.spec.renewTime) < 6000);
    assert.equal(fresh.length, n);
    const names = new Set((await json(['get', 'nodes'])).items.map((x: any) => x.metadata.name));
    assert.ok(names.has('many-0') && names.has(`many-${n - 1}`));
    console.log(`# ${n} simulated nodes: kubelet RSS ${rssMB(child.pid!)} MB`);
  });
});
