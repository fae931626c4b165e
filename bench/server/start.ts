// `keelson server` to a Ready node: the budget is under 1 s (k3s takes about 50 s to the same
// point; no k3s runs here to compare with in the same run, so its figure is the reference).
//
//   node --import tsx bench/server/start.ts [--runtime process|cri] [--runs 5] [--bin path/to/keelson]
//                                           [--peer-bin other/build/bin/keelson] [--idle-ms 5000] [--nice -10]
//                                           [--trace] [--pod]
//
// Each run starts `bin/keelson server` on a fresh data dir (first start: the PKI is created) and
// then restarts it on the same dir (certificates and store reused), and records, from the spawn:
// when the admin kubeconfig appears, when /readyz answers, when the node reads Ready and when the
// default ServiceAccount exists (the controller manager makes it; issue 7 counts a cluster Ready
// with both), polled every 20 ms with one kept-alive client, not kubectl, whose own start would
// dominate. Also the CLI's own start (`keelson version`), which every command pays, and the
// server's resident memory once it has been idle for --idle-ms after the restart's Ready.
// With --peer-bin (another build, e.g. the commit before a change), runs alternate between the
// two builds (A/B/A/B), so both see the same load on a shared machine, and the ratios are printed.
// --nice N runs the servers (both builds) at that scheduling priority (negative needs root): on a
// machine busy with other work, their times then say more about keelson than about the others.
// --trace also reads the server's own log (info level) and reports when each step of the start
// was logged, from the spawn (containerd answering, the apiserver ready, the node registered, its
// pod network configured, the node Ready...). --pod checks that the first start's Ready node runs
// a pod at once: a pod (the pause image, present on both runtimes) is created as soon as Ready is
// seen, and the time until it is Running with a pod IP is reported (the restart then adopts it).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { flag, freePort, percentile } from '../lib/util.js';

