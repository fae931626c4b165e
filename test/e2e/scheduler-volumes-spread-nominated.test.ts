// The scheduler's volume plugins, default spreading and nominated pods as a user sees them:
// `bin/keelson scheduler` and `bin/keelson controller-manager` (the persistent-volume binder
// and the ReplicaSet controller) beside a fresh apiserver, simulated nodes (plain Node objects),
// everything created and read with the real kubectl.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const TAINT = { key: 'keelson-test/preemption', value: 'yes', effect: 'NoSchedule' };

const nodeJson = (name: string, cpu: string, taints?: any[]) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: taints ? { taints } : {},
    status: { capacity: { cpu, memory: '64Gi', pods: '110' }, allocatable: { cpu, memory: '64Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }] },
  });
const podJson = (name: string, spec: Record<string, any>, cpu = '100m', labels?: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }], ...spec } });
const claimJson = (name: string, cls: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: '1Gi' } } } });
const classJson = (name: string, provisioner: string, mode: string) => JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: mode });
const withClaim = (claim: string) => ({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] });

describe('keelson scheduler: volumes, default spreading, nominated pods (real kubectl)', () => {
  let api: TestApiServer;
  const children: ChildProcess[] = [];
  let logs = '';
  const k = (...args: string[]) => api.kubectl(args);
  const create = async (json: string) => {
    const r = await api.kubectl(['create', '-f', '-'], { input: json });
    assert.equal(r.code, 0, r.out);
  };
  const run = (...args: string[]) => {
    const child = spawn(bin, args, { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (logs += d));
    child.stderr!.on('data', (d) => (logs += d));
    children.push(child);
  };
  const nodeOf = async (pod: string) => (await k('get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}')).stdout;

  before(async () => {
    api = await startTestApiServer();
    for (const [n, cpu] of [
      ['big', '64'],
      ['a', '8'],
      ['b', '8'],
    ])
      await create(nodeJson(n, cpu));
    await create(nodeJson('p', '8', [TAINT]));
    // A long pod backoff (10 s) leaves a pod that just failed out of the queue for a while:
    // the nominated-pods case below relies on it to let another pod go first.
    const cfg = join(api.dataDir, 'keelson-scheduler-config.yaml');
    writeFileSync(cfg, ['apiVersion: kubescheduler.config.k8s.io/v1', 'kind: KubeSchedulerConfiguration', 'leaderElection:', '  leaderElect: false', 'podInitialBackoffSeconds: 10', 'podMaxBackoffSeconds: 10', ''].join('\n'));
    run('scheduler', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--config', cfg);
    run('controller-manager', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect', 'false', '--controllers', 'persistentvolume-binder,replicaset');
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await api?.stop();
  });

  it("default spreading: a ReplicaSet's pods spread over the 3 nodes although the big node has the most room", async () => {
    // Control: pods nothing selects all go where resources say (the 64-CPU node).
    for (const n of ['solo-1', 'solo-2', 'solo-3']) await create(podJson(n, {}, '1', { app: 'solo' }));
    for (const n of ['solo-1', 'solo-2', 'solo-3']) assert.equal(await until(`${n} bound`, async () => (await nodeOf(n)) || undefined), 'big');
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1' } } }] } } },
    };
    await create(JSON.stringify(rs));
    const placed = await until('6 web pods bound', async () => {
      const out = (await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}')).stdout.split('\n').filter(Boolean);
      return out.length === 6 && out;
    });
    const perNode: Record<string, number> = {};
    for (const n of placed) perNode[n] = (perNode[n] ?? 0) + 1;
    assert.deepEqual(perNode, { a: 2, b: 2, big: 2 }, logs);
  });

  it('WaitForFirstConsumer: the claim waits, then binds to the volume on the node the pod goes to', async () => {
    await create(classJson('keelson-local-wffc', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer'));
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'keelson-pv-on-b' },
      spec: {
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'keelson-local-wffc',
        local: { path: '/mnt/disks/one' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] }] } },
      },
    };
    await create(JSON.stringify(pv));
    await create(claimJson('local-data', 'keelson-local-wffc'));
    const waiting = await until('WaitForFirstConsumer event', async () => {
      const r = await k('get', 'events', '--field-selector', 'involvedObject.name=local-data', '-o', 'custom-columns=R:.reason,M:.message', '--no-headers');
      return r.stdout.includes('WaitForFirstConsumer') && r.stdout;
    });
    assert.match(waiting, /WaitForFirstConsumer\s+waiting for first consumer to be created before binding/);
    assert.match((await k('get', 'pvc', 'local-data')).stdout, /local-data\s+Pending/);
    await create(podJson('uses-local', withClaim('local-data')));
    assert.equal(await until('uses-local bound', async () => (await nodeOf('uses-local')) || undefined), 'b');
    // The claim was bound before the pod: kubectl shows it Bound to the volume on b.
    assert.match((await k('get', 'pvc', 'local-data')).stdout, /local-data\s+Bound\s+keelson-pv-on-b\s+5Gi\s+RWO\s+keelson-local-wffc/);
    assert.match((await k('get', 'pv', 'keelson-pv-on-b')).stdout, /Bound\s+default\/local-data/);
    const ann = JSON.parse((await k('get', 'pvc', 'local-data', '-o', 'jsonpath={.metadata.annotations}')).stdout);
    assert.equal(ann['pv.kubernetes.io/bind-completed'], 'yes');
  });

  it('WaitForFirstConsumer with a provisioner: the claim gets the selected node and a volume pinned to it', async () => {
    await create(classJson('keelson-dyn-wffc', 'keelson.io/local-path', 'WaitForFirstConsumer'));
    await create(claimJson('dyn-data', 'keelson-dyn-wffc'));
    await create(podJson('uses-dyn', { ...withClaim('dyn-data'), nodeSelector: { 'kubernetes.io/hostname': 'a' } }));
    assert.equal(await until('uses-dyn bound', async () => (await nodeOf('uses-dyn')) || undefined), 'a');
    const claim = JSON.parse((await k('get', 'pvc', 'dyn-data', '-o', 'json')).stdout);
    assert.equal(claim.metadata.annotations['volume.kubernetes.io/selected-node'], 'a');
    assert.equal(claim.status.phase, 'Bound');
    const vol = JSON.parse((await k('get', 'pv', claim.spec.volumeName, '-o', 'json')).stdout);
    assert.deepEqual(vol.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ['a']);
  });

  it("a pod with an unbound immediate claim stays Pending with kube's message in kubectl describe", async () => {
    // A class whose provisioner nobody runs: the claim stays unbound.
    await create(classJson('keelson-nobody', 'example.com/nobody', 'Immediate'));
    await create(claimJson('stuck', 'keelson-nobody'));
    await create(podJson('waits-for-claim', withClaim('stuck')));
    const want = '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.';
    const described = await until('FailedScheduling in describe', async () => {
      const r = await k('describe', 'pod', 'waits-for-claim');
      return r.stdout.includes('FailedScheduling') && r.stdout;
    });
    assert.ok(described.replace(/\s+/g, ' ').includes(want), described);
    assert.match(described, /Status:\s+Pending/);
    const cond = (await k('get', 'pod', 'waits-for-claim', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}')).stdout;
    assert.equal(cond, want);
    assert.equal(await nodeOf('waits-for-claim'), '');
  });

  it('preemption: the nominated pod keeps its spot against a lower-priority pod and gets the node once the victim is gone', async () => {
    for (const [name, value] of [
      ['keelson-low', '10'],
      ['keelson-mid', '50'],
      ['keelson-high', '100'],
    ])
      assert.equal((await k('create', 'priorityclass', name, `--value=${value}`)).code, 0);
    const onP = (cls: string) => ({ priorityClassName: cls, nodeSelector: { 'kubernetes.io/hostname': 'p' }, tolerations: [{ key: TAINT.key, operator: 'Exists' }] });
    await create(podJson('victim', onP('keelson-low'), '6'));
    assert.equal(await until('victim bound', async () => (await nodeOf('victim')) || undefined), 'p');
    await create(podJson('preemptor', onP('keelson-high'), '6'));
    assert.equal(await until('preemptor nominated', async () => (await k('get', 'pod', 'preemptor', '-o', 'jsonpath={.status.nominatedNodeName}')).stdout || undefined), 'p');
    const preempted = await until('Preempted event', async () => {
      const r = await k('get', 'events', '--field-selector', 'involvedObject.name=victim,reason=Preempted', '-o', 'custom-columns=M:.message', '--no-headers');
      return r.stdout.trim() || undefined;
    });
    assert.match(preempted, /^Preempted by pod .+ on node p$/);
    // No kubelet runs here: the victim stays Terminating until "the kubelet" (the test) confirms it.
    assert.ok((await k('get', 'pod', 'victim', '-o', 'jsonpath={.metadata.deletionTimestamp}')).stdout);
    const why = (await k('get', 'pod', 'victim', '-o', 'jsonpath={.status.conditions[?(@.type=="DisruptionTarget")].reason}: {.status.conditions[?(@.type=="DisruptionTarget")].message}')).stdout;
    assert.equal(why, 'PreemptionByScheduler: default-scheduler: preempting to accommodate a higher priority pod');
    assert.equal((await k('delete', 'pod', 'victim', '--grace-period=0', '--force')).code, 0);
    await until('victim gone', async () => (await k('get', 'pod', 'victim')).code !== 0);
    // The preemptor is in its backoff; a lower-priority pod arrives and would fit on the free node.
    await create(podJson('intruder', onP('keelson-mid'), '4'));
    const msg = await until('intruder FailedScheduling', async () => {
      const r = await k('get', 'events', '--field-selector', 'involvedObject.name=intruder,reason=FailedScheduling', '-o', 'custom-columns=M:.message', '--no-headers');
      return r.stdout.trim() || undefined;
    });
    assert.match(msg, /^0\/4 nodes are available: 1 Insufficient cpu, 3 node\(s\) didn't match Pod's node affinity\/selector\. preemption: /);
    assert.equal(await until('preemptor bound', async () => (await nodeOf('preemptor')) || undefined, 30_000), 'p');
    assert.equal(await nodeOf('intruder'), '', 'the intruder never took the nominated spot');
  });
});
