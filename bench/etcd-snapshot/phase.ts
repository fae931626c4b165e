// One measured phase of the snapshot benchmark, in its own process so its peak RSS is its own:
//   write FILE N   writes an etcd snapshot of N history rows (puts and some deletes)
//   read FILE      opens it (trailer check) and decodes every history row
// Prints {ms, maxRssMB, rows}.
import { writeEtcdSnapshot } from '../../src/storage/etcd-snapshot/write-snapshot.js';
import { openEtcdSnapshot } from '../../src/storage/etcd-snapshot/read-snapshot.js';
import { emptyTables } from '../../src/storage/etcd-snapshot/snapshot-tables.js';
import type { HistoryRow } from '../../src/storage/etcd-snapshot/records.js';

/** N rows over N/2 keys: each key put, then updated or deleted; values of 200 bytes. */
function* rows(n: number): Generator<HistoryRow> {
  const keys = Math.max(1, Math.floor(n / 2));
  const value = Buffer.alloc(200, 'v');
  for (let i = 0; i < n; i++) {
    const k = i % keys;
    const key = Buffer.from(`/registry/pods/keelson-bench/pod-${String(k).padStart(8, '0')}`);
    const main = i + 2;
    const second = i >= keys;
    if (second && k % 4 === 0) {
      yield { key, main, sub: 0, tombstone: true, createRevision: 0, modRevision: 0, version: 0, value: Buffer.alloc(0), lease: 0n };
    } else {
      yield { key, main, sub: 0, tombstone: false, createRevision: second ? k + 2 : main, modRevision: main, version: second ? 2 : 1, value, lease: 0n };
    }
  }
}

async function main() {
  const [what, file, n] = process.argv.slice(2);
  const t0 = performance.now();
  let count = 0;
  if (what === 'write') {
    count = Number(n);
    await writeEtcdSnapshot(file!, { ...emptyTables(), consistentIndex: 1n, clusterVersion: '3.4.0', history: rows(count) });
  } else {
    const snap = await openEtcdSnapshot(file!);
    for await (const r of snap.history()) count += r.main > 0 ? 1 : 0;
    await snap.close();
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms: Math.round(ms), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), rows: count }));
}

void main();
