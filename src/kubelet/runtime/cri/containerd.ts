// The node's own containerd, supervised by keelson (as k3s runs its embedded containerd):
// a config.toml generated under <data-dir>/containerd (root, state, socket, the CRI plugin with
// our CNI conf dir, the pause image, restrict_oom_score_adj, runc with cgroupfs, plain HTTP for
// a local registry), the daemon started as a child with its log in containerd.log, ready once its
// socket answers, the pause image imported offline when missing, and stopped with SIGTERM then
// SIGKILL. Two nodes on one machine use two data dirs and never share a socket or root.
//
// What containerd still writes outside the data dir (shared by every containerd on the host, but
// named per container or sandbox id, so two instances do not collide): /run/containerd/s/<hash>
// (shim sockets), /run/containerd/fifo (ctr's stdio fifos), and whatever the CNI plugins keep
// (/var/lib/cni/results, the portmap plugin's CNI-HOSTPORT-* iptables chains). Network
// namespaces go under the state dir (netns_mounts_under_state_dir), runc's state under
// <state>/runc, containerd's opt dir under <data-dir>/opt.
//
// Divergence from a packaged containerd: no systemd unit; a negative oom_score_adj is never set
// (root here lacks CAP_SYS_RESOURCE); containers keep running when keelson stops the daemon (as
// with a kubelet restart) unless stop({ purge: true }) is asked for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PAUSE_IMAGE, pauseImage } from '../../images/builtin-images.js';
import { importBuiltImages, K8S_NAMESPACE } from '../../images/import.js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { CriClient, type CriError } from './client.js';
import { ctr } from './ctr.js';
import { logger } from '../../../util/log.js';

export interface ContainerdOptions {
  /** Where everything of this containerd lives: <data-dir>/containerd. */
  dataDir: string;
  /** The CNI configuration directory the CRI plugin reads (cni-config.ts writes it). */
  cniConfDir: string;
  /** The CNI plugin binaries (default /usr/lib/cni, Debian's containernetworking-plugins). */
  cniBinDir?: string;
  /** The pod sandbox image (default localhost/keelson/pause:1, built and imported offline). */
  sandboxImage?: string;
  /** containerd's log level: trace, debug, info, warn, error (default info). */
  logLevel?: string;
  /** Registries reached over plain HTTP (default 127.0.0.1:5000 and localhost:5000). */
  insecureRegistries?: string[];
  /** How long to wait for the socket to answer (default 30 s). */
  readyTimeoutMs?: number;
  /** Return only once the pause image is there (default true). false: return as soon as the
   * daemon answers, the import running on (`sandboxImage` settles when it is done), as the
   * kubelet does not wait for the sandbox image either: containerd needs it at RunPodSandbox. */
  waitForSandboxImage?: boolean;
}

export interface RunningContainerd {
  /** CRI endpoint: unix:///<socket>. */
  endpoint: string;
  /** The socket path (for ctr --address). */
  address: string;
  pid: number;
  /** Settles once the sandbox image is present (imported offline when it was missing); rejects
   * when it could not be imported. Already settled unless `waitForSandboxImage: false`. */
  sandboxImage: Promise<void>;
  /** Stops the daemon (SIGTERM, SIGKILL after 10 s). With purge, first kills every task it runs
   * (their shims exit), then unmounts what it left under its data dir. */
  stop(o?: { purge?: boolean }): Promise<void>;
}

export interface ContainerdPaths {
  dataDir: string;
  config: string;
  root: string;
  state: string;
  address: string;
  log: string;
  pidFile: string;
  certsDir: string;
  optDir: string;
}

/** Longest socket path: sun_path is 108 bytes with the NUL, and containerd adds ".ttrpc". */
const MAX_SOCKET = 100;

/** Where a containerd under `dataDir` keeps its files (also how `keelson images` finds it). */
export function containerdPaths(dataDir: string): ContainerdPaths {
  const d = resolve(dataDir);
  let address = join(d, 'containerd.sock');
  if (address.length > MAX_SOCKET) {
    // Too long for a unix socket: a short name derived from the data dir, still one per node.
    address = join('/run/keelson', `containerd-${createHash('sha256').update(d).digest('hex').slice(0, 12)}.sock`);
  }
  return {
    dataDir: d,
    config: join(d, 'config.toml'),
    root: join(d, 'root'),
    state: join(d, 'state'),
    address,
    log: join(d, 'containerd.log'),
    pidFile: join(d, 'containerd.pid'),
    certsDir: join(d, 'certs.d'),
    optDir: join(d, 'opt'),
  };
}

const q = (s: string) => JSON.stringify(s);

