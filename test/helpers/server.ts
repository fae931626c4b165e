// Starts `bin/keelson server` for an e2e test (the real CLI, built by `npm test`) on a data dir
// of the test's: a free secure port, the etcd endpoint off unless the test asks for one, and
// waits until the admin kubeconfig exists, the node is Ready and the default service account is
// there. Process-runtime pods (a network namespace each, as root) get a pod network of the test's
// own (pod-network.ts: bridge and cluster CIDR), unless the test passes its own flags.
// stop() ends the process (SIGTERM, then SIGKILL), releases the pod networks the kubelet left,
// and removes the data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './etcd.js';
import { kubectlWith } from './kubectl.js';
import { testPodNetwork } from './pod-network.js';
import { until } from './until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));

export interface TestServer {
  proc: ChildProcess;
  kubeconfig: string;
  kubectl: ReturnType<typeof kubectlWith>;
  /** What the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export async function startTestServer(o: { dir: string; node: string; args?: string[] }): Promise<TestServer> {
  const args = o.args ?? [];
  const etcd = args.includes('--etcd-listen-client-urls') ? [] : ['--etcd-listen-client-urls', ''];
  const net = testPodNetwork();
  const netArgs = args.some((a) => a.startsWith('--pod-network-bridge') || a.startsWith('--cluster-cidr')) ? [] : net.serverArgs;
  const proc = spawn(bin, ['server', '--data-dir', o.dir, '--secure-port', String(await freePort()), '--node-name', o.node, ...etcd, ...netArgs, ...args], {
    env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const kubeconfig = join(o.dir, 'admin.kubeconfig');
  const stop = async () => {
    proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    proc.kill('SIGKILL');
    if (netArgs.length) await net.cleanup(join(o.dir, 'kubelet'));
    rmSync(o.dir, { recursive: true, force: true });
  };
  try {
    await until('admin.kubeconfig', async () => existsSync(kubeconfig), 20_000);
    const kubectl = kubectlWith({ kubeconfig, cacheDir: join(o.dir, 'kcache') });
    await until('a Ready node', async () => new RegExp(`${o.node}\\s+Ready`).test((await kubectl(['get', 'nodes'])).stdout), 20_000);
    await until('default service account', async () => (await kubectl(['get', 'sa', 'default'])).code === 0);
    return { proc, kubeconfig, kubectl, output: () => output, stop };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${output}`, { cause: e });
  }
}
