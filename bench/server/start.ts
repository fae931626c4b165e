// `keelson server` to a Ready node: the budget is under 1 s (k3s takes about 50 s to the same
// point; no k3s runs here to compare with in the same run, so its figure is the reference).
//
//   node --import tsx bench/server/start.ts [--runtime process|cri] [--runs 5] [--bin path/to/keelson]
//
// Each run starts `bin/keelson server` on a fresh data dir (first start: the PKI is created) and
// then restarts it on the same dir (certificates and store reused), and records, from the spawn:
// when the admin kubeconfig appears, when /readyz answers, when the node reads Ready and when the
// default ServiceAccount exists (the controller manager makes it; issue 7 counts a cluster Ready
// with both), polled every 20 ms with one kept-alive client, not kubectl, whose own start would
// dominate. Also the CLI's own start (`keelson version`), which every command pays.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { flag, freePort, percentile } from '../lib/util.js';

const bin = flag('bin', fileURLToPath(new URL('../../bin/keelson', import.meta.url)));
const runtime = flag('runtime', process.getuid?.() === 0 ? 'cri' : 'process');
const runs = Number(flag('runs', '5'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Times {
  kubeconfig: number;
  readyz: number;
  nodeReady: number;
  defaultServiceAccount: number;
}

async function once(dir: string): Promise<Times> {
  const port = await freePort();
  const t0 = performance.now();
  const spawnedAt = Date.now();
  const server = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', '', '--runtime', runtime, '--node-name', 'bench-node'], { stdio: 'ignore', env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' } });
  const kc = join(dir, 'admin.kubeconfig');
  let client: RestClient | undefined;
  const t: Partial<Times> = {};
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
    return t as Times;
  } finally {
    client?.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await sleep(1100);
  }
}

function row(name: string, xs: number[]): string {
  const f = (v: number) => Math.round(v).toString();
  return `| ${name} | ${f(percentile(xs, 50))} | ${f(Math.min(...xs))} | ${f(Math.max(...xs))} |`;
}

async function main(): Promise<void> {
  const version: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(bin, ['version']);
    version.push(performance.now() - t);
  }
  const first: Times[] = [];
  const again: Times[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-bench-start-'));
    try {
      first.push(await once(dir));
      again.push(await once(dir));
    } finally {
      if (runtime === 'cri') spawnSync(bin, ['killall', '--data-dir', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`keelson server --runtime ${runtime}, ${runs} runs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}, ${execFileSync('nproc').toString().trim()} CPUs`);
  console.log('| ms from spawn (median / min / max) | median | min | max |\n|---|---:|---:|---:|');
  console.log(row('`keelson version` (CLI start)', version));
  for (const [name, ts] of [['first start', first], ['restart', again]] as const) {
    console.log(row(`${name}: admin.kubeconfig written`, ts.map((x) => x.kubeconfig)));
    console.log(row(`${name}: /readyz ok`, ts.map((x) => x.readyz)));
    console.log(row(`${name}: node Ready`, ts.map((x) => x.nodeReady)));
    console.log(row(`${name}: default ServiceAccount`, ts.map((x) => x.defaultServiceAccount)));
  }
  const ready = percentile(again.map((x) => x.nodeReady), 50);
  console.log(`restart to a Ready node vs the 1 s budget: ${(ready / 1000).toFixed(2)}x (k3s: about 50 s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
