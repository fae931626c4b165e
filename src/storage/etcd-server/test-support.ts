// Test support for the etcd front end (used by test/e2e/etcd*.test.ts): start `bin/keelson etcd`
// as a user would, run the real etcdctl, make TLS certificates with openssl.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const keelsonBin = fileURLToPath(new URL('../../../bin/keelson', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function tempDir(prefix = 'keelson-etcd-test-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface KeelsonEtcd {
  /** host:port for etcdctl --endpoints. */
  hostPort: string;
  endpoint: string;
  dataDir: string;
  pid(): number;
  log(): string;
  /** SIGKILL, no cleanup. */
  kill9(): Promise<void>;
  /** Start again on the same port and data dir. */
  restart(): Promise<void>;
  /** SIGTERM, then remove the data dir (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface StartKeelsonOptions {
  args?: string[];
  dataDir?: string;
  tls?: { certFile: string; keyFile: string; caFile: string; clientCertAuth?: boolean };
  readyTimeoutMs?: number;
}

/** Start `bin/keelson etcd` on a free port with a temp data dir; resolves once etcdctl health passes. */
export async function startKeelsonEtcd(opts: StartKeelsonOptions = {}): Promise<KeelsonEtcd> {
  const own = opts.dataDir ? undefined : await tempDir();
  const dataDir = opts.dataDir ?? join(own!.dir, 'data');
  const port = await freePort();
  const scheme = opts.tls ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const args = [
    'etcd',
    '--name',
    'keelson-test',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    endpoint,
    '--advertise-client-urls',
    endpoint,
    '--initial-advertise-peer-urls',
    peer,
    ...(opts.tls
      ? ['--cert-file', opts.tls.certFile, '--key-file', opts.tls.keyFile, '--trusted-ca-file', opts.tls.caFile, ...(opts.tls.clientCertAuth ? ['--client-cert-auth'] : [])]
      : []),
    ...(opts.args ?? []),
  ];
  let child: ChildProcess;
  let log = '';
  const spawnIt = () => {
    child = spawn(keelsonBin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' } });
    live.add(child);
    child.stderr!.on('data', (d: Buffer) => {
      if (log.length < 256 * 1024) log += d.toString();
    });
    child.once('exit', () => live.delete(child));
  };
  const tlsFlags = opts.tls ? ['--cacert', opts.tls.caFile] : [];
  const waitReady = async () => {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`keelson etcd exited: ${log.slice(-2000)}`);
      const r = await etcdctl(`127.0.0.1:${port}`, ['endpoint', 'health', '--command-timeout=2s', ...tlsFlags], { env: opts.tls?.clientCertAuth ? { ETCDCTL_CERT: join(opts.tls.caFile, '..', 'client.crt'), ETCDCTL_KEY: join(opts.tls.caFile, '..', 'client.key') } : {} });
      if (r.code === 0) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`keelson etcd not healthy: ${log.slice(-2000)}`);
  };
  spawnIt();
  await waitReady();
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    hostPort: `127.0.0.1:${port}`,
    endpoint,
    dataDir,
    pid: () => child.pid ?? 0,
    log: () => log,
    async kill9() {
      child.kill('SIGKILL');
      await exited();
    },
    async restart() {
      spawnIt();
      await waitReady();
    },
    async stop(o = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited();
        clearTimeout(t);
      }
      if (!o.keepData) await own?.remove();
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real etcdctl (ETCDCTL_API=3 unless env says otherwise) against `endpoint`. */
export function etcdctl(endpoint: string, args: string[], o: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'etcdctl',
      ['--endpoints', endpoint, ...args],
      { env: { ...process.env, ETCDCTL_API: '3', ...o.env }, timeout: o.timeoutMs ?? 20000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (o.stdin !== undefined) child.stdin!.end(o.stdin);
    else child.stdin!.end();
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _o, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

/** A CA, a server cert for 127.0.0.1/localhost and a client cert, made with openssl in `dir`. */
export async function makeCerts(dir: string): Promise<{ ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string }> {
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=keelson-test-ca'], dir);
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n'],
    ['client', 'root', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, `${name}.ext`), ext));
    await run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  }
  return {
    ca: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}
