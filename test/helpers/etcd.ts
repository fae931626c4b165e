// Starts a real etcd (the `etcd` binary on PATH, 3.4 in CI: scripts/install-deps.sh installs it)
// on free 127.0.0.1 ports with a fresh temp data dir, for tests and benchmarks.
//
//   const etcd = await startEtcd();
//   ... connect to etcd.endpoint (http://127.0.0.1:PORT) ...
//   await etcd.stop(); // kills the process and removes the data dir
//
// `etcdAvailable()` tells suites whether to skip (with a reason) when the binary is missing.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartEtcdOptions {
  /** Extra command-line flags, e.g. ['--experimental-watch-progress-notify-interval=500ms']. */
  args?: string[];
  /** How long to wait for the server to answer /health (default 15 s). */
  readyTimeoutMs?: number;
  /** The binary (default: `etcd` from PATH, or KEELSON_ETCD_BIN). */
  bin?: string;
}

export interface StartedEtcd {
  /** Client URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  /** The server process id (for CPU accounting in benchmarks). */
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

const etcdBin = (bin?: string) => bin ?? process.env.KEELSON_ETCD_BIN ?? 'etcd';

/** Whether an etcd binary can be run here. */
export function etcdAvailable(bin?: string): boolean {
  const r = spawnSync(etcdBin(bin), ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /etcd Version/.test(r.stdout);
}

/** A free TCP port on 127.0.0.1 (the OS picks it; another process could still take it in between). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave an etcd behind if the test process dies without calling stop().
  process.on('exit', () => {
    for (const p of running) p.kill('SIGKILL');
  });
}

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<StartedEtcd> {
  installExitHook();
  const dataDir = await mkdtemp(join(tmpdir(), 'keelson-etcd-'));
  for (let attempt = 0; ; attempt++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    if (clientPort === peerPort) continue;
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const child = spawn(
      etcdBin(opts.bin),
      [
        '--name=keelson-test',
        `--data-dir=${join(dataDir, 'data')}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=keelson-test=${peer}`,
        '--initial-cluster-state=new',
        '--logger=zap',
        '--log-level=error',
        ...(opts.args ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString();
    });
    let exited = false;
    const exitPromise = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        running.delete(child);
        resolve();
      });
      child.once('error', (err) => {
        stderr += String(err);
        exited = true;
        running.delete(child);
        resolve();
      });
    });
    const stop = async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitPromise;
        clearTimeout(t);
      }
      await rm(dataDir, { recursive: true, force: true });
    };
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 15000);
    let ready = false;
    while (!exited && Date.now() < deadline) {
      try {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: string };
        if (body.health === 'true') {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ready) return { endpoint, pid: child.pid ?? 0, dataDir, stop };
    if (exited && attempt < 2 && /address already in use/.test(stderr)) {
      await rm(join(dataDir, 'data'), { recursive: true, force: true });
      continue; // lost a port race: try other ports
    }
    await stop();
    throw new Error(`etcd did not become ready${exited ? ' (it exited)' : ''}: ${stderr.slice(-2000)}`);
  }
}
