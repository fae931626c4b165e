// One open-loop load process of bench/apiserver/run.ts: sends pod creates at a fixed rate from a
// shared start time, whatever the server's answers do (no waiting for the previous response), and
// measures each create's latency from its *scheduled* send time, so time spent queued (in this
// process, in the socket pool, in the server) counts, as the SLO means it.
// Run by run.ts as a child process; prints one JSON line with the results on stdout.
// Usage: node --import tsx open-loop-client.ts --kubeconfig K --rate R --duration S --start EPOCH_MS
//          --namespace NS --prefix P
import https from 'node:https';
import http from 'node:http';
import { createSecureContext } from 'node:tls';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { flag } from '../lib/util.js';

const cfg = loadKubeconfig(flag('kubeconfig', ''));
const RATE = Number(flag('rate', '500'));
const DURATION = Number(flag('duration', '10'));
const START = Number(flag('start', String(Date.now() + 500)));
const NS = flag('namespace', 'default');
const PREFIX = flag('prefix', 'ol');
// A bounded pool of keep-alive connections, opened before the start: enough that the pool never
// queues while the server keeps up (a create takes a few ms), few enough that a server falling
// behind is not also hit by a storm of TLS handshakes (client-go multiplexes everything over one
// HTTP/2 connection). Requests waiting for a socket count in the latency.
const SOCKETS = Number(flag('sockets', '32'));

const url = new URL(cfg.server);
const tls = url.protocol === 'https:';
const agent = tls
  ? new https.Agent({ keepAlive: true, maxSockets: SOCKETS, secureContext: createSecureContext({ ca: cfg.ca, cert: cfg.cert, key: cfg.key }) })
  : new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
const mod = tls ? https : http;
const path = `/api/v1/namespaces/${NS}/pods`;
const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'keelson-bench-open-loop' };
if (cfg.token) headers.Authorization = `Bearer ${cfg.token}`;

function body(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${PREFIX}-${i}`, labels: { app: 'bench-open', n: String(i % 10) } },
    spec: { nodeName: `node-${i % 100}`, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
}

const latencies: number[] = [];
const lateness: number[] = [];
const codes: Record<string, number> = {};
let done = 0;

function send(i: number, scheduledAt: number): Promise<void> {
  const b = body(i);
  lateness.push(performance.now() - scheduledAt);
  return new Promise((resolve) => {
    const req = mod.request({ hostname: url.hostname, port: url.port, path, method: 'POST', agent, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(b)) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        latencies.push(performance.now() - scheduledAt);
        codes[res.statusCode ?? 0] = (codes[res.statusCode ?? 0] ?? 0) + 1;
        done++;
        resolve();
      });
    });
    req.on('error', (e) => {
      codes[e.message] = (codes[e.message] ?? 0) + 1;
      done++;
      resolve();
    });
    req.end(b);
  });
}

// Open the pool before the start time (TLS handshakes are not part of a create's cost).
await Promise.all(
  Array.from(
    { length: SOCKETS },
    () =>
      new Promise<void>((resolve) => {
        const req = mod.request({ hostname: url.hostname, port: url.port, path: `${path}?limit=1`, agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', () => resolve());
        req.end();
      }),
  ),
);

const total = Math.round(RATE * DURATION);
// Map the shared wall-clock start onto this process's monotonic clock.
const t0 = performance.now() + (START - Date.now());
const pending: Promise<void>[] = [];
let n = 0;
let cpuStart: NodeJS.CpuUsage | undefined;
await new Promise<void>((resolve) => {
  const tick = () => {
    cpuStart ??= process.cpuUsage();
    const now = performance.now();
    // Send everything whose time has come (a late timer sends the backlog at once, each request
    // still timed from its own scheduled instant).
    while (n < total && t0 + (n * 1000) / RATE <= now) {
      pending.push(send(n, t0 + (n * 1000) / RATE));
      n++;
    }
    if (n >= total) return resolve();
    setTimeout(tick, Math.max(0, t0 + (n * 1000) / RATE - performance.now()));
  };
  setTimeout(tick, Math.max(0, t0 - performance.now()));
});
await Promise.all(pending);
agent.destroy();
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(JSON.stringify({ sent: total, done, latencies, lateness, codes, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
