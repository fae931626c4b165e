// Pod start latency: created -> Running with the image already on the node, the number
// Kubernetes' SLO bounds (p99 under 5 s) and keelson's budget (p99 under 1 s). No real kubelet
// runs here to compare with in the same run, so the SLO is the reference the ratio is taken to.
//
//   node --import tsx bench/pods/start-latency.ts [--runtime cri|process] [--pod-netns true|false] [--pods 50] [--interval-ms 100] [--trace] [--bin path/to/keelson]
//
// Starts `bin/keelson server` (run `npm run build` first) on a temp data dir, imports the busybox
// image built offline (cri), creates pods one every --interval-ms, and records when the API first
// shows each Running (a watch). Prints p50/p90/p99 and the ratio to the 5 s SLO. --trace runs the
// server with debug logs and prints where each start spends its time (trace.ts). --pod-netns
// (process runtime) is passed to the server: unset, the server's default (a network namespace
// per pod as root with the CNI plugins); the pods then use a bridge and cluster CIDR of the
// bench's own, so a node's keelson0 and 10.244.0.0/16 are left alone.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { purgePodNetworks } from '../../src/kubelet/runtime/process/pod-network.js';
import { flag, freePort, percentile } from '../lib/util.js';
import { cpuUnder, requestCounts, traceReport, type PodTimes } from './trace.js';