/** The config.toml (version 2) of a containerd under `p`. */
export function containerdConfig(p: ContainerdPaths, o: ContainerdOptions): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `# Generated by keelson: this node's containerd. Rewritten at every start.
version = 2
root = ${q(p.root)}
state = ${q(p.state)}
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(p.address)}

[debug]
  level = ${q(o.logLevel ?? 'info')}

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = ${q(p.optDir)}

  [${cri}]
    sandbox_image = ${q(o.sandboxImage ?? PAUSE_IMAGE)}
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_selinux = false

    [${cri}.cni]
      bin_dir = ${q(o.cniBinDir ?? '/usr/lib/cni')}
      conf_dir = ${q(o.cniConfDir)}
      max_conf_num = 1

    [${cri}.containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"

      [${cri}.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"

        [${cri}.containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = ${q(join(p.state, 'runc'))}

    [${cri}.registry]
      config_path = ${q(p.certsDir)}
`;
}

/** hosts.toml of a registry reached over plain HTTP (containerd's certs.d layout). */
function insecureHostsToml(host: string): string {
  return `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve", "push"]\n  skip_verify = true\n`;
}

const which = (cmd: string): string | undefined => {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
};

/** Whether keelson can run its own containerd here, or why not. */
export function containerdAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'containers need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'containerd needs root (running as uid ' + process.getuid?.() + ')' };
  for (const [cmd, pkg] of [
    ['containerd', 'containerd'],
    ['ctr', 'containerd'],
    ['containerd-shim-runc-v2', 'containerd'],
    ['runc', 'runc'],
  ] as const)
    if (!which(cmd)) return { ok: false, reason: `${cmd} is not installed (apt-get install ${pkg}, or run scripts/install-deps.sh as root)` };
  if (!existsSync('/usr/lib/cni/bridge')) return { ok: false, reason: 'the CNI plugins are not installed (apt-get install containernetworking-plugins)' };
  return { ok: true };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A containerd left running by an earlier keelson on the same data dir: stop it (its
 * containers keep running in their shims and are found again by the new daemon). */
async function stopStale(p: ContainerdPaths): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(p.pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!pid || !alive(pid)) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes(p.config)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Mount points under `dir` (deepest first), from /proc/self/mountinfo. */
export function mountsUnder(dir: string): string[] {
  const prefix = resolve(dir) + '/';
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && unescape(mp).startsWith(prefix)) out.push(unescape(mp));
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Unmounts (lazily) everything mounted under `dir`: overlay rootfs, shm, network namespaces. */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 3; round++) {
    const mps = mountsUnder(dir);
    if (!mps.length) return;
    for (const mp of mps) spawnSync('umount', ['-l', mp], { stdio: 'ignore' });
  }
}

/** Stops and removes every pod sandbox through the CRI (which tears down their networks with
 * the CNI plugins: veth, IP allocation, hostPort rules), then kills what is left in every
 * namespace (tasks made with ctr) and deletes those tasks and containers. */
