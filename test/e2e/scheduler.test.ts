// The scheduler as a user runs it: `bin/keelson scheduler --kubeconfig ...` beside a fresh
// apiserver, nodes and pods created with the real kubectl, results read back with kubectl.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));

function nodeJson(name: string, cpu: string, extra: Record<string, any> = {}): string {
  const alloc = { cpu, memory: '64Gi', pods: '110' };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
    spec: extra.spec ?? {},
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }] },
  });
}

function podJson(name: string, cpu: string, spec: Record<string, any> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }], ...spec } });
}


describe('keelson scheduler with the real kubectl', () => {
  let api: TestApiServer;
  const schedulers: ChildProcess[] = [];
  let logs = '';
  const startScheduler = (...args: string[]) => {
    const child = spawn(bin, ['scheduler', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1500ms', '--leader-elect-retry-period', '300ms', ...args], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (logs += d));
    child.stderr!.on('data', (d) => (logs += d));
    schedulers.push(child);
    return child;
  };
  const nodeOf = async (pod: string) => (await api.kubectl(['get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}'])).stdout;

  before(async () => {
    api = await startTestApiServer();
    for (const [n, c] of [
      ['n4a', '4'],
      ['n4b', '4'],
      ['n12', '12'],
      ['n16', '16'],
    ])
      assert.equal((await api.kubectl(['create', '-f', '-'], { input: nodeJson(n, c) })).code, 0);
    startScheduler();
  });
  after(async () => {
    for (const s of schedulers) s.kill('SIGKILL');
    await api?.stop();
  });

  it("places the seeds' 10-CPU pod on the 16-CPU node, with the Scheduled event", async () => {
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: podJson('big', '10') })).code, 0);
    const node = await until('big to be bound', async () => (await nodeOf('big')) || undefined);
    assert.equal(node, 'n16', logs);
    const ev = await until('Scheduled event', async () => {
      const r = await api.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=big', '-o', 'custom-columns=R:.reason,M:.message', '--no-headers']);
      return r.stdout.includes('Scheduled') && r.stdout;
    });
    assert.match(ev, /Scheduled\s+Successfully assigned default\/big to n16/);
  });

  it('explains the decision: each node verdict and the plugin scores', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(bin, ['scheduler', 'explain', 'big', '--kubeconfig', api.kubeconfig], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
    assert.match(out, /n16 \*\s+fits/);
    assert.match(out, /n4a\s+Insufficient cpu \(NodeResourcesFit\)/);
    assert.match(out, /NodeResourcesFit/);
    assert.match(out, /Chosen: n16/);
  });

  it('a pod nothing fits gets FailedScheduling with Kubernetes\' message and the PodScheduled condition', async () => {
    await api.kubectl(['create', '-f', '-'], { input: podJson('huge', '20') });
    const msg = await until('FailedScheduling event', async () => {
      const r = await api.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=huge', '-o', 'custom-columns=M:.message', '--no-headers']);
      return r.stdout.includes('nodes are available') && r.stdout.trim();
    });
    assert.match(msg, /^0\/4 nodes are available: 4 Insufficient cpu\. preemption: 0\/4 nodes are available: 4 No preemption victims found for incoming pod\.$/m);
    const reason = await until('PodScheduled=False', async () => (await api.kubectl(['get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}'])).stdout || undefined);
    assert.equal(reason, 'Unschedulable');
  });

  it('a node added later makes the pending pod schedule', async () => {
    await api.kubectl(['create', '-f', '-'], { input: nodeJson('n32', '32') });
    assert.equal(await until('huge to be bound', async () => (await nodeOf('huge')) || undefined), 'n32');
  });

  it('taints repel pods without tolerations; tolerations and nodeSelector place them', async () => {
    assert.equal((await api.kubectl(['taint', 'node', 'n32', 'dedicated=gpu:NoSchedule'])).code, 0);
    await api.kubectl(['label', 'node', 'n4a', 'disk=ssd']);
    await api.kubectl(['create', '-f', '-'], { input: podJson('ssd', '1', { nodeSelector: { disk: 'ssd' } }) });
    assert.equal(await until('ssd bound', async () => (await nodeOf('ssd')) || undefined), 'n4a');
    const tol = { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], nodeSelector: { 'kubernetes.io/hostname': 'n32' } };
    await api.kubectl(['create', '-f', '-'], { input: podJson('gpu', '1', tol) });
    assert.equal(await until('gpu bound', async () => (await nodeOf('gpu')) || undefined), 'n32');
    await api.kubectl(['create', '-f', '-'], { input: podJson('notol', '1', { nodeSelector: { 'kubernetes.io/hostname': 'n32' } }) });
    const msg = await until('notol FailedScheduling', async () => {
      const r = await api.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=notol', '-o', 'custom-columns=M:.message', '--no-headers']);
      return r.stdout.includes('untolerated') && r.stdout;
    });
    assert.match(msg, /1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
    assert.match(msg, /4 node\(s\) didn't match Pod's node affinity\/selector/);
  });

  it('a second profile from a KubeSchedulerConfiguration file schedules pods that name it', async () => {
    const cfg = join(api.dataDir, 'scheduler-config.yaml');
    writeFileSync(
      cfg,
      [
        'apiVersion: kubescheduler.config.k8s.io/v1',
        'kind: KubeSchedulerConfiguration',
        'leaderElection:',
        '  leaderElect: false',
        'profiles:',
        '- schedulerName: bin-packer',
        '  pluginConfig:',
        '  - name: NodeResourcesFit',
        '    args:',
        '      scoringStrategy:',
        '        type: MostAllocated',
        '  plugins:',
        '    score:',
        '      disabled:',
        '      - name: NodeResourcesBalancedAllocation',
        '',
      ].join('\n'),
    );
    startScheduler('--config', cfg);
    await api.kubectl(['create', '-f', '-'], { input: podJson('packed', '500m', { schedulerName: 'bin-packer', tolerations: [{ operator: 'Exists' }] }) });
    // MostAllocated prefers the fullest node that fits: n32 has 21 of 32 CPUs requested (67%),
    // n16 10 of 16 (63%); LeastAllocated (the default profile) would pick an empty node.
    assert.equal(await until('packed bound', async () => (await nodeOf('packed')) || undefined), 'n32');
  });

  it('leader election: a second scheduler takes over when the leader dies', async () => {
    const leaderBefore = (await api.kubectl(['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}'])).stdout;
    assert.ok(leaderBefore, 'the first scheduler holds the lease');
    startScheduler();
    await new Promise((r) => setTimeout(r, 800));
    schedulers[0].kill('SIGKILL');
    await api.kubectl(['create', '-f', '-'], { input: podJson('after-failover', '1') });
    await until('after-failover bound by the new leader', async () => (await nodeOf('after-failover')) || undefined, 20_000);
    const leaderAfter = (await api.kubectl(['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}'])).stdout;
    assert.notEqual(leaderAfter, leaderBefore);
  });
});