// --bin: another build to compare with (e.g. a git worktree of an older commit).
const bin = flag('bin', fileURLToPath(new URL('../../bin/keelson', import.meta.url)));
const runtime = flag('runtime', process.getuid?.() === 0 ? 'cri' : 'process');
const pods = Number(flag('pods', '50'));
const intervalMs = Number(flag('interval-ms', '100'));
const trace = process.argv.includes('--trace');
const podNetns = flag('pod-netns', '');
const netArgs = runtime === 'process' ? ['--pod-network-bridge', 'keelson-bench0', '--cluster-cidr', '10.199.0.0/20', ...(podNetns ? [`--pod-netns=${podNetns}`] : [])] : [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-bench-pods-'));
  const port = await freePort();
  const server = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', '', '--runtime', runtime, '--node-name', 'bench-node', ...netArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEELSON_LOG_LEVEL: trace ? 'debug' : 'warn' } });
  let log = '';
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  try {
    for (let i = 0; !log.includes('ready in'); i++) {
      if (i > 600) throw new Error(`server not ready:\n${log}`);
      await sleep(100);
    }
    const image = runtime === 'cri' ? 'localhost/keelson/busybox:1' : 'busybox';
    if (runtime === 'cri') {
      execFileSync(bin, ['images', 'build', 'busybox', '--output-dir', dir], { stdio: 'ignore' });
      execFileSync(bin, ['images', 'import', '--data-dir', dir, join(dir, 'busybox.tar')], { stdio: 'ignore' });
    }
    const kc = join(dir, 'admin.kubeconfig');
    while (!existsSync(kc)) await sleep(50);
    const client = new RestClient({ ...loadKubeconfig(kc), qps: 1000, burst: 1000 });
    for (let i = 0; ; i++) {
      const sa = await client.get('/api/v1/namespaces/default/serviceaccounts/default').catch(() => undefined);
      const node = await client.get('/api/v1/nodes/bench-node').catch(() => undefined);
      if (sa && node?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')) break;
      if (i > 600) throw new Error('node not Ready');
      await sleep(100);
    }
    const created = new Map<string, number>();
    const running = new Map<string, number>();
    const scheduled = new Map<string, number>();
    const ac = new AbortController();
    const watching = client
      .watch('/api/v1/namespaces/default/pods', { labelSelector: 'bench=start-latency' }, (e) => {
        const p = e.object as { metadata: { name: string }; spec?: { nodeName?: string }; status?: { phase?: string } };
        if (p.spec?.nodeName && !scheduled.has(p.metadata.name)) scheduled.set(p.metadata.name, Date.now());
        if (p.status?.phase === 'Running' && !running.has(p.metadata.name)) running.set(p.metadata.name, Date.now());
      }, ac.signal)
      .catch(() => undefined);
    await sleep(200);
    const load0 = loadavg()[0];
    const cpu0 = cpuUnder(dir);
    const t0 = Date.now();
    const logAt0 = log.length;
    for (let i = 0; i < pods; i++) {
      const name = `lat-${i}`;
      const at = Date.now();
      await client.post('/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { bench: 'start-latency' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image, imagePullPolicy: runtime === 'cri' ? 'Never' : 'IfNotPresent', command: ['sleep', '3600'] }] },
      });
      created.set(name, at);
      await sleep(intervalMs);
    }
    for (let i = 0; running.size < pods; i++) {
      if (i > 1200) throw new Error(`only ${running.size}/${pods} pods Running`);
      await sleep(100);
    }
    const cpu1 = cpuUnder(dir);
    const wall = (Date.now() - t0) / 1000;
    ac.abort();
    await watching;
    const ms = [...created].map(([n, at]) => running.get(n)! - at);
    const p = (q: number) => percentile(ms, q);
    const first = await client.get('/api/v1/namespaces/default/pods/lat-0');
    const netns = runtime === 'process' ? (first.status?.podIP !== first.status?.hostIP ? ', a network namespace per pod' : ', host network') : '';
    console.log(`pod start latency, ${runtime} runtime${netns}, ${pods} pods one every ${intervalMs} ms (load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}, ${process.versions.node})`);
    console.log(`  p50 ${p(50)} ms   p90 ${p(90)} ms   p99 ${p(99)} ms   max ${Math.max(...ms)} ms`);
    console.log(`  p99 / Kubernetes SLO (5000 ms): ${(p(99) / 5000).toFixed(2)}   p99 / keelson budget (1000 ms): ${(p(99) / 1000).toFixed(2)}`);
    if (trace) {
      const times = new Map<string, PodTimes>([...created].map(([n, at]) => [n, { created: at, scheduled: scheduled.get(n), running: running.get(n) }]));
      console.log(traceReport(log, times));
      console.log(requestCounts(log.slice(logAt0), pods));
    }
    const used = (k: keyof typeof cpu0) => `${k} ${(cpu1[k] - cpu0[k]).toFixed(1)} s`;
    const perPod = (cpu1.server + cpu1.containerd + cpu1.shims - cpu0.server - cpu0.containerd - cpu0.shims) / pods;
    console.log(`  CPU while the pods started (${wall.toFixed(1)} s wall): ${used('server')}, ${used('containerd')} (with CNI plugins), ${used('shims')} (with runc); ${Math.round(perPod * 1000)} ms per pod`);
    // Delete the pods and wait until the kubelet has removed their sandboxes (a stopped server
    // leaves running containers alone, as a kubelet does). A grace period, not 0: with 0 the
    // object is gone at once, the server is stopped while the kubelet still tears down, and the
    // sandboxes left to killall kept their CNI masquerade chains in the nat table.
    await client.delete('/api/v1/namespaces/default/pods', undefined, { labelSelector: 'bench=start-latency', gracePeriodSeconds: '1' }).catch(() => undefined);
    for (let i = 0; i < 300; i++) {
      const l = await client.get('/api/v1/namespaces/default/pods', { labelSelector: 'bench=start-latency' }).catch(() => ({ items: [1] }));
      if (!l.items.length) break;
      await sleep(100);
    }
    client.close();
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    // A stopped server leaves its containers running (as a kubelet): remove them.
    if (runtime === 'cri') execFileSync(bin, ['killall', '--data-dir', dir], { stdio: 'inherit' });
    // Process pods: the network namespaces a kubelet left (none after a clean stop), the bridge.
    else if (process.getuid?.() === 0) await purgePodNetworks(join(dir, 'kubelet'));
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      console.error(`could not remove ${dir}: ${(e as Error).message}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
