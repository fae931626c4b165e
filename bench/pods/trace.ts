// The phase breakdown of `start-latency.ts --trace`: the server runs with debug logs, the
// kubelet logs one "pod start trace" line per pod (src/kubelet/pod-start-trace.ts) and the CRI
// runtime one "pod sandbox ready" line; the benchmark's watch adds when each pod was created,
// bound (spec.nodeName) and first shown Running. This prints p50/p90/max of every phase, so a
// slow start shows where it waits: scheduling, the kubelet's informer, volumes, the sandbox
// (ListPodSandbox/RunPodSandbox/PodSandboxStatus), image, create, start, status write, watch.
import { readdirSync, readFileSync } from 'node:fs';
import { percentile } from '../lib/util.js';

export interface PodTimes {
  created: number;
  scheduled?: number;
  running?: number;
}

interface LogLine {
  msg?: string;
  pod?: string;
  seenAt?: number;
  totalMs?: number;
  phases?: Record<string, number>;
  listMs?: number;
  runMs?: number;
  statusMs?: number;
}

function parse(log: string): LogLine[] {
  const out: LogLine[] = [];
  for (const l of log.split('\n')) {
    if (!l.startsWith('{') || !(l.includes('"pod start trace"') || l.includes('"pod sandbox ready"'))) continue;
    try {
      out.push(JSON.parse(l));
    } catch {
      // a line cut by the pipe: ignore
    }
  }
  return out;
}

/** Rows "phase p50 p90 max" over the pods of the run (names default/<pod>). */
export function traceReport(log: string, pods: Map<string, PodTimes>): string {
  const lines = parse(log);
  const cols = new Map<string, number[]>();
  const add = (k: string, v: number | undefined) => {
    if (v === undefined || Number.isNaN(v)) return;
    if (!cols.has(k)) cols.set(k, []);
    cols.get(k)!.push(v);
  };
  for (const [name, t] of pods) {
    const key = `default/${name}`;
    const tr = lines.find((l) => l.msg === 'pod start trace' && l.pod === key);
    const sb = lines.find((l) => l.msg === 'pod sandbox ready' && l.pod === key);
    add('created -> bound (scheduler)', t.scheduled && t.scheduled - t.created);
    if (tr?.seenAt) add('bound -> kubelet sees it', t.scheduled && tr.seenAt - t.scheduled);
    for (const [k, v] of Object.entries(tr?.phases ?? {})) add(`  kubelet: ${k}`, v);
    if (sb) {
      add('    sandbox: ListPodSandbox', sb.listMs);
      add('    sandbox: RunPodSandbox', sb.runMs);
      add('    sandbox: PodSandboxStatus', sb.statusMs);
    }
    add('kubelet total (seen -> status written)', tr?.totalMs);
    if (tr?.seenAt && tr.totalMs !== undefined) add('status written -> watch shows Running', t.running && t.running - (tr.seenAt + tr.totalMs));
    add('created -> Running', t.running && t.running - t.created);
  }
  const w = Math.max(...[...cols.keys()].map((k) => k.length));
  const rows = [`  ${'phase (ms)'.padEnd(w)}  ${'p50'.padStart(6)} ${'p90'.padStart(6)} ${'max'.padStart(6)}   n`];
  for (const [k, v] of cols) rows.push(`  ${k.padEnd(w)}  ${String(percentile(v, 50)).padStart(6)} ${String(percentile(v, 90)).padStart(6)} ${String(Math.max(...v)).padStart(6)}   ${v.length}`);
  return rows.join('\n');
}

/** The apiserver's requests during the run ("request" debug lines), by verb and path with
 * object names as *, most frequent first: what each pod costs the control plane. */
export function requestCounts(log: string, pods: number, top = 12): string {
  const counts = new Map<string, { n: number; ms: number }>();
  for (const l of log.split('\n')) {
    if (!l.includes('"msg":"request"')) continue;
    let r: { verb?: string; path?: string; ms?: number };
    try {
      r = JSON.parse(l);
    } catch {
      continue;
    }
    if (r.verb === 'watch') continue;
    const path = String(r.path).replace(/^(\/api\/v1|\/apis\/[^/]+\/[^/]+)/, '').replace(/\/namespaces\/[^/]+/, '/namespaces/*').replace(/^(\/namespaces\/\*)?(\/[^/]+)\/[^/]+/, '$1$2/*');
    const k = `${r.verb} ${path}`;
    const c = counts.get(k) ?? { n: 0, ms: 0 };
    c.n++;
    c.ms += r.ms ?? 0;
    counts.set(k, c);
  }
  const rows = [...counts].sort((a, b) => b[1].n - a[1].n).slice(0, top);
  return ['  apiserver requests (not watches) per pod started, mean ms:', ...rows.map(([k, c]) => `    ${(c.n / pods).toFixed(2).padStart(6)}  ${String(Math.round(c.ms / c.n)).padStart(5)} ms  ${k}`)].join('\n');
}

/** CPU seconds (own + reaped children) of the processes whose command line names `dataDir`:
 * the keelson server, its containerd (CNI plugins are its children), the shims (runc). */
export function cpuUnder(dataDir: string): { server: number; containerd: number; shims: number } {
  const out = { server: 0, containerd: 0, shims: 0 };
  const hz = 100;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd.some((a) => a.includes(dataDir))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const secs = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / hz;
      const key = cmd.some((a) => a.includes('containerd-shim')) ? 'shims' : cmd.some((a) => /(^|\/)containerd$/.test(a)) ? 'containerd' : cmd.includes('server') ? 'server' : undefined;
      if (key) out[key] += secs;
    } catch {
      // the process exited meanwhile
    }
  }
  return out;
}
