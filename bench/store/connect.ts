// What a new client connection costs on the etcd gRPC port: keelson etcd against a real etcd in
// the same run (and, with --base-bin, against another keelson build, e.g. main before a change).
//
//   npx tsx bench/store/connect.ts [--conns 300] [--calls 3000] [--base-bin ../other/bin/keelson]
//
// connect: a new HTTP/2 connection (client preface, SETTINGS exchange) and one unary KV/Range on
// it, one after another, the servers taking turns round by round (A/B/C/A/B/C...) so that load
// changes hit them alike. steady: unary KV/Range calls one after another on one connection.
// Prints medians/p99 per server and the ratios, with the load average.
import http2 from 'node:http2';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, percentile } from '../lib/util.js';
import { startKeelsonEtcd, startRealEtcd, type BenchServer } from './servers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const conns = Number(flag('conns', '300'));
const calls = Number(flag('calls', '3000'));
const baseBin = flag('base-bin', '');

/** RangeRequest { key: "keelson" } in a gRPC message frame. */
const RANGE = (() => {
  const key = Buffer.from('keelson');
  const msg = Buffer.concat([Buffer.from([0x0a, key.length]), key]);
  const frame = Buffer.alloc(5 + msg.length);
  frame.writeUInt32BE(msg.length, 1);
  msg.copy(frame, 5);
  return frame;
})();

function range(c: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = c.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Range', 'content-type': 'application/grpc', te: 'trailers' });
    let status: string | undefined;
    r.on('trailers', (t) => (status = String(t['grpc-status'])));
    r.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    r.on('data', () => {});
    r.on('end', () => (status === '0' ? resolve() : reject(new Error(`grpc-status ${status}`))));
    r.on('error', reject);
    r.end(RANGE);
  });
}

async function connectOnce(endpoint: string): Promise<number> {
  const t0 = performance.now();
  const c = http2.connect(endpoint);
  c.on('error', () => {});
  try {
    await range(c);
    return performance.now() - t0;
  } finally {
    c.destroy();
  }
}

async function steady(endpoint: string): Promise<number[]> {
  const c = http2.connect(endpoint);
  c.on('error', () => {});
  await range(c);
  const out: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await range(c);
    out.push(performance.now() - t0);
  }
  c.destroy();
  return out;
}

const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

async function main() {
  const servers: Array<BenchServer & { label: string }> = [];
  const add = (s: BenchServer | string, label: string) => {
    if (typeof s === 'string') throw new Error(`${label}: ${s}`);
    servers.push({ ...s, label });
  };
  add(await startRealEtcd(), 'etcd');
  add(await startKeelsonEtcd(root, { build: false }), 'keelson');
  if (baseBin) add(await startKeelsonEtcd(root, { build: false, bin: baseBin }), 'keelson-base');
  try {
    console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}  (${new Date().toISOString()})`);
    const connect = new Map<string, number[]>(servers.map((s) => [s.label, []]));
    for (const s of servers) await connectOnce(s.endpoint); // warm-up
    for (let i = 0; i < conns; i++) for (const s of servers) connect.get(s.label)!.push(await connectOnce(s.endpoint));
    const steadyRes = new Map<string, number[]>(servers.map((s) => [s.label, []]));
    for (let round = 0; round < 2; round++) for (const s of servers) steadyRes.get(s.label)!.push(...(await steady(s.endpoint)));
    console.log(`load average after:  ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const med = (xs: number[]) => percentile(xs, 50);
    for (const s of servers) {
      const c = connect.get(s.label)!;
      const st = steadyRes.get(s.label)!;
      console.log(`${s.label.padEnd(13)} connect+call p50 ${fmt(med(c))} p99 ${fmt(percentile(c, 99))} | steady call p50 ${fmt(med(st))} p99 ${fmt(percentile(st, 99))}`);
    }
    const ratio = (a: string, b: string) =>
      `${a}/${b}: connect p50 ${(med(connect.get(a)!) / med(connect.get(b)!)).toFixed(2)}x, steady p50 ${(med(steadyRes.get(a)!) / med(steadyRes.get(b)!)).toFixed(2)}x`;
    console.log(ratio('keelson', 'etcd'));
    if (baseBin) console.log(ratio('keelson', 'keelson-base'));
  } finally {
    for (const s of servers) await s.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
