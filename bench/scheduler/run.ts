// Scheduler benchmark, after kube-scheduler's scheduler_perf: a fresh `keelson apiserver`, N
// simulated nodes (Node objects with capacity; no kubelet), then M pods created by concurrent
// clients while `keelson scheduler` runs as its own process. Reports pods/s end to end (created
// -> bound, as seen through a watch) and scheduling latency percentiles, for:
//   basic      SchedulingBasic: plain pods with small requests
//   spread     pods with a zone topology spread constraint (maxSkew 1, DoNotSchedule)
//   preempt    nodes filled with low-priority pods, then high-priority pods that must preempt
// Usage: node --import tsx bench/scheduler/run.ts [--nodes 5000] [--pods 10000] [--variant basic|spread|preempt|all] [--clients 50]
//        [--cpu-prof DIR]   write V8 CPU profiles of the apiserver and the scheduler into DIR
//        [--bin PATH]       the keelson launcher to run (default: this tree's bin/keelson)
//        [--precreate]      create every pod first, then start the scheduler: pods/s binding is
//                           its drain rate alone (first to last bind), not bounded by the creates
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { flag, freePort, percentile as pct } from '../lib/util.js';

const NODES = Number(flag('nodes', '5000'));
const PODS = Number(flag('pods', '10000'));
const CLIENTS = Number(flag('clients', '50'));
const VARIANT = flag('variant', 'basic');
const CPU_PROF = flag('cpu-prof', '');
const PRECREATE = process.argv.includes('--precreate');
const bin = flag('bin', fileURLToPath(new URL('../../bin/keelson', import.meta.url)));


async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}


/** Start `bin/keelson args`, under --cpu-prof when asked (profile written on SIGINT). */
function keelson(args: string[]) {
  const prof = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF, '--cpu-prof-name', `${args[0]}.cpuprofile`] : [];
  return spawn(process.execPath, [...prof, bin, ...args], { stdio: 'ignore', env: { ...process.env, KEELSON_LOG_LEVEL: 'error' } });
}

async function stop(p: ReturnType<typeof spawn>): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill(CPU_PROF ? 'SIGINT' : 'SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  p.kill('SIGKILL');
}

function cpuSeconds(pid: number): Promise<number> {
  return import('node:fs/promises').then(async (fs) => {
    const stat = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  });
}

async function runVariant(variant: string): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-bench-sched-'));
  const port = await freePort();
  const api = keelson(['apiserver', '--data-dir', dir, '--secure-port', String(port), '--max-requests-inflight', '2000', '--max-mutating-requests-inflight', '1000']);
  const kc = join(dir, 'admin.kubeconfig');
  let client: RestClient | undefined;
  for (let i = 0; i < 100 && !client; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const c = new RestClient({ ...loadKubeconfig(kc), qps: 1e6, burst: 1e6 });
      await c.get('/readyz');
      client = c;
    } catch {}
  }
  if (!client) throw new Error('apiserver did not start');
  const c = client;
  const zones = 10;
  const t0 = Date.now();
  await pool(
    Array.from({ length: NODES }, (_, i) => i),
    CLIENTS,
    async (i) => {
      const alloc = { cpu: '32', memory: '128Gi', pods: '110' };
      await c.post('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % zones}` } },
        status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
      });
    },
  );
  const nodeSecs = (Date.now() - t0) / 1000;
  if (variant === 'preempt') {
    // Fill every node's pod slots' cpu with low-priority pods, bound directly (no scheduler yet).
    await pool(
      Array.from({ length: NODES }, (_, i) => i),
      CLIENTS,
      async (i) => {
        await c.post('/api/v1/namespaces/default/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `filler-${i}` },
          spec: { nodeName: `node-${i}`, priority: 0, containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '31', memory: '1Gi' } } }] },
        });
      },
    );
  }
  const startScheduler = async () => {
    const p = keelson(['scheduler', '--kubeconfig', kc, '--leader-elect', 'false', '--secure-port', '-1', '--kube-api-qps', '5000', '--kube-api-burst', '10000']);
    await new Promise((r) => setTimeout(r, 1500)); // informers synced
    return p;
  };
  let sched = PRECREATE ? undefined : await startScheduler();
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  const ac = new AbortController();
  const list = await c.get('/api/v1/namespaces/default/pods', { limit: 1 });
  void c.watch('/api/v1/namespaces/default/pods', { resourceVersion: list.metadata?.resourceVersion }, (e) => {
    const name = e.object?.metadata?.name;
    if (name && e.object?.spec?.nodeName && !bound.has(name) && name.startsWith('pod-')) bound.set(name, performance.now());
  }, ac.signal);
  const cpu0 = sched ? await cpuSeconds(sched.pid!) : 0;
  const podCpu = variant === 'preempt' ? '2' : '100m';
  const start = performance.now();
  await pool(
    Array.from({ length: PODS }, (_, i) => i),
    CLIENTS,
    async (i) => {
      const name = `pod-${i}`;
      const spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: podCpu, memory: '100Mi' } } }] };
      if (variant === 'spread') spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }];
      if (variant === 'preempt') spec.priority = 1000;
      created.set(name, performance.now());
      await c.post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'spread' } }, spec });
    },
  );
  const createSecs = (performance.now() - start) / 1000;
  sched ??= await startScheduler();
  const want = variant === 'preempt' ? Math.min(PODS, NODES) : PODS;
  const deadline = Date.now() + 600_000;
  while (bound.size < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const end = Math.max(...bound.values());
  const first = Math.min(...bound.values());
  const cpu1 = await cpuSeconds(sched.pid!);
  const lat = [...bound.entries()].map(([n, t]) => t - (created.get(n) ?? t));
  ac.abort();
  await stop(sched);
  await stop(api);
  c.close();
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
  return {
    variant,
    nodes: NODES,
    pods: PODS,
    bound: bound.size,
    'node setup s': nodeSecs.toFixed(1),
    'create s': createSecs.toFixed(1),
    'pods/s e2e': PRECREATE ? '-' : (bound.size / ((end - start) / 1000)).toFixed(0),
    'pods/s binding': (bound.size / ((end - first) / 1000)).toFixed(0),
    'p50 ms': pct(lat, 50).toFixed(0),
    'p99 ms': pct(lat, 99).toFixed(0),
    'scheduler CPU s/1k pods': ((cpu1 - cpu0) / (bound.size / 1000)).toFixed(2),
  };
}

const variants = VARIANT === 'all' ? ['basic', 'spread', 'preempt'] : [VARIANT];
const rows = [];
for (const v of variants) rows.push(await runVariant(v));
console.table(rows);
console.log('kube-scheduler CI floor (SchedulingBasic, 5000 nodes): 270 pods/s; keelson goal: 1000 pods/s');
