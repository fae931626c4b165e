// The seeds' node-failure story, with timings set by flags: two nodes heartbeat through their
// Leases (the test plays their kubelets); node-a goes silent; after the grace period it is
// NotReady (Ready=Unknown), tainted unreachable, its pod is evicted once its toleration runs out,
// and the ReplicaSet's replacement is scheduled on node-b. When node-a comes back its taints go.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { microTime } from '../../src/client/leader-election.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));


describe('node failure: NotReady, taints, eviction after toleration, replacement elsewhere', () => {
  let api: TestApiServer;
  let client: RestClient;
  const procs: ChildProcess[] = [];
  const beating = new Set(['node-a', 'node-b']);
  let heart: NodeJS.Timeout | undefined;
  let logs = '';

  const heartbeat = async (name: string) => {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const now = microTime(Date.now());
    try {
      const lease = await client.get(path);
      await client.put(path, { ...lease, spec: { ...lease.spec, renewTime: now } });
    } catch {
      await client.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
      });
    }
  };
  const setReady = async (name: string) => {
    const node = await client.get(`/api/v1/nodes/${name}`);
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    node.status.conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: ts, lastTransitionTime: ts }];
    await client.put(`/api/v1/nodes/${name}/status`, node);
  };
  const spawnBin = (...args: string[]) => {
    const c = spawn(bin, args, { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d) => (logs += d));
    c.stderr!.on('data', (d) => (logs += d));
    procs.push(c);
  };

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    for (const name of beating) {
      const alloc = { cpu: '4', memory: '8Gi', pods: '110' };
      await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { capacity: alloc, allocatable: alloc } });
      await setReady(name);
      await heartbeat(name);
    }
    heart = setInterval(() => {
      for (const n of beating) void heartbeat(n).catch(() => {});
    }, 500);
    spawnBin('scheduler', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect', 'false');
    spawnBin('controller-manager', '--kubeconfig', api.kubeconfig, '--secure-port', '-1', '--leader-elect', 'false', '--node-monitor-period', '500ms', '--node-monitor-grace-period', '3s');
  });
  after(async () => {
    if (heart) clearInterval(heart);
    for (const p of procs) p.kill('SIGKILL');
    client?.close();
    await api?.stop();
  });

  it('evicts the pods of a silent node after their toleration and replaces them on a healthy node', async () => {
    // Keep the pod off node-b at first so it lands on node-a; tolerate unreachable for 2 s.
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { labels: { app: 'app' } },
          spec: {
            containers: [{ name: 'c', image: 'busybox' }],
            tolerations: [
              { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
              { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
            ],
          },
        },
      },
    };
    await api.kubectl(['cordon', 'node-b']);
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(dep) })).code, 0);
    const first = await until('pod on node-a', async () => {
      const r = await api.kubectl(['get', 'pods', '-l', 'app=app', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}']);
      const line = r.stdout.split('\n').find((l) => l.endsWith(' node-a'));
      return line?.split(' ')[0];
    });
    await api.kubectl(['uncordon', 'node-b']);

    const t0 = Date.now();
    beating.delete('node-a');
    const ready = await until('node-a Ready=Unknown', async () => {
      const s = (await api.kubectl(['get', 'node', 'node-a', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout;
      return s === 'Unknown' && s;
    });
    assert.equal(ready, 'Unknown');
    assert.ok(Date.now() - t0 >= 2500, 'not before the grace period');
    assert.match((await api.kubectl(['get', 'nodes'])).stdout, /node-a\s+NotReady/);
    const reason = (await api.kubectl(['get', 'node', 'node-a', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].message}'])).stdout;
    assert.equal(reason, 'Kubelet stopped posting node status.');
    const taints = await until('unreachable taints', async () => {
      const t = (await api.kubectl(['get', 'node', 'node-a', '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}'])).stdout;
      return t.includes('NoExecute') && t;
    });
    assert.match(taints, /node\.kubernetes\.io\/unreachable:NoSchedule/);
    assert.match(taints, /node\.kubernetes\.io\/unreachable:NoExecute/);

    // The pod goes after its 2 s toleration; its replacement lands on node-b.
    await until('original pod evicted', async () => (await api.kubectl(['get', 'pod', first])).code !== 0 || (await api.kubectl(['get', 'pod', first, '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout !== '');
    const replacement = await until('replacement on node-b', async () => {
      const r = await api.kubectl(['get', 'pods', '-l', 'app=app', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}']);
      return r.stdout.split('\n').find((l) => l.endsWith(' node-b') && !l.startsWith(first + ' '));
    });
    assert.ok(replacement, logs);

    // node-a comes back: Ready again, taints removed.
    beating.add('node-a');
    await setReady('node-a');
    await until('taints removed', async () => (await api.kubectl(['get', 'node', 'node-a', '-o', 'jsonpath={.spec.taints}'])).stdout === '');
  });
});
