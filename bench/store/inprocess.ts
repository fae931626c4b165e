// In-process benchmark of the embedded mvcc store (no gRPC): durable puts/s with group commit at
// several concurrency levels, a 10k-key range, and restart time with a large store.
//
//   node --import tsx bench/store/inprocess.ts [--puts 200000] [--value 256] [--restart-mb 1024] [--dir DIR]
//
// Every put is acknowledged only once it is on disk (LMDB commit with fsync; many writers share
// one commit). --restart-mb sets the size of the store used for the restart measurement.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import { openMvccStore } from '../../src/storage/mvcc/index.js';

const { values: args } = parseArgs({
  options: {
    puts: { type: 'string', default: '200000' },
    value: { type: 'string', default: '256' },
    'restart-mb': { type: 'string', default: '1024' },
    dir: { type: 'string' },
  },
});
const totalPuts = Number(args.puts);
const valueSize = Number(args.value);
const restartMb = Number(args['restart-mb']);

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function putsPerSecond(concurrency: number, n: number): Promise<{ rate: number; cpuUsPerOp: number }> {
  const dir = await mkdtemp(join(args.dir ?? tmpdir(), 'keelson-bench-'));
  const s = await openMvccStore({ dataDir: dir });
  const value = Buffer.alloc(valueSize, 7);
  let next = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await s.put({ key: Buffer.from(`/registry/pods/bench/pod-${i % 50000}`), value });
      }
    }),
  );
  const dt = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  await s.close();
  await rm(dir, { recursive: true, force: true });
  return { rate: n / dt, cpuUsPerOp: (cu.user + cu.system) / n };
}

/** Baseline in the same run: raw lmdb-js, one durable put per op (no mvcc), same concurrency. */
async function rawLmdbPutsPerSecond(concurrency: number, n: number): Promise<number> {
  const dir = await mkdtemp(join(args.dir ?? tmpdir(), 'keelson-bench-'));
  const env = open<Buffer, Buffer>({ path: join(dir, 'raw.mdb'), keyEncoding: 'binary', encoding: 'binary', overlappingSync: false, mapSize: 8 * 1024 ** 3 });
  const value = Buffer.alloc(valueSize, 7);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await env.put(Buffer.from(`/registry/pods/bench/pod-${i % 50000}`), value);
      }
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  await env.close();
  await rm(dir, { recursive: true, force: true });
  return rate;
}

async function rangeTime(): Promise<{ ms: number; pastMs: number; kvs: number }> {
  const dir = await mkdtemp(join(args.dir ?? tmpdir(), 'keelson-bench-'));
  const s = await openMvccStore({ dataDir: dir });
  const value = Buffer.alloc(valueSize, 7);
  const writes = [];
  for (let i = 0; i < 10000; i++) writes.push(s.put({ key: Buffer.from(`/registry/pods/ns/pod-${String(i).padStart(5, '0')}`), value }));
  await Promise.all(writes);
  const key = Buffer.from('/registry/pods/');
  const rangeEnd = Buffer.from('/registry/pods0');
  let kvs = 0;
  const times: number[] = [];
  for (let r = 0; r < 30; r++) {
    const t0 = performance.now();
    const res = await s.range({ key, rangeEnd });
    const ms = performance.now() - t0;
    times.push(ms);
    kvs = res.kvs.length;
  }
  times.sort((a, b) => a - b);
  // The same range at the revision before a few more writes (a paginated list's fixed revision).
  const rev = s.appliedRev;
  await Promise.all(Array.from({ length: 100 }, (_, i) => s.put({ key: Buffer.from(`/registry/pods/ns/pod-${String(i * 7).padStart(5, '0')}`), value })));
  const past: number[] = [];
  for (let r = 0; r < 30; r++) {
    const t0 = performance.now();
    await s.range({ key, rangeEnd, revision: rev });
    past.push(performance.now() - t0);
  }
  past.sort((a, b) => a - b);
  await s.close();
  await rm(dir, { recursive: true, force: true });
  return { ms: times[Math.floor(times.length / 2)], pastMs: past[Math.floor(past.length / 2)], kvs };
}

async function restartTime(
  mb: number,
): Promise<{ openMs: number; firstReadMs: number; coldRangeMs: number; warmRangeMs: number; dbMb: number; keys: number; revs: number }> {
  const dir = await mkdtemp(join(args.dir ?? tmpdir(), 'keelson-bench-'));
  let s = await openMvccStore({ dataDir: dir });
  const valueLen = 4096;
  const value = Buffer.alloc(valueLen, 3);
  // Roughly half the bytes as live keys, half as history (each key written twice).
  const keys = Math.max(1, Math.floor((mb * 1024 * 1024) / (valueLen * 2 * 2)));
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < keys; i += 2000) {
      const ps = [];
      for (let j = i; j < Math.min(keys, i + 2000); j++) ps.push(s.put({ key: Buffer.from(`/registry/configmaps/ns-${j % 100}/cm-${j}`), value }));
      await Promise.all(ps);
    }
  }
  const st = await s.status();
  await s.close();
  const t0 = performance.now();
  s = await openMvccStore({ dataDir: dir });
  const openMs = performance.now() - t0;
  const t1 = performance.now();
  const r = await s.range({ key: Buffer.from('/registry/configmaps/ns-1/cm-1') });
  const firstReadMs = performance.now() - t1;
  if (r.kvs.length !== 1) throw new Error('restart read failed');
  const rangeReq = { key: Buffer.from('/registry/configmaps/'), rangeEnd: Buffer.from('/registry/configmaps0'), limit: 10000 };
  const t2 = performance.now();
  await s.range(rangeReq);
  const coldRangeMs = performance.now() - t2;
  const t3 = performance.now();
  await s.range(rangeReq);
  const warmRangeMs = performance.now() - t3;
  await s.close();
  await rm(dir, { recursive: true, force: true });
  return { openMs, firstReadMs, coldRangeMs, warmRangeMs, dbMb: st.dbSize / 1024 / 1024, keys, revs: st.header.revision };
}

const { loadavg, cpus } = await import('node:os');
console.log(`# keelson in-process mvcc store benchmark (node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)})`);
for (const c of [1, 16, 256]) {
  const n = c === 1 ? Math.min(totalPuts, 3000) : c === 16 ? Math.min(totalPuts, 50000) : totalPuts;
  const { rate, cpuUsPerOp } = await putsPerSecond(c, n);
  const raw = await rawLmdbPutsPerSecond(c, n);
  console.log(
    `durable puts, ${String(c).padStart(3)} concurrent writers: ${fmt(rate)}/s (${n} puts of ${valueSize} B, ${cpuUsPerOp.toFixed(1)} us CPU/put; raw lmdb-js 1 put/op same run: ${fmt(raw)}/s)`,
  );
}
const rt = await rangeTime();
console.log(`range of 10k keys (${valueSize} B values), current revision: ${rt.ms.toFixed(1)} ms median of 30 (${rt.kvs} kvs)`);
console.log(`range of 10k keys at a past revision (100 writes later): ${rt.pastMs.toFixed(1)} ms median of 30`);
if (restartMb > 0) {
  const rs = await restartTime(restartMb);
  console.log(
    `restart with a ${rs.dbMb.toFixed(0)} MB store (${rs.keys} keys of 4 KiB, ${rs.revs} revisions): open ${rs.openMs.toFixed(1)} ms, ` +
      `first read ${rs.firstReadMs.toFixed(2)} ms, first 10k-key range ${rs.coldRangeMs.toFixed(1)} ms (values read from disk), again ${rs.warmRangeMs.toFixed(1)} ms`,
  );
}
