// A local image registry for offline tests and examples: Debian's docker-registry (the CNCF
// distribution registry 2.8) with a config and storage of its own under `dir`, on 127.0.0.1
// only, no auth. Ready when GET /v2/ answers 200. containerd pulls from 127.0.0.1:5000 and
// localhost:5000 over plain HTTP (containerd.ts writes their hosts.toml); other ports need
// `ctr images pull --plain-http` or a hosts.toml of their own.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningRegistry {
  /** host:port, e.g. 127.0.0.1:5000 */
  host: string;
  pid: number;
  stop(): Promise<void>;
}

export function registryAvailable(): boolean {
  return ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry'].some((p) => existsSync(p));
}

export function registryConfig(dir: string, port: number): string {
  return `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'storage')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
`;
}

/** Starts docker-registry on 127.0.0.1:`port` with its files under `dir`; waits until it answers. */
export async function startRegistry(o: { dir: string; port: number; timeoutMs?: number }): Promise<RunningRegistry> {
  if (!registryAvailable()) throw new Error('docker-registry is not installed (apt-get install docker-registry, or scripts/install-deps.sh as root)');
  mkdirSync(join(o.dir, 'storage'), { recursive: true });
  const config = join(o.dir, 'config.yml');
  writeFileSync(config, registryConfig(o.dir, o.port));
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 16_000) stderr += d.toString();
  });
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  child.once('error', () => {});
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(t);
  };
  const host = `127.0.0.1:${o.port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return { host, pid: child.pid!, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not answer on ${host}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
}
