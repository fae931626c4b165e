// etcd snapshot files: keelson's writer and reader against a real etcd 3.4 on the same data, in
// alternating pairs (A/B/A/B):
//   write: our snapshot of N rows  vs  `etcdctl snapshot save` from a real etcd restored from it
//   read:  our full read (sha256 check + decode every row)  vs  `etcdctl snapshot status`
//          (bbolt consistency check + a full scan + a crc over every entry)
// Prints times, our peak RSS, ratios and the load average.
//   node --import tsx bench/etcd-snapshot/run.ts --rows 200000 --rounds 2
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag } from '../lib/util.js';
import { freePort, startEtcd } from '../../test/helpers/etcd.js';

const rowsN = Number(flag('rows', '200000'));
const rounds = Number(flag('rounds', '2'));
const phase = join(import.meta.dirname, 'phase.ts');

function ours(args: string[]): { ms: number; maxRssMB: number; rows: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', phase, ...args], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bench-snap-'));
  try {
    const file = join(dir, 'ours.db');
    const results: Record<string, number[]> = { oursWrite: [], etcdSave: [], oursRead: [], etcdStatus: [] };
    let rss = 0;
    console.log(`rows ${rowsN}, load before: ${load()}`);
    // The peer holds the same data: a real etcd restored from our snapshot.
    ours(['write', file, String(rowsN)]);
    const peer = `http://127.0.0.1:${await freePort()}`;
    const dataDir = join(dir, 'etcd');
    timed('etcdctl', ['snapshot', 'restore', file, `--data-dir=${dataDir}`, '--name=keelson-test', `--initial-cluster=keelson-test=${peer}`, `--initial-advertise-peer-urls=${peer}`]);
    const etcd = await startEtcd({ args: [`--data-dir=${dataDir}`] });
    try {
      for (let i = 0; i < rounds; i++) {
        const w = ours(['write', file, String(rowsN)]);
        results.oursWrite!.push(w.ms);
        rss = Math.max(rss, w.maxRssMB);
        results.etcdSave!.push(timed('etcdctl', ['--endpoints', etcd.endpoint, 'snapshot', 'save', join(dir, 'etcd.db')]));
        const r = ours(['read', file]);
        if (r.rows !== rowsN) throw new Error(`read ${r.rows} rows, wrote ${rowsN}`);
        results.oursRead!.push(r.ms);
        rss = Math.max(rss, r.maxRssMB);
        results.etcdStatus!.push(timed('etcdctl', ['snapshot', 'status', file, '-w', 'json']));
      }
    } finally {
      await etcd.stop();
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const size = (await stat(file)).size;
    const etcdSize = (await stat(join(dir, 'etcd.db'))).size;
    console.log(`file: ours ${(size / 1e6).toFixed(1)} MB, etcd's ${(etcdSize / 1e6).toFixed(1)} MB; our peak RSS ${rss} MB`);
    for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(11)} ${v.map((x) => Math.round(x)).join(' / ')} ms (median ${Math.round(med(v))})`);
    console.log(`write: ours/etcd = ${(med(results.oursWrite!) / med(results.etcdSave!)).toFixed(2)}x time`);
    console.log(`read:  ours/etcd = ${(med(results.oursRead!) / med(results.etcdStatus!)).toFixed(2)}x time`);
    console.log(`load after: ${load()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
