// Starts a fresh keelson apiserver for a test: by default the real CLI (`bin/keelson apiserver`,
// built by `npm test`), or in this process with KEELSON_E2E_INPROCESS=1 (faster to iterate).
// `etcd` uses a real etcd endpoint instead of the embedded store. Everything lives in a temp
// dir named keelson* and is removed by stop().
// The server serves TLS with client-certificate authentication (the kubeconfig holds the admin's
// certificate) and, for raw-HTTP tests, the loopback debugging port: `url` is plain HTTP and
// needs no credentials (it acts as the admin); `secureUrl` is the real TLS endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './etcd.js';
import { kubectlWith } from './kubectl.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface TestApiServer {
  /** http://127.0.0.1:<port>: the debugging port, no credentials needed. */
  url: string;
  /** https://127.0.0.1:<port>: the secure port (what the kubeconfig points at). */
  secureUrl: string;
  dataDir: string;
  kubeconfig: string;
  cacheDir: string;
  kubectl: ReturnType<typeof kubectlWith>;
  /** Logs of a spawned server (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

export interface TestApiServerOptions {
  etcdServers?: string[];
  args?: string[];
  inProcess?: boolean;
}

async function waitReady(url: string, timeoutMs: number, logs: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`apiserver at ${url} not ready after ${timeoutMs} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startTestApiServer(opts: TestApiServerOptions = {}): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-api-'));
  const dataDir = join(dir, 'data');
  const cacheDir = join(dir, 'kcache');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const insecurePort = await freePort();
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  const url = `http://127.0.0.1:${insecurePort}`;
  const secureUrl = `https://127.0.0.1:${port}`;
  const inProcess = opts.inProcess ?? process.env.KEELSON_E2E_INPROCESS === '1';
  let stopFn: () => Promise<void>;
  let output = '';
  if (inProcess) {
    const { startApiServer } = await import('../../src/apiserver/index.js');
    const flag = (name: string) => {
      const i = (opts.args ?? []).indexOf(name);
      return i >= 0 ? Number(opts.args![i + 1]) : undefined;
    };
    const api = await startApiServer({
      dataDir,
      securePort: port,
      insecurePort,
      etcdServers: opts.etcdServers ?? [],
      compactionIntervalSeconds: 0,
      maxRequestsInflight: flag('--max-requests-inflight'),
      maxMutatingRequestsInflight: flag('--max-mutating-requests-inflight'),
    });
    stopFn = () => api.close();
  } else {
    const bin = join(repo, 'bin', 'keelson');
    if (!existsSync(join(repo, 'dist', 'keelson.cjs'))) throw new Error('dist/keelson.cjs missing: run `node scripts/build.mjs` (npm test does)');
    const args = ['apiserver', '--data-dir', dataDir, '--secure-port', String(port), '--insecure-port', String(insecurePort), ...(opts.etcdServers?.length ? ['--etcd-servers', opts.etcdServers.join(',')] : []), ...(opts.args ?? [])];
    const child: ChildProcess = spawn(bin, args, { env: { ...process.env, KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    stopFn = async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    };
    try {
      await waitReady(url, 30_000, () => output);
      const end = Date.now() + 10_000;
      while (!existsSync(kubeconfig) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    } catch (e) {
      await stopFn();
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }
  return {
    url,
    secureUrl,
    dataDir,
    kubeconfig,
    cacheDir,
    kubectl: kubectlWith({ kubeconfig, cacheDir }),
    logs: () => output,
    async stop() {
      await stopFn();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
