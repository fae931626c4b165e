// Store benchmark through the etcd v3 gRPC API: a fresh real etcd and a fresh `keelson etcd`,
// the same load from the same client (several client processes, raw grpc-js calls), in one run.
//
//   npm run bench:store -- [--duration 5] [--clients 2] [--value-size 256] [--range-keys 10000]
//                          [--watchers 100] [--watch-rate 100] [--only etcd|keelson] [--no-build]
//                          [--phases put1,put16,put64,get,range,watch]   (a subset, for quick checks)
//                          [--bin B]   (another build's bin/keelson, for before/after pairs; implies --no-build)
//                          [--client raw|grpc-js]
//
// Phases (each --duration seconds): puts of --value-size bytes at 1, 16 and 64 requests in flight;
// single-key gets (16 in flight); a range over --range-keys keys (1 in flight per client; each
// client does at least 3); watch delivery latency with --watchers watchers on one prefix while
// puts arrive at --watch-rate/s (delivered = events received by all watchers; late ones are
// waited for up to 10 s and counted with their latency). Every request issued is counted and the
// rate is over the time until the last one completed.
// Printed per phase: ops/s, p50/p99 latency, server CPU seconds per 10k ops (user+system of the
// server's process tree from /proc/<pid>/stat), and keelson/etcd ratios. CPU steal during the run
// is printed too: compare servers only when it is near zero.
// Client (--client): the load phases use the lean client of raw-client.ts by default (hand-encoded
// requests, responses checked without decoding objects), so that the client processes, which spent
// 2-5x the server's CPU per call with grpc-js and protobufjs, do not set the pace; `grpc-js` runs
// them with grpc-js as earlier sessions did. The watch phase always uses grpc-js.

import { fork, type ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEtcdProto } from '../../src/storage/etcd-proto/index.js';
import type { WorkerCommand, WorkerReply } from './protocol.js';
import { startKeelsonEtcd, startRealEtcd, type BenchServer } from './servers.js';
import { fmtMs, fmtNum, machineCpu, percentile, sortedCopy, treeCpuSeconds } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    clients: { type: 'string', default: '2' },
    'value-size': { type: 'string', default: '256' },
    'range-keys': { type: 'string', default: '10000' },
    watchers: { type: 'string', default: '100' },
    'watch-rate': { type: 'string', default: '100' },
    only: { type: 'string' },
    phases: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    bin: { type: 'string' },
    client: { type: 'string', default: 'raw' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(
    'usage: npm run bench:store -- [--duration S] [--clients N] [--value-size B] [--range-keys N] [--watchers N] [--watch-rate R] [--only etcd|keelson] [--phases put1,put16,put64,get,range,watch] [--no-build] [--bin B] [--client raw|grpc-js]',
  );
  process.exit(0);
}
const durationMs = Number(flags.duration) * 1000;
/** Phases to run (all by default): put1, put16, put64, get, range, watch. */
const phaseSet = flags.phases ? new Set(flags.phases.split(',').map((p) => p.trim())) : undefined;
const want = (phase: string): boolean => !phaseSet || phaseSet.has(phase);
const nClients = Math.max(1, Number(flags.clients));
const valueSize = Number(flags['value-size']);
const rangeKeys = Number(flags['range-keys']);
const nWatchers = Number(flags.watchers);
const watchRate = Number(flags['watch-rate']);
if (flags.client !== 'raw' && flags.client !== 'grpc-js') throw new Error(`--client: expected raw or grpc-js, got ${JSON.stringify(flags.client)}`);
const client: 'raw' | 'grpc-js' = flags.client;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PhaseResult {
  phase: string;
  server: string;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  cpuPer10k: number;
  /** CPU of all client processes per 10k ops (shows whether the clients were the bottleneck). */
  clientCpuPer10k: number;
  errors: number;
  note?: string;
}

// ---- client processes ----