const bin = flag('bin', fileURLToPath(new URL('../../bin/keelson', import.meta.url)));
const runtime = flag('runtime', process.getuid?.() === 0 ? 'cri' : 'process');
const peerBin = flag('peer-bin', '');
const runs = Number(flag('runs', '5'));
const idleMs = Number(flag('idle-ms', '5000'));
const niceness = Number(flag('nice', '0'));
const trace = process.argv.includes('--trace');
const withPod = process.argv.includes('--pod');
/** Log messages of the server's start, in the order they usually come. */
const STEPS = [
  'containerd running',
  'connected to the CRI runtime',
  'apiserver ready',
  'controllers started',
  'nodes registered',
  'imported the pause image',
  'pod network configured (CNI bridge keelson0)',
  'node is Ready',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Times {
  kubeconfig: number;
  readyz: number;
  nodeReady: number;
  defaultServiceAccount: number;
  /** CPU time (user + system, ms) the server had used when it was first seen Ready: less bent
   * by other work on the machine than the wall-clock times. */
  cpuMs: number;
  /** Resident set size (MB) after idling (restarts only). */
  rssMb?: number;
  /** --trace: when each of STEPS was logged, ms from the spawn. */
  steps: Record<string, number>;
  /** --pod: when the pod created at Ready was Running with an IP, ms from the spawn. */
  podRunning?: number;
}

/** CPU time (user + system) of a process so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** VmRSS of a process, in MB. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function once(bin: string, dir: string, idle = 0, pod = false): Promise<Times> {
  const port = await freePort();
  const t0 = performance.now();
  const spawnedAt = Date.now();
  const args = ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', '', '--runtime', runtime, '--node-name', 'bench-node'];
  // nice(1) execs the server: the same process id.
  const [cmd, argv] = niceness ? ['nice', ['-n', String(niceness), bin, ...args]] : [bin, args];
  // Logs go to stderr.
  const server = spawn(cmd, argv, { stdio: ['ignore', 'ignore', trace ? 'pipe' : 'ignore'], env: { ...process.env, KEELSON_LOG_LEVEL: trace ? 'info' : 'warn' } });
  const kc = join(dir, 'admin.kubeconfig');
  let client: RestClient | undefined;
  const t: Partial<Times> = { steps: {} };
  if (trace) {
    let buf = '';
    server.stderr!.on('data', (d: Buffer) => {
      const lines = (buf + d.toString()).split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        try {
          const { msg, time } = JSON.parse(line);
          if (STEPS.includes(msg) && t.steps![msg] === undefined) t.steps![msg] = Date.parse(time) - spawnedAt;
        } catch {
          // not a log line (the start banner)
        }
      }
    });
  }
  try {
    for (let i = 0; t.nodeReady === undefined || t.defaultServiceAccount === undefined; i++) {
      if (performance.now() - t0 > 60_000) throw new Error(`no Ready node within 60 s (${JSON.stringify(t)})`);
      if (t.kubeconfig === undefined && existsSync(kc)) t.kubeconfig = performance.now() - t0;
      if (t.kubeconfig !== undefined && t.readyz === undefined) {
        // (Re)read the kubeconfig until the apiserver answers with it: it may be mid-write.
        client?.close();
        client = undefined;
        try {
          client = new RestClient({ ...loadKubeconfig(kc), userAgent: 'keelson-bench' });
          if ((await client.get<string>('/readyz').catch(() => '')) === 'ok') t.readyz = performance.now() - t0;
        } catch {
          // not yet
        }
      }
      if (client && t.readyz !== undefined && t.defaultServiceAccount === undefined) {
        if (await client.get('/api/v1/namespaces/default/serviceaccounts/default').catch(() => undefined)) t.defaultServiceAccount = performance.now() - t0;
      }
      if (client && t.readyz !== undefined && t.nodeReady === undefined) {
        // Ready as this run's kubelet posted it: after a restart the stored Node still reads Ready
        // from the last run, so the condition's heartbeat (whole seconds) must be from this run
        // (runs are more than a second apart).
        const node = await client.get('/api/v1/nodes/bench-node').catch(() => undefined);
        const ready = node?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        if (ready?.status === 'True' && Date.parse(ready.lastHeartbeatTime) >= Math.floor(spawnedAt / 1000) * 1000) t.nodeReady = performance.now() - t0;
      }
      if (t.nodeReady === undefined || t.defaultServiceAccount === undefined) await sleep(20);
    }
    t.cpuMs = server.pid ? cpuMs(server.pid) : NaN;
    if (pod && client) t.podRunning = await runPod(client, t0);
    if (idle && server.pid) {
      await sleep(idle);
      t.rssMb = rssMb(server.pid);
    }
    return t as Times;
  } finally {
    client?.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await sleep(1100);
  }
}

/** Creates a pod and waits until it is Running with a pod IP; ms from t0. */
async function runPod(client: RestClient, t0: number): Promise<number> {
  const name = 'keelson-bench-first-pod';
  await client.post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'pause', image: 'localhost/keelson/pause:1', imagePullPolicy: 'IfNotPresent' }] } });
  for (;;) {
    if (performance.now() - t0 > 60_000) throw new Error('the first pod was not Running with an IP within 60 s of the spawn');
    const p = await client.get(`/api/v1/namespaces/default/pods/${name}`).catch(() => undefined);
    if (p?.status?.phase === 'Running' && p.status.podIP) {
      const events = await client.get(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=${name}`).catch(() => ({ items: [] }));
      const warnings = events.items.filter((e: { type: string }) => e.type === 'Warning').map((e: { reason: string; message: string }) => `${e.reason}: ${e.message}`);
      if (warnings.length) console.error(`first pod: ${warnings.join('; ')}`);
      return performance.now() - t0;
    }
    await sleep(20);
  }
}

interface Results {
  version: number[];
  first: Times[];
  again: Times[];
}

const median = (xs: number[]) => percentile(xs, 50);
const fmt = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');

async function round(bin: string, r: Results): Promise<void> {
  const t = performance.now();
  spawnSync(bin, ['version']);
  r.version.push(performance.now() - t);
  const dir = mkdtempSync(join(tmpdir(), 'keelson-bench-start-'));
  try {
    r.first.push(await once(bin, dir, 0, withPod));
    r.again.push(await once(bin, dir, idleMs));
  } finally {
    if (runtime === 'cri') spawnSync(bin, ['killall', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const bins = peerBin ? [bin, peerBin] : [bin];
  const results = bins.map((): Results => ({ version: [], first: [], again: [] }));
  const load0 = loadavg()[0];
  for (let i = 0; i < runs; i++) for (const [k, b] of bins.entries()) await round(b, results[k]);
  console.log(`keelson server --runtime ${runtime}, ${runs} runs${peerBin ? ' per build, alternating' : ''}${niceness ? `, nice ${niceness}` : ''}, load average ${load0.toFixed(1)} at the start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end, node ${process.version}, ${execFileSync('nproc').toString().trim()} CPUs`);
  for (const [k, b] of bins.entries()) console.log(`${k === 0 ? 'A' : 'B'}: ${b}`);
  const head = peerBin ? '| ms from spawn (median, min-max) | A | B | A/B |\n|---|---:|---:|---:|' : '| ms from spawn (median, min-max) | A |\n|---|---:|';
  console.log(head);
  const row = (name: string, pick: (r: Results) => number[]) => {
    const cells = results.map((r) => {
      const xs = pick(r).filter(Number.isFinite);
      return `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
    });
    const ratio = peerBin ? ` | ${(median(pick(results[0])) / median(pick(results[1]))).toFixed(2)}` : '';
    console.log(`| ${name} | ${cells.join(' | ')}${ratio} |`);
  };
  row('`keelson version` (CLI start)', (r) => r.version);
  for (const phase of ['first', 'again'] as const) {
    const name = phase === 'first' ? 'first start' : 'restart';
    row(`${name}: admin.kubeconfig written`, (r) => r[phase].map((x) => x.kubeconfig));
    row(`${name}: /readyz ok`, (r) => r[phase].map((x) => x.readyz));
    row(`${name}: node Ready`, (r) => r[phase].map((x) => x.nodeReady));
    row(`${name}: default ServiceAccount`, (r) => r[phase].map((x) => x.defaultServiceAccount));
    row(`${name}: Ready (node and ServiceAccount)`, (r) => r[phase].map((x) => Math.max(x.nodeReady, x.defaultServiceAccount)));
    row(`${name}: CPU ms used by then`, (r) => r[phase].map((x) => x.cpuMs));
    if (phase === 'first' && withPod) {
      row(`${name}: pod created at Ready, Running with an IP`, (r) => r[phase].map((x) => x.podRunning ?? NaN));
      row(`${name}: ... that is, after Ready`, (r) => r[phase].map((x) => (x.podRunning ?? NaN) - Math.max(x.nodeReady, x.defaultServiceAccount)));
    }
    if (trace) for (const step of STEPS) if (results.some((r) => r[phase].some((x) => x.steps[step] !== undefined))) row(`${name}: log "${step}"`, (r) => r[phase].map((x) => x.steps[step] ?? NaN));
  }
  row(`idle RSS ${idleMs / 1000} s after the restart's Ready, MB`, (r) => r.again.map((x) => x.rssMb ?? NaN));
  const ready = median(results[0].first.map((x) => Math.max(x.nodeReady, x.defaultServiceAccount)));
  console.log(`A, first start to Ready (node and default ServiceAccount) vs the 1 s budget: ${(ready / 1000).toFixed(2)}x (k3s: about 50 s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
