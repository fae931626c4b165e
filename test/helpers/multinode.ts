// A keelson cluster of several "hosts" on this machine, for root tests: each host is a network
// namespace keelson-mn-<id>-<n> with its own address 10.<x>.<y>.<10+n>/24 on a shared bridge
// keelson-mnb<id> (the bridge holds .1: the test process reaches the hosts through it, and it is
// their default gateway). Host 0 runs `keelson server --bind-address 0.0.0.0`, the others join
// with `keelson token create` + `keelson agent --ca-cert-hash` (kubeadm's flow), each with its
// own data dir and, with runtime cri, its own containerd (with runtime process, as root, each
// node's pods get network namespaces on the node's own keelson0 bridge). The processes enter the
// namespace with `nsenter --net` only (not `ip netns exec`, whose private /sys hides the cgroup mounts runc needs).
// cleanup(): every container purged through its node's containerd, or every process pod's
// network released (`keelson killall`, inside the node's namespace so CNI releases its veths),
// processes stopped, namespaces (with their nftables tables and routes), the bridge, mounts and
// data dirs removed.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { caCertHash } from '../../src/auth/pki/csr.js';
import { kubectlWith } from './kubectl.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export interface MnHost {
  index: number;
  nodeName: string;
  ns: string;
  ip: string;
  dataDir: string;
  proc?: ChildProcess;
  logs(): string;
  /** Runs a command in this host's network namespace; returns its result. */
  exec(cmd: string, args: string[], timeoutMs?: number): { code: number; stdout: string; stderr: string };
}

export interface MultiNode {
  id: string;
  bridge: string;
  hosts: MnHost[];
  /** A kubeconfig for the test process (admin, server address on the bridge). */
  kubeconfig: string;
  kubectl: ReturnType<typeof kubectlWith>;
  /** Stops the keelson process of a host (SIGTERM, or SIGKILL: a crashed node). */
  stopHost(i: number, signal?: NodeJS.Signals): Promise<void>;
  cleanup(): Promise<void>;
}

export interface MultiNodeOptions {
  agents: number;
  runtime?: 'cri' | 'process';
  serverArgs?: string[];
  agentArgs?: string[];
  /** Image archives imported into every node's containerd. */
  images?: string[];
}