class Worker {
  readonly child: ChildProcess;
  private waiters: Array<(m: WorkerReply) => void> = [];
  readonly ready: Promise<void>;
  constructor() {
    this.child = fork(join(root, 'bench', 'store', 'worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: WorkerReply) => this.waiters.shift()?.(m));
    this.ready = this.next().then(() => undefined);
  }
  next(): Promise<WorkerReply> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  async request(cmd: WorkerCommand): Promise<WorkerReply> {
    const reply = this.next();
    this.child.send(cmd);
    return reply;
  }
  send(cmd: WorkerCommand) {
    this.child.send(cmd);
  }
}

function clientCpu(workers: Worker[]): number {
  return workers.reduce((a, w) => a + (w.child.pid ? treeCpuSeconds(w.child.pid) : 0), 0);
}

// ---- direct client in this process (preload, watch writer) ----

function kvClient(endpoint: string) {
  const { clients } = loadEtcdProto();
  const c = new clients.KV(endpoint.replace(/^https?:\/\//, ''), grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
  });
  const call = (method: string, req: unknown) =>
    new Promise<unknown>((resolve, reject) =>
      (c as unknown as Record<string, (r: unknown, cb: (e: Error | null, res: unknown) => void) => void>)[method].call(c, req, (e, r) =>
        e ? reject(e) : resolve(r),
      ),
    );
  return { call, close: () => c.close() };
}

async function preload(endpoint: string, prefix: string, n: number) {
  const kv = kvClient(endpoint);
  const value = Buffer.alloc(valueSize, 0x62);
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += 100) {
    const ops = [];
    for (let j = i; j < Math.min(n, i + 100); j++) ops.push({ request_put: { key: Buffer.from(`${prefix}${String(j).padStart(5, '0')}`), value } });
    batches.push(kv.call('Txn', { success: ops }));
    if (batches.length >= 8) await batches.shift();
  }
  await Promise.all(batches);
  kv.close();
}

// ---- phases ----

async function loadPhase(
  server: BenchServer,
  workers: Worker[],
  phase: string,
  op: 'put' | 'get' | 'range',
  inflightTotal: number,
  keyPrefix: string,
  keySpace: number,
): Promise<PhaseResult> {
  const used = workers.slice(0, Math.min(workers.length, inflightTotal));
  const startAt = now() + 300;
  const endAt = startAt + durationMs;
  const per = used.map((_, i) => Math.floor(inflightTotal / used.length) + (i < inflightTotal % used.length ? 1 : 0));
  const minOps = op === 'range' ? 3 : 1;
  const replies = used.map((w, i) =>
    w.request({ type: 'load', endpoint: server.endpoint, op, client, workerIndex: i, inflight: per[i], keyPrefix, keySpace, valueSize, startAt, endAt, minOps }),
  );
  await sleep(startAt - now());
  const cpu0 = treeCpuSeconds(server.pid);
  const ccpu0 = clientCpu(workers);
  // Every request issued is counted, so CPU is measured until the last one has completed.
  const results = (await Promise.all(replies)) as Array<Extract<WorkerReply, { type: 'load-result' }>>;
  const cpu1 = treeCpuSeconds(server.pid);
  const ccpu1 = clientCpu(workers);
  const elapsedS = (Math.max(...results.map((r) => r.lastDone)) - startAt) / 1000;
  const lat = sortedCopy(results.flatMap((r) => r.latencies));
  const ops = results.reduce((a, r) => a + r.ops, 0);
  const errors = results.reduce((a, r) => a + r.errors, 0);
  const firstError = results.find((r) => r.firstError)?.firstError;
  return {
    phase,
    server: server.name,
    ops,
    opsPerSec: ops / elapsedS,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    cpuPer10k: ops ? ((cpu1 - cpu0) / ops) * 10_000 : NaN,
    clientCpuPer10k: ops ? ((ccpu1 - ccpu0) / ops) * 10_000 : NaN,
    errors,
    note: firstError ? `first error: ${firstError}` : undefined,
  };
}

async function watchPhase(server: BenchServer, workers: Worker[]): Promise<PhaseResult> {
  const phase = `watch, ${nWatchers} watchers, ${watchRate} puts/s`;
  const prefix = `/bench/watch/${Date.now()}/`;
  const per = workers.map((_, i) => Math.floor(nWatchers / workers.length) + (i < nWatchers % workers.length ? 1 : 0));
  const writerStart = now() + 500;
  const ready = await Promise.all(
    workers.map((w, i) => w.request({ type: 'watch-start', endpoint: server.endpoint, prefix, count: per[i], measureFrom: writerStart })),
  );
  const opened = ready.reduce((a, r) => a + (r.type === 'watch-ready' ? r.watchers : 0), 0);
  const kv = kvClient(server.endpoint);
  const value = Buffer.alloc(valueSize, 0x63);
  await sleep(writerStart - now());
  const cpu0 = treeCpuSeconds(server.pid);
  const ccpu0 = clientCpu(workers);
  const endAt = writerStart + durationMs;
  let sent = 0;
  let errors = 0;
  const interval = 1000 / watchRate;
  const inflight: Promise<unknown>[] = [];
  while (now() < endAt) {
    const due = writerStart + sent * interval;
    if (due > now()) await sleep(due - now());
    const v = Buffer.from(value);
    v.writeDoubleLE(now(), 0);
    inflight.push(kv.call('Put', { key: Buffer.from(`${prefix}${sent % 100}`), value: v }).catch(() => errors++));
    sent++;
  }
  await Promise.all(inflight);
  kv.close();
  // Wait for every delivery (late ones count, with their latency), at most 10 s after the writer.
  const deadline = now() + 10_000;
  const results = (await Promise.all(
    workers.map((w, i) => w.request({ type: 'watch-stop', expected: sent * (ready[i].type === 'watch-ready' ? ready[i].watchers : 0), deadline })),
  )) as Array<Extract<WorkerReply, { type: 'watch-result' }>>;
  const cpu1 = treeCpuSeconds(server.pid);
  const ccpu1 = clientCpu(workers);
  const elapsedS = (now() - writerStart) / 1000;
  const deliveries = results.reduce((a, r) => a + r.deliveries, 0);
  const lat = sortedCopy(results.flatMap((r) => r.latencies));
  const expected = sent * opened;
  return {
    phase,
    server: server.name,
    ops: deliveries,
    opsPerSec: deliveries / elapsedS,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    cpuPer10k: deliveries ? ((cpu1 - cpu0) / deliveries) * 10_000 : NaN,
    clientCpuPer10k: deliveries ? ((ccpu1 - ccpu0) / deliveries) * 10_000 : NaN,
    errors: errors + Math.max(0, expected - deliveries),
    note: `${opened} watchers opened, ${sent} puts, ${deliveries}/${expected} deliveries (ops = deliveries; CPU includes serving the puts)`,
  };
}

async function runAll(server: BenchServer, workers: Worker[]): Promise<PhaseResult[]> {
  const out: PhaseResult[] = [];
  const log = (r: PhaseResult) => {
    out.push(r);
    console.error(
      `  ${server.name.padEnd(8)} ${r.phase.padEnd(34)} ${fmtNum(r.opsPerSec).padStart(8)} ops/s  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms  cpu/10k ${fmtNum(r.cpuPer10k, 2)} s  client cpu/10k ${fmtNum(r.clientCpuPer10k, 2)} s${r.errors ? `  errors ${r.errors}` : ''}${r.note && r.errors ? `  (${r.note})` : ''}`,
    );
  };
  const run = Date.now();
  // Warm-up (JIT, connections, page cache): not reported.
  await loadPhase(server, workers, 'warm-up', 'put', 16, `/bench/warm/${run}/`, 1000);
  for (const c of [1, 16, 64]) {
    if (want(`put${c}`)) log(await loadPhase(server, workers, `put ${valueSize} B, ${c} in flight`, 'put', c, `/bench/put/${run}/${c}/`, 10_000));
  }
  const rangePrefix = `/bench/range/${run}/`;
  if (want('get') || want('range')) await preload(server.endpoint, rangePrefix, rangeKeys);
  if (want('get')) log(await loadPhase(server, workers, 'get one key, 16 in flight', 'get', 16, rangePrefix, Math.min(rangeKeys, 100_000)));
  if (want('range')) log(await loadPhase(server, workers, `range ${fmtNum(rangeKeys)} keys, ${workers.length} in flight`, 'range', workers.length, rangePrefix, rangeKeys));
  if (want('watch')) log(await watchPhase(server, workers));
  return out;
}

async function main() {
  console.error(
    `bench:store: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, ${nClients} client processes (${client} client for the load phases), ${durationMs / 1000} s per phase`,
  );
  const workers = Array.from({ length: nClients }, () => new Worker());
  await Promise.all(workers.map((w) => w.ready));
  const results: PhaseResult[] = [];
  const skipped: string[] = [];
  const versions: string[] = [];
  const steal0 = machineCpu();
  const load0 = loadavg()[0].toFixed(1);
  for (const which of ['etcd', 'keelson'] as const) {
    if (flags.only && flags.only !== which) continue;
    const s = which === 'etcd' ? await startRealEtcd() : await startKeelsonEtcd(root, { build: !flags['no-build'] && !flags.bin, bin: flags.bin });
    if (typeof s === 'string') {
      skipped.push(`${which}: ${s}`);
      console.error(`skipping ${which}: ${s}`);
      continue;
    }
    versions.push(`${which}: ${s.version} at ${s.endpoint}`);
    console.error(`${which}: ${s.version}, pid ${s.pid}`);
    try {
      results.push(...(await runAll(s, workers)));
    } catch (err) {
      skipped.push(`${which}: failed mid-run: ${(err as Error).message}`);
    } finally {
      await s.stop();
    }
  }
  const steal1 = machineCpu();
  for (const w of workers) w.send({ type: 'exit' });
  const stealPct = ((steal1.steal - steal0.steal) / Math.max(1, steal1.total - steal0.total)) * 100;

  // ---- report ----
  const lines: string[] = [];
  lines.push(`| phase | server | ops/s | p50 ms | p99 ms | server CPU s / 10k ops | client CPU s / 10k ops | errors |`);
  lines.push(`|---|---|---:|---:|---:|---:|---:|---:|`);
  const phases = [...new Set(results.map((r) => r.phase))];
  for (const ph of phases) {
    const e = results.find((r) => r.phase === ph && r.server === 'etcd');
    const k = results.find((r) => r.phase === ph && r.server === 'keelson');
    for (const r of [e, k]) if (r) lines.push(
          `| ${ph} | ${r.server} | ${fmtNum(r.opsPerSec)} | ${fmtMs(r.p50)} | ${fmtMs(r.p99)} | ${fmtNum(r.cpuPer10k, 2)} | ${fmtNum(r.clientCpuPer10k, 2)} | ${r.errors} |`,
        );
    if (e && k) {
      const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
      lines.push(
        `| ${ph} | **keelson/etcd** | ${ratio(k.opsPerSec, e.opsPerSec)} | ${ratio(k.p50, e.p50)} | ${ratio(k.p99, e.p99)} | ${ratio(k.cpuPer10k, e.cpuPer10k)} | | |`,
      );
    }
  }
  console.log('');
  console.log(versions.join('\n'));
  console.log(`CPU steal during the run: ${stealPct.toFixed(1)}%; load average at start ${load0}, at end ${loadavg()[0].toFixed(1)}`);
  console.log('');
  console.log(lines.join('\n'));
  for (const r of results) if (r.errors && r.note) console.log(`note (${r.server}, ${r.phase}): ${r.note}`);
  if (skipped.length) console.log(`\nskipped: ${skipped.join('; ')}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
