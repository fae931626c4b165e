// Starting the servers under test for bench/store/run.ts: a real etcd and `keelson etcd`, each
// fresh (new data dir, free port), each answering /health before the load starts.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdAvailable, freePort, startEtcd } from '../../test/helpers/etcd.js';

export interface BenchServer {
  name: 'etcd' | 'keelson';
  endpoint: string;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export async function startRealEtcd(): Promise<BenchServer | string> {
  if (!etcdAvailable()) return 'etcd is not installed (scripts/install-deps.sh installs etcd-server)';
  const e = await startEtcd();
  const v = spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout.match(/etcd Version: (\S+)/)?.[1] ?? '?';
  return { name: 'etcd', endpoint: e.endpoint, pid: e.pid, version: v, stop: e.stop };
}

/** `keelson etcd` from bin/keelson, or the reason it cannot run. */
export async function startKeelsonEtcd(root: string, opts: { build: boolean; bin?: string }): Promise<BenchServer | string> {
  const bin = opts.bin ?? join(root, 'bin', 'keelson');
  if (!existsSync(bin)) return 'bin/keelson is missing';
  if (opts.build) {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) return `npm run build failed: ${b.stderr.slice(-500)}`;
  }
  const help = spawnSync(process.execPath, [bin, 'etcd', '--help'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  if (help.status !== 0) return `"keelson etcd" is not available (${(help.stderr || help.stdout).trim().split('\n')[0]})`;
  const dataDir = await mkdtemp(join(tmpdir(), 'keelson-bench-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [...(process.env.KEELSON_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), bin, 'etcd', '--data-dir', join(dataDir, 'data'), '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'warn' } },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 32_000) stderr += d.toString();
    if (process.env.KEELSON_BENCH_SERVER_LOG) process.stderr.write(d);
  });
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  process.on('exit', () => child.kill('SIGKILL'));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!exited && Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        const ver = (await fetch(`${endpoint}/version`).then((r) => r.json()).catch(() => ({}))) as { etcdserver?: string };
        return { name: 'keelson', endpoint, pid: child.pid ?? 0, version: `keelson (reports etcd ${ver.etcdserver ?? '?'})`, stop };
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return `"keelson etcd" did not become ready: ${stderr.slice(-1000)}`;
}