async function removeEverything(address: string): Promise<void> {
  const c = new CriClient(`unix://${address}`, 30_000);
  try {
    const { items } = await c.runtime('ListPodSandbox', {});
    // Right after a start the CRI plugin may not have loaded the CNI config yet, and a sandbox
    // stopped then would keep its network (veth, IP, iptables rules): wait for NetworkReady.
    for (let i = 0; i < 50 && items?.length; i++) {
      const st = await c.runtime('Status', {});
      if ((st.status?.conditions ?? []).some((x: { type: string; status: boolean }) => x.type === 'NetworkReady' && x.status)) break;
      await sleep(100);
    }
    for (const sb of items ?? []) {
      await c.runtime('StopPodSandbox', { pod_sandbox_id: sb.id }).catch(() => undefined);
      await c.runtime('RemovePodSandbox', { pod_sandbox_id: sb.id }).catch(() => undefined);
    }
  } catch {
    // the CRI plugin did not answer: fall through to ctr
  } finally {
    c.close();
  }
  const nss = (await ctr(address, ['namespaces', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
  for (const ns of nss.length ? nss : [K8S_NAMESPACE]) {
    const tasks = (await ctr(address, ['tasks', 'ls', '-q'], { namespace: ns })).stdout.split('\n').filter(Boolean);
    await Promise.all(tasks.map((t) => ctr(address, ['tasks', 'kill', '-a', '-s', 'SIGKILL', t], { namespace: ns })));
    await Promise.all(tasks.map((t) => ctr(address, ['tasks', 'rm', '-f', t], { namespace: ns, timeoutMs: 15_000 })));
    const containers = (await ctr(address, ['containers', 'ls', '-q'], { namespace: ns })).stdout.split('\n').filter(Boolean);
    if (containers.length) await ctr(address, ['containers', 'rm', ...containers], { namespace: ns });
  }
}

/** Starts this node's containerd and waits until it answers; imports the pause image if missing. */
export async function startContainerd(o: ContainerdOptions): Promise<RunningContainerd> {
  const log = logger('containerd');
  const avail = containerdAvailable();
  if (!avail.ok) throw new Error(avail.reason);
  const p = containerdPaths(o.dataDir);
  for (const d of [p.dataDir, p.root, p.state, p.certsDir, o.cniConfDir]) mkdirSync(d, { recursive: true });
  if (p.address.startsWith('/run/keelson/')) mkdirSync('/run/keelson', { recursive: true });
  for (const host of o.insecureRegistries ?? ['127.0.0.1:5000', 'localhost:5000']) {
    mkdirSync(join(p.certsDir, host), { recursive: true });
    writeFileSync(join(p.certsDir, host, 'hosts.toml'), insecureHostsToml(host));
  }
  writeFileSync(p.config, containerdConfig(p, o));
  await stopStale(p);
  rmSync(p.address, { force: true });

  const logFd = openSync(p.log, 'a');
  let child: ChildProcess;
  try {
    // Its own process group: a Ctrl-C in keelson's terminal reaches keelson, which stops it.
    child = spawn('containerd', ['--config', p.config], { stdio: ['ignore', logFd, logFd], detached: true });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid!;
  writeFileSync(p.pidFile, `${pid}\n`);
  let exited = false;
  let exitCode: number | null = null;
  const exit = new Promise<void>((r) =>
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      r();
    }),
  );
  child.once('error', () => {});
  const killOnExit = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  const stopDaemon = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    }
    process.removeListener('exit', killOnExit);
    for (const f of [p.pidFile, p.address, `${p.address}.ttrpc`]) rmSync(f, { force: true });
  };
  const lastLog = () => {
    try {
      return readFileSync(p.log, 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      return '';
    }
  };

  const timeoutMs = o.readyTimeoutMs ?? 30_000;
  try {
    await answering(p.address, timeoutMs, () => (exited ? `containerd exited (code ${exitCode}) before answering; its log (${p.log}):\n${lastLog()}` : undefined));
  } catch (e) {
    await stopDaemon();
    if ((e as Error).message.startsWith('containerd exited')) throw e;
    throw new Error(`containerd did not answer on ${p.address} within ${timeoutMs} ms; its log:\n${lastLog()}`, { cause: e });
  }
  log.info({ pid, address: p.address, log: p.log }, 'containerd running');

  const sandboxImage = ensureSandboxImage(p.address, o.sandboxImage ?? PAUSE_IMAGE, log);
  if (o.waitForSandboxImage ?? true) {
    try {
      await sandboxImage;
    } catch (e) {
      await stopDaemon();
      throw e;
    }
  } else sandboxImage.catch((e) => log.warn({ err: (e as Error).message }, 'the pause image could not be imported'));

  return {
    endpoint: `unix://${p.address}`,
    address: p.address,
    pid,
    sandboxImage,
    async stop(so?: { purge?: boolean }) {
      if (so?.purge && !exited) await removeEverything(p.address);
      await stopDaemon();
      if (so?.purge) {
        unmountUnder(p.dataDir);
        // Network namespace files of sandboxes (already unmounted).
        const netns = join(p.state, 'io.containerd.grpc.v1.cri', 'netns');
        if (existsSync(netns)) for (const f of readdirSync(netns)) rmSync(join(netns, f), { force: true });
      }
    },
  };
}

/** Waits until the CRI plugin of the containerd on `address` answers Version: the socket is
 * watched every few milliseconds (it appears once the daemon serves), then asked over gRPC (no
 * `ctr` process per attempt). `failed()` returns why to stop waiting (the daemon exited). */
async function answering(address: string, timeoutMs: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let client: CriClient | undefined;
  let last: unknown;
  try {
    for (;;) {
      const why = failed();
      if (why) throw new Error(why);
      if (Date.now() > deadline) throw new Error(`no answer: ${(last as Error | undefined)?.message ?? 'no socket'}`);
      if (existsSync(address)) {
        client ??= new CriClient(`unix://${address}`);
        try {
          await client.runtime('Version', { version: 'v1' }, Math.max(1, Math.min(5000, deadline - Date.now())));
          return;
        } catch (e) {
          // Not serving yet (a new channel for the next try: a failed one waits out gRPC's 1 s
          // reconnect back-off), or the CRI plugin still initializing ("server is not
          // initialized yet"; on a restart it recovers its state first): the same channel.
          last = e;
          if ((e as CriError).code === grpcStatus.UNAVAILABLE) {
            client.close();
            client = undefined;
          }
        }
      }
      await sleep(existsSync(address) ? 20 : 5);
    }
  } finally {
    client?.close();
  }
}

/** Makes sure the sandbox image is in containerd (the CRI's ImageStatus; the built pause image is
 * imported when missing, other images are left to containerd to pull at RunPodSandbox). */
export async function ensureSandboxImage(address: string, image: string = PAUSE_IMAGE, log = logger('containerd')): Promise<void> {
  if (image !== PAUSE_IMAGE) return;
  const c = new CriClient(`unix://${address}`, 30_000);
  try {
    const { image: found } = await c.image('ImageStatus', { image: { image } });
    if (found) return;
  } finally {
    c.close();
  }
  await importBuiltImages(address, [pauseImage()]);
  log.info({ image }, 'imported the pause image');
}

/** Removes everything a node's containerd runs (k3s-killall.sh for one node): starts it on its
 * data dir if needed (a stale daemon is replaced), tears every sandbox down through the CRI,
 * kills what is left, stops the daemon and unmounts what it left under the data dir. */
export async function purgeContainerd(o: ContainerdOptions): Promise<void> {
  const c = await startContainerd(o);
  await c.stop({ purge: true });
}
