// In-process put latency and CPU per put of the mvcc store at a few concurrencies (no gRPC), for
// before/after pairs: --root points at another source tree (e.g. `git archive <commit>` unpacked
// beside a node_modules link), so two builds run alternately in one session.
//
//   node --import tsx bench/store/put-latency.ts [--root DIR] [--concurrency 1,16,256] [--value 256]
//
// Printed per concurrency: puts/s, p50/p90 latency of one durable put, and CPU (user + system,
// all threads of this process: LMDB's write thread and the kernel's sync work included) per put.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MvccOptions } from '../../src/storage/mvcc/index.js';
import type { MvccStore } from '../../src/storage/mvcc/kv-store.js';

const { values: args } = parseArgs({
  options: {
    root: { type: 'string' },
    concurrency: { type: 'string', default: '1,16,256' },
    value: { type: 'string', default: '256' },
  },
});
const root = resolve(args.root ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const mod = (await import(pathToFileURL(join(root, 'src', 'storage', 'mvcc', 'index.ts')).href)) as {
  openMvccStore: (o: MvccOptions) => Promise<MvccStore>;
};
const value = Buffer.alloc(Number(args.value), 7);

for (const conc of args.concurrency.split(',').map(Number)) {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-'));
  const s = await mod.openMvccStore({ dataDir: dir });
  const n = conc === 1 ? 400 : Math.min(20_000, conc * 200);
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await s.put({ key: Buffer.from(`/registry/pods/bench/pod-${i % 50000}`), value });
        lat.push(performance.now() - t);
      }
    }),
  );
  const dt = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  await s.close();
  await rm(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))].toFixed(2);
  console.log(
    `concurrency ${conc}: ${Math.round((n / dt) * 1000)} puts/s, p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, CPU ${((cu.user + cu.system) / n).toFixed(0)} µs/put`,
  );
}
