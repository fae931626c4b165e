// API server benchmark: a fresh `keelson apiserver` on the embedded store, and one on a fresh
// real etcd 3.4, each driven the same way:
//   creates   N pods from C concurrent clients (ops/s, p50/p99 latency, apiserver CPU per create)
//   list      the N pods, from the watch cache (resourceVersion=0) and consistent (ms)
//   watch     W watchers of the namespace; M updates; delivery latency p50/p99 across all watchers
//   open loop pod creates at a fixed arrival rate R/s for S seconds from P client processes, each
//             create's latency measured from its scheduled send time (queueing counts, as the SLO
//             means); achieved rate, p50/p99/max, apiserver CPU per create, client CPU
// Goals (DESIGN): create p99 under 50 ms at 1,000 creates/s; a 10,000-pod list under 100 ms.
// Usage: node --import tsx bench/apiserver/run.ts [--pods 10000] [--clients 50] [--watchers 100] [--updates 200] [--backend embedded|etcd|both]
//        [--rate 1000] [--duration 10] [--procs 2]   the open-loop phase (--rate 0 skips it)
//        [--closed false]  skip the closed-loop creates, lists and watch (open loop only)
//        [--cpu-prof DIR]  write a V8 CPU profile of each apiserver into DIR (apiserver-<backend>.cpuprofile)
//        [--bin B]         run another build of bin/keelson (before/after pairs in one session)
//        [--node-args A]   extra node flags for the apiserver, space-separated (e.g. V8 GC tuning)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { flag, freePort, percentile as pct } from '../lib/util.js';
import { openLoop } from './open-loop.js';

const PODS = Number(flag('pods', '10000'));
const CLIENTS = Number(flag('clients', '50'));
const WATCHERS = Number(flag('watchers', '100'));
const UPDATES = Number(flag('updates', '200'));
const BACKEND = flag('backend', 'both');
const CPU_PROF = flag('cpu-prof', '');
const RATE = Number(flag('rate', '1000'));
const DURATION = Number(flag('duration', '10'));
const PROCS = Number(flag('procs', '2'));
const CLOSED = flag('closed', 'true') !== 'false';
const NODE_ARGS = flag('node-args', '').split(' ').filter(Boolean);
const bin = flag('bin', '') || fileURLToPath(new URL('../../bin/keelson', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Everything started, so that a failed run still leaves no process or directory behind.
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return NaN;
  }
}

async function startEtcd(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const [cp, pp] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${cp}`;
  const proc = spawn('etcd', ['--name', 'bench', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', url, '--advertise-client-urls', url, '--listen-peer-urls', `http://127.0.0.1:${pp}`], { stdio: 'ignore' });
  children.push(proc);
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, proc };
    } catch {}
  }
  throw new Error('etcd did not start');
}

async function run(backend: 'embedded' | 'etcd'): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-bench-api-'));
  dirs.push(dir);
  const etcd = backend === 'etcd' ? await startEtcd(dir) : undefined;
  const port = await freePort();
  const prof = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF, '--cpu-prof-name', `apiserver-${backend}.cpuprofile`] : [];
  const api = spawn(process.execPath, [...NODE_ARGS, ...prof, bin, 'apiserver', '--data-dir', dir, '--secure-port', String(port), '--max-requests-inflight', '4000', '--max-mutating-requests-inflight', '2000', ...(etcd ? ['--etcd-servers', etcd.url] : [])], { stdio: 'ignore', env: { ...process.env, KEELSON_LOG_LEVEL: 'error' } });
  children.push(api);
  let c: RestClient | undefined;
  for (let i = 0; i < 200 && !c; i++) {
    await sleep(100);
    try {
      const x = new RestClient({ ...loadKubeconfig(join(dir, 'admin.kubeconfig')), qps: 1e6, burst: 1e6 });
      await x.get('/readyz');
      c = x;
    } catch {}
  }
  if (!c) throw new Error('apiserver did not start');
  const client = c;
  const row: Record<string, string | number> = { backend };
  if (CLOSED) Object.assign(row, await closedLoop(client, api));
  if (RATE > 0) Object.assign(row, await openLoop({ client, kubeconfig: join(dir, 'admin.kubeconfig'), pid: api.pid, rate: RATE, duration: DURATION, procs: PROCS, cpuSeconds }));
  if (CPU_PROF) {
    // The profile is written when the process exits on SIGINT.
    const exited = new Promise((r) => api.once('exit', r));
    api.kill('SIGINT');
    await Promise.race([exited, sleep(10_000)]);
  }
  api.kill('SIGKILL');
  etcd?.proc.kill('SIGKILL');
  client.close();
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
  return row;
}