function startIn(ns: string, args: string[], onOut: (s: string) => void): ChildProcess {
  const child = spawn('nsenter', [`--net=/run/netns/${ns}`, bin, ...args], { env: { ...process.env, KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => onOut(String(d)));
  child.stderr!.on('data', (d) => onOut(String(d)));
  return child;
}

async function waitFor(what: string, fn: () => boolean, timeoutMs: number, logs: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${logs().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopProc(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export async function startMultiNode(o: MultiNodeOptions): Promise<MultiNode> {
  const id = randomBytes(2).toString('hex');
  const subnet = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2), 16) % 250}`;
  const bridge = `keelson-mnb${id}`;
  const root = mkdtempSync(join(tmpdir(), 'keelson-mn-'));
  const hosts: MnHost[] = [];
  const runtime = o.runtime ?? 'cri';
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  const links: string[] = [bridge];
  const outs: string[] = [];
  const log = (n: number) => (s: string) => (outs[n] += s);

  const cleanup = async () => {
    await Promise.all(hosts.map((h) => stopProc(h.proc)));
    for (const h of hosts) {
      // A containerd orphaned by a killed agent goes first (killall starts its own).
      const orphan = spawnSync('pgrep', ['-f', `containerd --config ${h.dataDir}/`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const p of orphan) spawnSync('kill', [p]);
      for (let i = 0; i < 50 && orphan.some((p) => spawnSync('kill', ['-0', p]).status === 0); i++) await new Promise((r) => setTimeout(r, 100));
      // Every container of the node, through its containerd inside the node's namespace (cri),
      // or the process pods' network namespaces, veths and rules its kubelet recorded (process).
      spawnSync('nsenter', [`--net=/run/netns/${h.ns}`, bin, 'killall', '--data-dir', h.dataDir], { stdio: 'ignore', timeout: 60_000 });
      const pids = spawnSync('ip', ['netns', 'pids', h.ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const p of pids) spawnSync('kill', ['-9', p]);
      spawnSync('ip', ['netns', 'del', h.ns]);
    }
    for (const l of links) spawnSync('ip', ['link', 'del', l], { stdio: 'ignore' });
    // Mounts left under the data dirs (container rootfs, shm), deepest first.
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m?.startsWith(root))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(root, { recursive: true, force: true });
  };

  try {
    for (let n = 0; n <= o.agents; n++) {
      const ns = `keelson-mn-${id}-${n}`;
      const host = `keelson-mv${id}${n}`;
      const addr = `${subnet}.${10 + n}`;
      ip('netns', 'add', ns);
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', `keelson-mp${id}${n}`);
      links.push(host);
      ip('link', 'set', `keelson-mp${id}${n}`, 'netns', ns);
      ip('link', 'set', host, 'master', bridge);
      ip('link', 'set', host, 'up');
      ip('-n', ns, 'link', 'set', `keelson-mp${id}${n}`, 'name', 'eth0');
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'route', 'add', 'default', 'via', `${subnet}.1`);
      outs[n] = '';
      hosts.push({
        index: n,
        nodeName: `mn-${n}`,
        ns,
        ip: addr,
        dataDir: join(root, `host-${n}`),
        logs: () => outs[n],
        exec: (cmd, args, timeoutMs = 15_000) => {
          const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs });
          return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
        },
      });
    }
    const server = hosts[0];
    server.proc = startIn(server.ns, ['server', '--data-dir', server.dataDir, '--runtime', runtime, '--bind-address', '0.0.0.0', '--secure-port', '6443', '--etcd-listen-client-urls', '', '--node-name', server.nodeName, ...(o.serverArgs ?? [])], log(0));
    await waitFor('keelson server', () => /keelson server ready/.test(server.logs()), 60_000, server.logs);
    // The admin kubeconfig, pointed at the server's address on the bridge.
    const doc = parse(readFileSync(join(server.dataDir, 'admin.kubeconfig'), 'utf8'));
    doc.clusters[0].cluster.server = `https://${server.ip}:6443`;
    const kubeconfig = join(root, 'admin.kubeconfig');
    writeFileSync(kubeconfig, stringify(doc), { mode: 0o600 });
    const hash = caCertHash(readFileSync(join(server.dataDir, 'pki', 'ca.crt'), 'utf8'));
    const token = execFileSync(bin, ['token', 'create', '--kubeconfig', kubeconfig, '--ttl', '1h', '--description', 'multinode test'], { encoding: 'utf8' }).trim();
    for (const h of hosts.slice(1)) {
      h.proc = startIn(h.ns, ['agent', '--server', `https://${server.ip}:6443`, '--token', token, '--ca-cert-hash', hash, '--data-dir', h.dataDir, '--node-name', h.nodeName, '--runtime', runtime, '--node-ip', h.ip, ...(o.agentArgs ?? [])], log(h.index));
    }
    for (const h of hosts.slice(1)) await waitFor(`keelson agent ${h.nodeName}`, () => /keelson agent ready/.test(h.logs()), 90_000, h.logs);
    if (runtime === 'cri') for (const h of hosts) for (const img of o.images ?? []) execFileSync(bin, ['images', 'import', '--data-dir', h.dataDir, img], { stdio: 'pipe' });
    const mn: MultiNode = {
      id,
      bridge,
      hosts,
      kubeconfig,
      kubectl: kubectlWith({ kubeconfig, cacheDir: join(root, 'kcache') }),
      stopHost: (i, signal) => stopProc(hosts[i].proc, signal),
      cleanup,
    };
    return mn;
  } catch (e) {
    await cleanup();
    throw e;
  }
}
