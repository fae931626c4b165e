// Starts a real etcd (the `etcd` binary on PATH, 3.4 in CI: scripts/install-deps.sh installs it)
// on free 127.0.0.1 ports with a fresh temp data dir, for tests and benchmarks.
//
//   const etcd = await startEtcd();
//   ... connect to etcd.endpoint (http://127.0.0.1:PORT) ...
//   await etcd.stop(); // kills the process and removes the data dir
//
// `etcdAvailable()` tells suites whether to skip (with a reason) when the binary is missing.
// `restart()` stops the server and starts it again on the same ports and data (reconnect tests);
// `tls` serves https with the given files (and requires client certificates when clientCa is set).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdTlsFiles {
  certFile: string;
  keyFile: string;
  /** CA that signs client certificates; when set, clients must present one (--client-cert-auth). */
  clientCaFile?: string;
  /** For the readiness probe: CA that signed the server cert, and a client cert/key if required. */
  probe: { caFile: string; certFile?: string; keyFile?: string };
}

export interface StartEtcdOptions {
  /** Extra command-line flags, e.g. ['--experimental-watch-progress-notify-interval=500ms']. */
  args?: string[];
  /** How long to wait for the server to answer /health (default 15 s). */
  readyTimeoutMs?: number;
  /** The binary (default: `etcd` from PATH, or KEELSON_ETCD_BIN). */
  bin?: string;
  tls?: EtcdTlsFiles;
}

export interface StartedEtcd {
  /** Client URL, e.g. http://127.0.0.1:41234 (https:// with tls). */
  endpoint: string;
  /** The server process id (for CPU accounting in benchmarks); changes on restart. */
  pid: number;
  dataDir: string;
  /** Stop the server (SIGTERM, SIGKILL after 5 s) and remove its data. */
  stop(): Promise<void>;
  /** Stop the server and start it again on the same ports with the same data. */
  restart(opts?: { downMs?: number }): Promise<void>;
}

const etcdBin = (bin?: string) => bin ?? process.env.KEELSON_ETCD_BIN ?? 'etcd';

/** Whether an etcd binary can be run here. */
export function etcdAvailable(bin?: string): boolean {
  const r = spawnSync(etcdBin(bin), ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /etcd Version/.test(r.stdout);
}

/**
 * A free TCP port on 127.0.0.1 for a server a test starts after picking its port (another
 * process, seconds later). It is chosen below the kernel's ephemeral range (32768-60999), so the
 * ports listen(0) and outgoing connections of the other suites running at the same time get
 * cannot take it in between (that made whole suites fail with EADDRINUSE under load), and below
 * the NodePort range (30000-32767), which the service proxies of other suites program on this host.
 * Another suite picking the same port at the same moment is the one remaining, rare, race.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (!reservePort(port)) continue;
    // 0.0.0.0: taken on any address (a kubelet on the host IP, a server on all) counts as taken.
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

/**
 * Claims `port` for this run across the test processes running at once (a file created with
 * O_EXCL under the temp dir; claims older than 30 min are stale and taken over), so two suites
 * never pick the same port in the same moment.
 */
const claimed = new Set<string>();
let releaseHooked = false;
function reservePort(port: number): boolean {
  const dir = join(tmpdir(), 'keelson-test-ports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, String(port));
  if (!releaseHooked) {
    releaseHooked = true;
    // The claims go with this process.
    process.once('exit', () => {
      for (const f of claimed) {
        try {
          unlinkSync(f);
        } catch {
          // already gone
        }
      }
    });
  }
  try {
    closeSync(openSync(file, 'wx'));
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < 30 * 60_000) return false;
      utimesSync(file, new Date(), new Date());
    } catch {
      return false;
    }
  }
  claimed.add(file);
  return true;
}

/** freePort (kept for the suites that ask for a port outside the ephemeral range by name). */
export const freeFixedPort = freePort;

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

interface Proc {
  child: ChildProcess;
  exited: () => boolean;
  exit: Promise<void>;
  stderr: () => string;
}

function spawnEtcd(bin: string, args: string[]): Proc {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += d.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const done = () => {
      exited = true;
      running.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', (err) => {
      stderr += String(err);
      done();
    });
  });
  return { child, exited: () => exited, exit, stderr: () => stderr };
}

async function kill(p: Proc): Promise<void> {
  if (p.exited()) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
  await p.exit;
  clearTimeout(t);
}

function probe(endpoint: string, tls?: EtcdTlsFiles): Promise<boolean> {
  return new Promise((resolve) => {
    const url = `${endpoint}/health`;
    const onRes = (res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(/"health":\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    };
    const req = tls
      ? https.get(
          url,
          {
            ca: readFileSync(tls.probe.caFile),
            cert: tls.probe.certFile ? readFileSync(tls.probe.certFile) : undefined,
            key: tls.probe.keyFile ? readFileSync(tls.probe.keyFile) : undefined,
            // The certificate must name localhost too (an IP is not a valid TLS server name).
            servername: 'localhost',
            timeout: 1000,
          },
          onRes,
        )
      : http.get(url, { timeout: 1000 }, onRes);
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

async function waitReady(p: Proc, endpoint: string, timeoutMs: number, tls?: EtcdTlsFiles): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!p.exited() && Date.now() < deadline) {
    if (await probe(endpoint, tls)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<StartedEtcd> {
  installExitHook();
  const dataDir = await mkdtemp(join(tmpdir(), 'keelson-etcd-'));
  const bin = etcdBin(opts.bin);
  const timeout = opts.readyTimeoutMs ?? 15000;
  for (let attempt = 0; ; attempt++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    if (clientPort === peerPort) continue;
    const scheme = opts.tls ? 'https' : 'http';
    const endpoint = `${scheme}://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const args = [
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
      ...(opts.tls
        ? [
            `--cert-file=${opts.tls.certFile}`,
            `--key-file=${opts.tls.keyFile}`,
            ...(opts.tls.clientCaFile ? [`--trusted-ca-file=${opts.tls.clientCaFile}`, '--client-cert-auth'] : []),
          ]
        : []),
      ...(opts.args ?? []),
    ];
    let proc = spawnEtcd(bin, args);
    const stop = async () => {
      await kill(proc);
      await rm(dataDir, { recursive: true, force: true });
    };
    if (await waitReady(proc, endpoint, timeout, opts.tls)) {
      const started: StartedEtcd = {
        endpoint,
        pid: proc.child.pid ?? 0,
        dataDir,
        stop,
        restart: async ({ downMs = 0 } = {}) => {
          await kill(proc);
          if (downMs) await new Promise((r) => setTimeout(r, downMs));
          proc = spawnEtcd(bin, args);
          started.pid = proc.child.pid ?? 0;
          if (!(await waitReady(proc, endpoint, timeout, opts.tls))) {
            throw new Error(`etcd did not come back after restart: ${proc.stderr().slice(-2000)}`);
          }
        },
      };
      return started;
    }
    const stderr = proc.stderr();
    if (proc.exited() && attempt < 2 && /address already in use/.test(stderr)) {
      await rm(join(dataDir, 'data'), { recursive: true, force: true });
      continue; // lost a port race: try other ports
    }
    await stop();
    throw new Error(`etcd did not become ready${proc.exited() ? ' (it exited)' : ''}: ${stderr.slice(-2000)}`);
  }
}