// One kept-alive connection for the timed lists (no TLS handshake in the numbers).
const listAgent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET a path with the client's credentials; resolves with the body unparsed. */
function rawGet(client: RestClient, path: string): Promise<string> {
  const url = new URL(client.config.server);
  const cfg = client.config;
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ hostname: url.hostname, port: url.port, path, agent: listAgent, ca: cfg.ca, cert: cfg.cert, key: cfg.key, headers: { Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The closed loop: PODS creates from CLIENTS concurrent clients, then lists, then watch fan-out. */
async function closedLoop(client: RestClient, api: ChildProcess): Promise<Record<string, string | number>> {
  // Creates.
  const lat: number[] = [];
  let next = 0;
  const cpu0 = cpuSeconds(api.pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < PODS) {
        const i = next++;
        const s = performance.now();
        await client.post('/api/v1/namespaces/default/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `pod-${i}`, labels: { app: 'bench', n: String(i % 10) } },
          spec: { nodeName: `node-${i % 100}`, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        });
        lat.push(performance.now() - s);
      }
    }),
  );
  const createSecs = (performance.now() - t0) / 1000;
  const createCpu = cpuSeconds(api.pid) - cpu0;
  // Lists.
  // Time to the last byte of the response (the server's work and the transfer; the client's own
  // JSON parse of ~10 MB, ~100 ms here, is not the server's). Each response is checked after.
  const timeList = async (query: Record<string, string>) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const text = await rawGet(client, `/api/v1/namespaces/default/pods?${new URLSearchParams(query)}`);
      runs.push(performance.now() - s);
      const n = (JSON.parse(text).items ?? []).length;
      if (n !== PODS) throw new Error(`list returned ${n} pods`);
    }
    return pct(runs, 50);
  };
  // resourceVersion=0 may be served from a watch cache that is a few events behind the last
  // create's response (Kubernetes allows any freshness there): wait until it has every pod.
  for (let i = 0; i < 100; i++) {
    if (((await client.get('/api/v1/namespaces/default/pods', { resourceVersion: '0' })).items ?? []).length === PODS) break;
    await sleep(100);
  }
  const listCache = await timeList({ resourceVersion: '0' });
  const listConsistent = await timeList({});
  listAgent.destroy();
  // Watch fan-out.
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const ac = new AbortController();
  const rv = (await client.get('/api/v1/namespaces/default/pods', { limit: '1' })).metadata?.resourceVersion;
  for (let w = 0; w < WATCHERS; w++) {
    const wc = new RestClient({ ...client.config });
    void wc
      .watch('/api/v1/namespaces/default/pods', { resourceVersion: rv }, (e) => {
        const tag = e.object?.metadata?.annotations?.tag;
        const at = tag && sent.get(tag);
        if (at) delays.push(performance.now() - at);
      }, ac.signal)
      .catch(() => {});
  }
  await sleep(1000);
  for (let u = 0; u < UPDATES; u++) {
    const tag = `u${u}`;
    sent.set(tag, performance.now());
    await client.patch(`/api/v1/namespaces/default/pods/pod-${u % PODS}`, { metadata: { annotations: { tag } } }, 'merge');
    await sleep(5);
  }
  const deadline = Date.now() + 20_000;
  while (delays.length < UPDATES * WATCHERS && Date.now() < deadline) await sleep(100);
  ac.abort();
  return {
    pods: PODS,
    'creates/s': (PODS / createSecs).toFixed(0),
    'create p50 ms': pct(lat, 50).toFixed(1),
    'create p99 ms': pct(lat, 99).toFixed(1),
    'apiserver CPU ms/create': ((createCpu * 1000) / PODS).toFixed(3),
    'list rv=0 ms': listCache.toFixed(0),
    'list consistent ms': listConsistent.toFixed(0),
    [`watch deliveries (of ${UPDATES * WATCHERS})`]: delays.length,
    'watch p50 ms': pct(delays, 50).toFixed(1),
    'watch p99 ms': pct(delays, 99).toFixed(1),
  };
}

const rows: Record<string, string | number>[] = [];
try {
  for (const b of BACKEND === 'both' ? (['embedded', 'etcd'] as const) : [BACKEND as 'embedded' | 'etcd']) rows.push(await run(b));
} finally {
  for (const p of children) p.kill('SIGKILL');
  await sleep(300);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
// Ratios keelson on the embedded store / keelson on real etcd, for every numeric column.
if (rows.length === 2) {
  const ratio: Record<string, string> = { backend: 'embedded/etcd' };
  for (const k of Object.keys(rows[0])) {
    const [a, b] = [Number(rows[0][k]), Number(rows[1][k])];
    if (k !== 'backend' && Number.isFinite(a) && Number.isFinite(b) && b !== 0) ratio[k] = `${(a / b).toFixed(2)}x`;
  }
  rows.push(ratio);
}
console.table(rows);
console.log('Goals: create p99 < 50 ms at 1,000 creates/s (Kubernetes SLO: 1 s); 10,000-pod list < 100 ms from the watch cache');
