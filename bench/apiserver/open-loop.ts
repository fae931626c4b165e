// The open-loop phase of bench/apiserver/run.ts: `procs` client processes (open-loop-client.ts)
// together send pod creates at `rate`/s for `duration` s from one shared start time, into a fresh
// namespace. Latency is from each request's scheduled send time, so a server that falls behind
// shows as growing latency instead of as a slower arrival rate (a closed loop hides it).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RestClient } from '../../src/client/rest-client.js';
import { percentile as pct } from '../lib/util.js';

interface ClientResult {
  sent: number;
  done: number;
  latencies: number[];
  lateness: number[];
  codes: Record<string, number>;
  cpuSeconds: number;
}

export interface OpenLoopOptions {
  client: RestClient;
  kubeconfig: string;
  /** The apiserver's pid, for its CPU over the phase. */
  pid: number | undefined;
  rate: number;
  duration: number;
  procs: number;
  cpuSeconds: (pid: number | undefined) => number;
}

const script = fileURLToPath(new URL('./open-loop-client.ts', import.meta.url));
let runs = 0;

export async function openLoop(o: OpenLoopOptions): Promise<Record<string, string | number>> {
  const ns = `keelson-bench-open-${++runs}`;
  await o.client.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // Start time far enough ahead that every client process has loaded (tsx compiles at start).
  const start = Date.now() + 3000;
  const procs = Array.from({ length: o.procs }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', script, '--kubeconfig', o.kubeconfig, '--rate', String(o.rate / o.procs), '--duration', String(o.duration), '--start', String(start), '--namespace', ns, '--prefix', `p${i}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  try {
    const outputs = procs.map(
      (p) =>
        new Promise<ClientResult>((resolve, reject) => {
          let out = '';
          p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          p.on('exit', (code) => {
            try {
              resolve(JSON.parse(out) as ClientResult);
            } catch {
              reject(new Error(`open-loop client exited ${code} without results`));
            }
          });
        }),
    );
    // The apiserver's CPU from the scheduled start until the last answer.
    while (Date.now() < start) await new Promise((r) => setTimeout(r, Math.min(50, start - Date.now())));
    const cpu0 = o.cpuSeconds(o.pid);
    const t0 = performance.now();
    const results = await Promise.all(outputs);
    const secs = (performance.now() - t0) / 1000;
    const cpu = o.cpuSeconds(o.pid) - cpu0;
    const lat = results.flatMap((r) => r.latencies);
    const late = results.flatMap((r) => r.lateness);
    const codes: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + v;
    const created = codes['201'] ?? 0;
    const errors = Object.entries(codes)
      .filter(([k]) => k !== '201')
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return {
      'open: target/s': o.rate,
      'open: created/s': (created / secs).toFixed(0),
      'open: p50 ms': pct(lat, 50).toFixed(1),
      'open: p99 ms': pct(lat, 99).toFixed(1),
      'open: max ms': Math.max(...lat).toFixed(0),
      'open: errors': errors || 0,
      'open: apiserver CPU ms/create': ((cpu * 1000) / Math.max(1, created)).toFixed(3),
      // How late the clients themselves sent (p99): large values mean the client, not the server, lagged.
      'open: client send lag p99 ms': pct(late, 99).toFixed(1),
      'open: client CPU ms/create': ((results.reduce((a, r) => a + r.cpuSeconds, 0) * 1000) / Math.max(1, created)).toFixed(3),
    };
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  }
}
