// The controller manager as a user runs it: `bin/keelson controller-manager --kubeconfig ...`
// beside a fresh apiserver, driven with the real kubectl. With no kubelet yet, the test plays the
// node: it sets pod status (Running/Ready, Succeeded, Failed) through the status subresource.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));


describe('keelson controller-manager with the real kubectl', () => {
  let api: TestApiServer;
  let cm: ChildProcess;
  let logs = '';
  const k = (...args: string[]) => api.kubectl(args);
  const names = async (args: string[]) =>
    (await api.kubectl([...args, '-o', 'name']))
      .stdout.split('\n')
      .filter(Boolean)
      .sort();
  const setPhase = async (pod: string, phase: 'Running' | 'Succeeded' | 'Failed', ns = 'default') => {
    const ready = phase === 'Running' ? 'True' : 'False';
    const now = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const status = { phase, conditions: [{ type: 'Ready', status: ready, lastTransitionTime: now }], startTime: now };
    const r = await api.kubectl(['patch', 'pod', pod, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    assert.equal(r.code, 0, r.out);
  };

  before(async () => {
    api = await startTestApiServer();
    cm = spawn(bin, ['controller-manager', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect', 'false'], { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    cm.stdout!.on('data', (d) => (logs += d));
    cm.stderr!.on('data', (d) => (logs += d));
  });
  after(async () => {
    cm?.kill('SIGKILL');
    await api?.stop();
  });

  it('deployment: create, scale, rollout status, set image, history, undo', async () => {
    assert.equal((await k('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3')).code, 0);
    const pods = await until('3 pods', async () => {
      const n = await names(['get', 'pods', '-l', 'app=web']);
      return n.length === 3 && n;
    });
    for (const p of pods) await setPhase(p.replace('pod/', ''), 'Running');
    const status = await k('rollout', 'status', 'deploy/web', '--timeout=20s');
    assert.match(status.out, /successfully rolled out/, status.out + logs);
    assert.match((await k('get', 'deploy', 'web')).stdout, /web\s+3\/3\s+3\s+3/);
    await k('scale', 'deploy', 'web', '--replicas=1');
    await until('scale down to 1', async () => (await names(['get', 'rs', '-l', 'app=web'])).length === 1 && (await k('get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.replicas}')).stdout === '1');
    await k('set', 'image', 'deploy/web', 'nginx=nginx:1.26');
    await until('a second replicaset', async () => (await names(['get', 'rs', '-l', 'app=web'])).length === 2);
    assert.match((await k('rollout', 'history', 'deploy/web')).stdout, /^2\s/m);
    await k('rollout', 'undo', 'deploy/web');
    const image = await until('undo restores the image', async () => {
      const i = (await k('get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).stdout;
      return i === 'nginx:1.25' && i;
    });
    assert.equal(image, 'nginx:1.25');
    // Undo reuses revision 1's ReplicaSet (now revision 3) instead of making a third.
    await until('revision 3 on the old replicaset', async () => (await k('get', 'deploy', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}')).stdout === '3');
    assert.equal((await names(['get', 'rs', '-l', 'app=web'])).length, 2);
  });

  it('cascading delete: background removes replicasets and pods; orphan keeps them', async () => {
    await k('create', 'deployment', 'orph', '--image=nginx', '--replicas=2');
    await until('orph pods', async () => (await names(['get', 'pods', '-l', 'app=orph'])).length === 2);
    assert.equal((await k('delete', 'deploy', 'orph', '--cascade=orphan')).code, 0);
    await until('deployment gone', async () => (await k('get', 'deploy', 'orph')).code !== 0);
    await new Promise((r) => setTimeout(r, 1000));
    const rs = await names(['get', 'rs', '-l', 'app=orph']);
    assert.equal(rs.length, 1, 'the replicaset is orphaned, not deleted');
    assert.equal((await k('get', rs[0], '-o', 'jsonpath={.metadata.ownerReferences}')).stdout, '');
    assert.equal((await names(['get', 'pods', '-l', 'app=orph'])).length, 2);
    assert.equal((await k('delete', rs[0])).code, 0);
    await until('background deletion of pods', async () => (await names(['get', 'pods', '-l', 'app=orph'])).length === 0);
  });

  it('cascading delete: foreground keeps the owner until its dependents are gone', async () => {
    await k('create', 'deployment', 'fg', '--image=nginx', '--replicas=2');
    await until('fg pods', async () => (await names(['get', 'pods', '-l', 'app=fg'])).length === 2);
    const r = await k('delete', 'deploy', 'fg', '--cascade=foreground', '--timeout=30s');
    assert.equal(r.code, 0, r.out);
    assert.equal((await names(['get', 'rs,pods', '-l', 'app=fg'])).length, 0);
    assert.notEqual((await k('get', 'deploy', 'fg')).code, 0);
  });

  it('namespace deletion removes its content, then the namespace; default serviceaccount appears', async () => {
    await k('create', 'namespace', 'team');
    await until('default serviceaccount', async () => (await k('get', 'sa', 'default', '-n', 'team')).code === 0);
    await k('create', 'configmap', 'c1', '-n', 'team', '--from-literal=a=b');
    await k('create', 'deployment', 'd', '-n', 'team', '--image=nginx');
    const r = await k('delete', 'namespace', 'team', '--timeout=40s');
    assert.equal(r.code, 0, r.out + logs);
    assert.notEqual((await k('get', 'namespace', 'team')).code, 0);
  });

  it('endpoints and endpointslices list the ready pods of a service, by resolved port', async () => {
    const pod = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'echo' } },
      spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
    });
    for (const [n, ip] of [
      ['echo-1', '10.244.0.11'],
      ['echo-2', '10.244.0.12'],
    ]) {
      assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod(n)) })).code, 0);
      const ready = n === 'echo-1' ? 'True' : 'False';
      const status = { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready }] };
      assert.equal((await k('patch', 'pod', n, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status }))).code, 0);
    }
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(svc) })).code, 0);
    const ep = await until('endpoints', async () => {
      const r = await k('get', 'endpoints', 'echo', '-o', 'json');
      return r.code === 0 && JSON.parse(r.stdout).subsets?.[0] ? JSON.parse(r.stdout) : undefined;
    });
    assert.deepEqual(ep.subsets[0].addresses.map((a: any) => a.ip), ['10.244.0.11']);
    assert.deepEqual(ep.subsets[0].notReadyAddresses.map((a: any) => a.ip), ['10.244.0.12']);
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.match((await k('get', 'endpoints', 'echo')).stdout, /echo\s+10\.244\.0\.11:8080/);
    const slice = await until('endpointslice', async () => {
      const r = await k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=echo', '-o', 'json');
      const items = r.code === 0 ? JSON.parse(r.stdout).items : [];
      return items.length === 1 && items[0].endpoints?.length === 2 && items[0];
    });
    assert.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    const ready = Object.fromEntries(slice.endpoints.map((e: any) => [e.addresses[0], e.conditions.ready]));
    assert.deepEqual(ready, { '10.244.0.11': true, '10.244.0.12': false });
    // A pod becoming ready moves to addresses.
    await k('patch', 'pod', 'echo-2', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }));
    await until('both ready', async () => (await k('get', 'endpoints', 'echo', '-o', 'jsonpath={.subsets[0].addresses[*].ip}')).stdout === '10.244.0.11 10.244.0.12');
  });

  it('daemonset: one pinned pod per eligible node; a tainted node is skipped', async () => {
    for (const [n, taint] of [
      ['dn1', false],
      ['dn2', false],
      ['dn3', true],
    ] as const) {
      const alloc = { cpu: '4', memory: '8Gi', pods: '110' };
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: n }, spec: taint ? { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] } : {}, status: { capacity: alloc, allocatable: alloc } };
      assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(node) })).code, 0);
    }
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(ds) })).code, 0);
    const pinned = await until('daemon pods on dn1 and dn2', async () => {
      const r = await k('get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]}{" "}{end}');
      const nodes = r.stdout.trim().split(' ').filter(Boolean).sort();
      return nodes.length === 2 && nodes;
    });
    assert.deepEqual(pinned, ['dn1', 'dn2']);
    assert.equal(await until('desiredNumberScheduled', async () => (await k('get', 'ds', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}')).stdout === '2' && '2'), '2');
    // The taint goes: the third node gets its pod.
    await k('taint', 'node', 'dn3', 'gpu-');
    await until('pod for dn3', async () => (await names(['get', 'pods', '-l', 'app=agent'])).length === 3);
    assert.ok((await k('get', 'controllerrevisions', '-o', 'name')).stdout.includes('agent-'));
    // Node IPAM gave each node its own pod CIDR from the cluster CIDR.
    const cidrs = await until('pod CIDRs', async () => {
      const r = (await k('get', 'nodes', 'dn1', 'dn2', 'dn3', '-o', 'jsonpath={.items[*].spec.podCIDR}')).stdout.split(' ').filter(Boolean);
      return r.length === 3 && r;
    });
    for (const c of cidrs) assert.match(c, /^10\.244\.\d+\.0\/24$/);
    assert.equal(new Set(cidrs).size, 3);
  });

  it('statefulset: ordered pods with stable names and claims; scale down from the top', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(sts) })).code, 0);
    await until('db-0', async () => (await k('get', 'pod', 'db-0')).code === 0);
    assert.equal((await k('get', 'pvc', 'data-db-0')).code, 0, 'claim created for db-0');
    assert.equal((await k('get', 'pod', 'db-0', '-o', 'jsonpath={.spec.hostname}.{.spec.subdomain}')).stdout, 'db-0.db');
    await new Promise((r) => setTimeout(r, 500));
    assert.notEqual((await k('get', 'pod', 'db-1')).code, 0, 'OrderedReady: db-1 waits for db-0');
    await setPhase('db-0', 'Running');
    await until('db-1 after db-0 is Ready', async () => (await k('get', 'pod', 'db-1')).code === 0);
    await setPhase('db-1', 'Running');
    await until('readyReplicas 2', async () => (await k('get', 'sts', 'db', '-o', 'jsonpath={.status.readyReplicas}')).stdout === '2');
    await k('scale', 'sts', 'db', '--replicas=1');
    await until('db-1 removed', async () => (await k('get', 'pod', 'db-1')).code !== 0 || (await k('get', 'pod', 'db-1', '-o', 'jsonpath={.metadata.deletionTimestamp}')).stdout !== '');
    assert.equal((await k('get', 'pod', 'db-0')).code, 0);
    assert.equal((await k('get', 'pvc', 'data-db-1')).code, 0, 'claims are retained');
    // whenScaled: Delete hands the claim of a removed ordinal to its pod, so it goes with it.
    await k('patch', 'sts', 'db', '--type=merge', '-p', '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete"},"replicas":2}}');
    await until('db-1 back', async () => {
      const r = await k('get', 'pod', 'db-1', '-o', 'jsonpath={.metadata.deletionTimestamp}');
      return r.code === 0 && r.stdout === '';
    });
    await setPhase('db-1', 'Running');
    await k('scale', 'sts', 'db', '--replicas=1');
    // ... then the garbage collector deletes the claim with the pod; db-0's claim stays.
    await until('data-db-1 deleted with its pod', async () => (await k('get', 'pvc', 'data-db-1')).code !== 0);
    assert.equal((await k('get', 'pvc', 'data-db-0')).code, 0);
  });

  it('endpointslice mirroring: a selector-less service with hand-written endpoints gets a mirrored slice', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external-db' }, spec: { ports: [{ name: 'pg', port: 5432 }] } };
    const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external-db' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], notReadyAddresses: [{ ip: '192.0.2.11' }], ports: [{ name: 'pg', port: 5432 }] }] };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(svc) })).code, 0);
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(ep) })).code, 0);
    const slice = await until('mirrored slice', async () => {
      const r = await k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=external-db', '-o', 'json');
      const items = r.code === 0 ? JSON.parse(r.stdout).items : [];
      return items.length === 1 && items[0];
    });
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.deepEqual(slice.endpoints.map((e: any) => [e.addresses[0], e.conditions.ready]), [['192.0.2.10', true], ['192.0.2.11', false]]);
    assert.deepEqual(slice.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
  });

  it('resourcequota: status.used counts pods, requests and objects in the namespace', async () => {
    await k('create', 'namespace', 'quota');
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'quota' }, spec: { hard: { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi', configmaps: '5', 'count/deployments.apps': '3' } } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(quota) })).code, 0);
    for (const [name, cpu, mem] of [
      ['a', '500m', '1Gi'],
      ['b', '1500m', '512Mi'],
    ]) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'quota' }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu }, limits: { cpu, memory: mem } } }] } };
      assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) })).code, 0);
    }
    await k('create', 'configmap', 'c', '-n', 'quota', '--from-literal=a=b');
    await k('create', 'deployment', 'd', '-n', 'quota', '--image=nginx', '--replicas=0');
    const used = await until('quota usage', async () => {
      const u = JSON.parse((await k('get', 'resourcequota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used}')).stdout || '{}');
      return u.pods === '2' && u['requests.cpu'] === '2' && u['count/deployments.apps'] === '1' && u.configmaps === '2' && u;
    });
    // configmaps: ours and kube-root-ca.crt, which the root CA publisher puts in every namespace (as kube).
    assert.deepEqual(used, { pods: '2', 'requests.cpu': '2', 'limits.memory': '1536Mi', configmaps: '2', 'count/deployments.apps': '1' });
  });

  it('persistent volumes: a claim binds to the smallest fitting volume; a default local-path class provisions', async () => {
    const pv = (name: string, size: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: `/srv/${name}` } } });
    for (const [n, size] of [
      ['pv-big', '10Gi'],
      ['pv-small', '2Gi'],
    ])
      assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(pv(n, size)) })).code, 0);
    const claim = (name: string, cls?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(cls ? { storageClassName: cls } : {}) } });
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(claim('c1', 'manual')) })).code, 0);
    await until('c1 Bound to pv-small', async () => /c1\s+Bound\s+pv-small\s+2Gi\s+RWO\s+manual/.test((await k('get', 'pvc', 'c1')).stdout));
    assert.match((await k('get', 'pv', 'pv-small')).stdout, /Bound\s+default\/c1/);
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'keelson.io/local-path', reclaimPolicy: 'Delete' };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(sc) })).code, 0);
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(claim('c2')) })).code, 0);
    const vol = await until('c2 provisioned and Bound', async () => {
      const r = (await k('get', 'pvc', 'c2', '-o', 'jsonpath={.status.phase} {.spec.volumeName}')).stdout.split(' ');
      return r[0] === 'Bound' && r[1];
    });
    assert.match(vol, /^pvc-/);
    await k('delete', 'pvc', 'c2');
    await until('provisioned volume deleted with its claim', async () => (await k('get', 'pv', vol)).code !== 0);
  });

  it('job: parallel pods complete; failures back off until backoffLimit', async () => {
    const ok = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'ok' }, spec: { parallelism: 2, completions: 3, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(ok) })).code, 0);
    const pods = await until('2 parallel job pods', async () => {
      const n = await names(['get', 'pods', '-l', 'job-name=ok']);
      return n.length === 2 && n;
    });
    for (const p of pods) await setPhase(p.replace('pod/', ''), 'Succeeded');
    await until('more job pods or completion', async () => {
      const more = (await names(['get', 'pods', '-l', 'job-name=ok'])).filter((p) => !pods.includes(p));
      for (const p of more) await setPhase(p.replace('pod/', ''), 'Succeeded');
      return (await k('get', 'job', 'ok', '-o', 'jsonpath={.status.conditions[?(@.type=="Complete")].status}')).stdout === 'True';
    });
    assert.match((await k('get', 'job', 'ok')).stdout, /ok\s+Complete\s+3\/3/);

    const spec = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bad' }, spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(spec) })).code, 0);
    const [bad] = await until('bad pod', async () => {
      const n = await names(['get', 'pods', '-l', 'job-name=bad']);
      return n.length === 1 && n;
    });
    await setPhase(bad.replace('pod/', ''), 'Failed');
    const reason = await until('Failed condition', async () => (await k('get', 'job', 'bad', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}')).stdout || undefined);
    assert.equal(reason, 'BackoffLimitExceeded');
  });

  it('job: a pod failure policy ignores some failures (exit code, DisruptionTarget) and fails the job on others', async () => {
    const rules = [
      { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [3] } },
      { action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    ];
    const spec = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'keelson-pfp' }, spec: { backoffLimit: 0, podFailurePolicy: { rules }, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(spec) })).code, 0);
    const seen: string[] = [];
    const nextPod = (what: string) =>
      until(what, async () => {
        const fresh = (await names(['get', 'pods', '-l', 'job-name=keelson-pfp'])).filter((p) => !seen.includes(p));
        if (fresh.length !== 1) return undefined;
        seen.push(fresh[0]);
        return fresh[0].replace('pod/', '');
      });
    const fail = async (pod: string, exitCode: number, conditions: unknown[] = []) => {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const containerStatuses = [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: 'Error', startedAt: now, finishedAt: now } }, lastState: {} }];
      const status = { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }, ...conditions], containerStatuses, startTime: now };
      const r = await api.kubectl(['patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
      assert.equal(r.code, 0, r.out);
    };
    const jobField = async (path: string) => (await k('get', 'job', 'keelson-pfp', '-o', `jsonpath=${path}`)).stdout;
    // exit code 42 is ignored: not counted against backoffLimit 0, and the pod is replaced at once
    await fail(await nextPod('first pod'), 42);
    const second = await nextPod('a replacement for the ignored failure');
    assert.equal(await jobField('{.status.failed}'), '');
    assert.equal(await jobField('{.status.conditions[?(@.type=="Failed")].status}'), '');
    // an evicted pod (DisruptionTarget) that fails is ignored too
    await fail(second, 137, [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }]);
    const third = await nextPod('a replacement for the disrupted pod');
    // exit code 3 of container c fails the whole job, with kube's reason and message
    await fail(third, 3);
    const reason = await until('Failed condition', async () => (await jobField('{.status.conditions[?(@.type=="Failed")].reason}')) || undefined);
    assert.equal(reason, 'PodFailurePolicy');
    assert.equal(await jobField('{.status.conditions[?(@.type=="Failed")].message}'), `Container c for pod default/${third} failed with exit code 3 matching FailJob rule at index 0`);
    assert.equal(await jobField('{.status.failed}'), '1');
    assert.match((await k('get', 'job', 'keelson-pfp')).stdout, /keelson-pfp\s+Failed\s+0\/1/);
  });
});
