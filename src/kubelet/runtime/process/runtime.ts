// The process runtime: a container is a host process (its own process group) started from the
// container's command + args, env and workingDir. Images are not pulled or unpacked: the image
// name is ignored (logged once per image) and the command runs on the host; a container with no
// command and no args cannot run (there is no image entrypoint to read) and exits with
// ContainerCannotRun. A leading `busybox` is dropped when the host has none (the applet, e.g.
// sh or echo, runs from the host). stdout/stderr go to CRI-format log files. StopContainer sends SIGTERM to
// the process group, then SIGKILL after the grace period. Network: with `podNetwork` (root) each
// non-hostNetwork sandbox gets a network namespace of its own with an IP from the node's pod CIDR
// (pod-network.ts), and the pod's containers, exec, exec probes and port-forward run in it;
// otherwise all containers share the host network and the sandbox IP is the host's. Attach: a
// container whose spec asks for stdin gets a pipe as its stdin, and attached sessions receive its
// output as it is written. tty: a container with `tty: true` runs on a pseudo-terminal (pty.ts),
// as does `kubectl exec -t`; resize messages set the terminal size. Port-forward dials 127.0.0.1
// (inside the pod's namespace when it has one).
import { hostname } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { processGroupStats } from './proc-stats.js';
import { inMountNamespaceOf, withMountNamespace } from '../../volumes/process-mounts.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { delimiter, join } from 'node:path';
import type { Logger } from '../../../util/log.js';
import { hostIPv4 } from '../../node-status.js';
import type { ContainerConfig, ContainerRuntime, ContainerStats, ContainerStatus, ExecResult, ExecSession, PodSandbox, PodSandboxConfig } from '../types.js';
import { createdContainerStatus } from '../types.js';
import { CriLogWriter } from './cri-log.js';
import type { IPty } from '@lydell/node-pty';
import { killPty, ptyExecSession, ptyExitCode, resizePty, spawnPty, PtyUnavailableError } from './pty.js';
import { inNetns, type ProcessPodNetwork } from './pod-network.js';
import { dialInNetns } from './netns-dial.js';
import { knownImageCommand } from './known-images.js';
import { renderResolvConf } from '../../../dns/pod-dns-config.js';

interface Sandbox {
  config: PodSandboxConfig;
  containers: Set<string>;
  /** The pod's network namespace (a path) when it has one of its own. */
  netns?: string;
  /** The pod's resolv.conf on the host, mounted over /etc/resolv.conf in its containers. */
  resolvConf?: string;
}

interface Container {
  status: ContainerStatus;
  config: ContainerConfig;
  child?: ChildProcess;
  /** The container's terminal when it runs with `tty: true` (instead of `child`). */
  pty?: IPty;
  exited?: Promise<void>;
  /** Attached sessions (kubectl attach): they get the container's output as it is written. */
  attached?: Set<(stream: 'stdout' | 'stderr', data: Buffer) => void>;
  /** The container runs in a mount namespace of its own (its volumes are bind-mounted there). */
  mountNs?: boolean;
}

/** True when `cmd` is found on $PATH (or is a path that exists). */
function onPath(cmd: string): boolean {
  if (cmd.includes('/')) return existsSync(cmd);
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export class ProcessRuntime implements ContainerRuntime {
  readonly runtimeName = 'keelson-process';
  readonly runtimeVersion = '0.1.0';
  readonly probesAlwaysPass = false;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly listeners: Array<(sandboxId: string, containerId: string) => void> = [];
  private readonly warnedImages = new Set<string>();
  private seq = 0;
  private readonly prefix = `${process.pid.toString(36)}${Date.now().toString(36)}`;

  /** `podNetwork`: a network namespace per pod (root; see pod-network.ts); without it pods share
   * the host network. */
  constructor(private readonly opts: { log: Logger; hostIP?: string; podNetwork?: ProcessPodNetwork }) {}

  /** argv run in the container's sandbox network namespace, when it has one. */
  private inPodNetwork(c: Container, argv: string[]): string[] {
    return inNetns(this.sandboxes.get(c.status.sandboxId)?.netns, argv);
  }

  /** argv for exec in a running container: its mount namespace (volumes) and network. */
  private inContainer(c: Container, argv: string[]): string[] {
    const pid = c.child?.pid ?? c.pty?.pid;
    return this.inPodNetwork(c, c.mountNs && pid && c.status.state === 'running' ? inMountNamespaceOf(pid, argv) : argv);
  }

  onContainerEvent(cb: (sandboxId: string, containerId: string) => void): void {
    this.listeners.push(cb);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    const id = `${this.prefix}-sb${++this.seq}`;
    const net = this.opts.podNetwork;
    const resolvConf = this.writeResolvConf(config);
    if (net && !config.hostNetwork) {
      const { ip, netns } = await net.setUp(id, config);
      this.sandboxes.set(id, { config, containers: new Set(), netns, resolvConf });
      return { id, ip };
    }
    this.sandboxes.set(id, { config, containers: new Set(), resolvConf });
    return { id, ip: this.opts.hostIP ?? hostIPv4() };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    await Promise.all([...sb.containers].map((id) => this.stopContainer(id, 0)));
    // Releases the pod's network (CNI DEL, netns delete) once its processes are gone.
    if (sb.netns) {
      sb.netns = undefined;
      await this.opts.podNetwork?.tearDown(sandboxId);
    }
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    await this.stopPodSandbox(sandboxId);
    for (const id of sb.containers) this.containers.delete(id);
    this.sandboxes.delete(sandboxId);
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new Error(`sandbox "${sandboxId}" not found`);
    const id = `${this.prefix}-c${++this.seq}`;
    const status = createdContainerStatus(id, sandboxId, config);
    this.containers.set(id, { status, config });
    sb.containers.add(id);
    return id;
  }

  /**
   * The pod's resolv.conf (cluster DNS for dnsPolicy ClusterFirst, as the kubelet computed it),
   * written beside its logs and bind-mounted over /etc/resolv.conf in each container's mount
   * namespace, as a container runtime does; only as root (mount namespaces), else the host's.
   */
  private writeResolvConf(config: PodSandboxConfig): string | undefined {
    if (!config.dns || process.getuid?.() !== 0) return undefined;
    const text = renderResolvConf(config.dns);
    if (!text) return undefined;
    mkdirSync(config.logDirectory, { recursive: true });
    const path = join(config.logDirectory, 'resolv.conf');
    writeFileSync(path, text);
    return path;
  }

  /** A container's environment (its process, exec sessions): the host's PATH and HOME, HOSTNAME
   * as a container runtime sets it (the pod's hostname; the node's with hostNetwork), then the
   * container's env. */
  private containerEnv(c: Container): Record<string, string> {
    const sb = this.sandboxes.get(c.status.sandboxId);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/',
      HOSTNAME: !sb || sb.config.hostNetwork ? hostname() : sb.config.hostname || sb.config.name,
    };
    for (const e of c.config.env) env[e.name] = e.value;
    return env;
  }

  private fail(c: Container, message: string): void {
    const s = c.status;
    s.state = 'exited';
    s.exitCode = 128;
    s.reason = 'ContainerCannotRun';
    s.message = message;
    s.startedAt = s.finishedAt = Date.now();
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`container "${containerId}" not found`);
    const cfg = c.config;
    const argv = [...cfg.command, ...cfg.args];
    // No command: a stand-in for a few well-known images (known-images.ts), else a clear failure.
    const standIn = argv.length === 0 ? knownImageCommand(cfg.image) : undefined;
    if (standIn) argv.push(...standIn);
    // `busybox sh -c ...` style commands run the applet directly when the host has no busybox.
    if (argv[0] === 'busybox' && argv.length > 1 && !onPath('busybox')) argv.shift();
    if (cfg.image && !this.warnedImages.has(cfg.image)) {
      this.warnedImages.add(cfg.image);
      if (standIn) this.opts.log.warn({ image: cfg.image, command: standIn[0] === process.execPath ? 'node (built-in web server)' : standIn.join(' ') }, "process runtime: the image's entrypoint is unknown; a stand-in for it runs on the host");
      else this.opts.log.warn({ image: cfg.image }, 'process runtime: the image is ignored; the container command runs on the host');
    }
    if (argv.length === 0) {
      this.fail(c, `process runtime: container "${cfg.name}" has no command or args, and the entrypoint of image "${cfg.image}" is unknown (images are not unpacked)`);
      return;
    }
    if (cfg.workingDir && !existsSync(cfg.workingDir)) {
      this.fail(c, `process runtime: workingDir "${cfg.workingDir}" does not exist on the host`);
      return;
    }
    const env = this.containerEnv(c);
    const log = new CriLogWriter(cfg.logPath);
    // Volumes: bind mounts in a mount namespace of the container's own when root (kubelet/volumes);
    // the pod's network namespace around that.
    const resolv = this.sandboxes.get(c.status.sandboxId)?.resolvConf;
    const mounts = resolv && !(cfg.mounts ?? []).some((m) => m.containerPath === '/etc/resolv.conf') ? [...(cfg.mounts ?? []), { containerPath: '/etc/resolv.conf', hostPath: resolv, readOnly: false }] : cfg.mounts;
    const inner = withMountNamespace(argv, mounts);
    c.mountNs = inner !== argv;
    const run = this.inPodNetwork(c, inner);
    const attached = (c.attached = new Set());
    if (cfg.tty) return this.startOnPty(c, run, env, log);
    const child = spawn(run[0], run.slice(1), { cwd: cfg.workingDir || undefined, env, detached: true, stdio: [cfg.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    c.child = child;
    child.stdin?.on('error', () => undefined);
    for (const name of ['stdout', 'stderr'] as const) child[name]!.on('data', (d: string | Buffer) => {
      for (const l of attached) l(name, Buffer.isBuffer(d) ? d : Buffer.from(d));
    });
    c.status.state = 'running';
    c.status.startedAt = Date.now();
    const piped = Promise.all([log.pipe(child.stdout!, 'stdout'), log.pipe(child.stderr!, 'stderr')]);
    c.exited = new Promise<void>((resolve) => {
      let spawnError: Error | undefined;
      child.once('error', (e) => (spawnError = e));
      child.once('close', (code, signal) => {
        void piped.then(() => log.close());
        c.child = undefined;
        this.exitedWith(c, spawnError ? { message: spawnError.message } : { code: code ?? 128 + (signal ? (signals[signal] ?? 0) : 0) });
        resolve();
      });
    });
  }

  /** A `tty: true` container: its process on a pty; the terminal's output is its stdout (log and
   * attached sessions). */
  private startOnPty(c: Container, run: string[], env: Record<string, string>, log: CriLogWriter): void {
    let pty: IPty;
    try {
      pty = spawnPty(run, { cwd: c.config.workingDir || undefined, env });
    } catch (e) {
      if (!(e instanceof PtyUnavailableError)) throw e;
      this.opts.log.warn({ container: c.config.name }, e.message);
      this.fail(c, e.message);
      return;
    }
    c.pty = pty;
    const out = new PassThrough();
    pty.onData((d) => {
      out.write(d);
      for (const l of c.attached ?? []) l('stdout', Buffer.from(d));
    });
    c.status.state = 'running';
    c.status.startedAt = Date.now();
    const piped = log.pipe(out, 'stdout');
    c.exited = new Promise<void>((resolve) => {
      pty.onExit((e) =>
        setImmediate(() => {
          out.end();
          void piped.then(() => log.close());
          c.pty = undefined;
          this.exitedWith(c, { code: ptyExitCode(e) });
          resolve();
        }),
      );
    });
  }

  /** Records how a started container ended and tells the listeners. */
  private exitedWith(c: Container, how: { code: number } | { message: string }): void {
    const s = c.status;
    s.state = 'exited';
    s.finishedAt = Date.now();
    if ('message' in how) {
      s.exitCode = 128;
      s.reason = 'ContainerCannotRun';
      s.message = how.message;
    } else {
      s.exitCode = how.code;
      s.reason = s.exitCode === 0 ? 'Completed' : 'Error';
    }
    for (const l of this.listeners) l(s.sandboxId, s.id);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (!(c?.child || c?.pty) || c.status.state !== 'running') return;
    const pty = c.pty;
    const pid = pty ? pty.pid : c.child!.pid!;
    const kill = (sig: NodeJS.Signals) => {
      if (pty) return killPty(pty, sig);
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          c.child?.kill(sig);
        } catch {
          /* gone */
        }
      }
    };
    if (timeoutSeconds > 0) {
      kill('SIGTERM');
      const t = setTimeout(() => kill('SIGKILL'), timeoutSeconds * 1000);
      await c.exited;
      clearTimeout(t);
    } else {
      kill('SIGKILL');
      await c.exited;
    }
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) return;
    await this.stopContainer(containerId, 0);
    this.containers.delete(containerId);
    this.sandboxes.get(c.status.sandboxId)?.containers.delete(containerId);
  }

  async listContainers(filter: { sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()].filter((c) => !filter.sandboxId || c.status.sandboxId === filter.sandboxId).map((c) => ({ ...c.status }));
  }

  async containerStatus(containerId: string): Promise<ContainerStatus | undefined> {
    const c = this.containers.get(containerId);
    return c ? { ...c.status } : undefined;
  }

  /** Runs the command on the host with the container's env and workingDir. */
  async exec(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`container "${containerId}" not found`);
    if (cmd.length === 0) return { exitCode: 126, stdout: '', stderr: 'empty command' };
    const env = this.containerEnv(c);
    const notFound = this.notFoundInNetns(c, cmd[0]);
    if (notFound) return { exitCode: 126, stdout: '', stderr: notFound };
    const run = this.inContainer(c, cmd);
    return new Promise((resolve) => {
      const child = spawn(run[0], run.slice(1), { cwd: c.config.workingDir || undefined, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined, killSignal: 'SIGKILL' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.once('error', (e) => resolve({ exitCode: 126, stdout, stderr: stderr + e.message }));
      child.once('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? (signals[signal] ?? 0) : 0), stdout, stderr }));
    });
  }

  /** In a pod network (or the container's mount) namespace the command is exec'd by nsenter,
   * which would only exit 127 for a missing program: say it as a runtime does instead. */
  private notFoundInNetns(c: Container, cmd: string | undefined): string | undefined {
    if (!cmd || !(this.sandboxes.get(c.status.sandboxId)?.netns || c.mountNs) || onPath(cmd)) return undefined;
    return `exec: "${cmd}": executable file not found in $PATH`;
  }

  /** kubectl exec: the command on the host with the container's env and workingDir (in the pod's
   * network namespace when it has one), its own process group (killed as a whole),
   * stdin/stdout/stderr as pipes, or a pty with `tty` (pty.ts). */
  execStream(containerId: string, cmd: string[], opts: { tty?: boolean; stdin?: boolean } = {}): ExecSession {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`container "${containerId}" not found`);
    const env = this.containerEnv(c);
    const argv = [...cmd];
    if (argv[0] === 'busybox' && argv.length > 1 && !onPath('busybox')) argv.shift();
    const notFound = this.notFoundInNetns(c, argv[0]);
    if (notFound) return failedSession(notFound);
    const run = this.inContainer(c, argv.length ? argv : ['true']);
    if (opts.tty) return ptyExecSession(spawnPty(run, { cwd: c.config.workingDir || undefined, env }));
    const child = spawn(run[0], run.slice(1), { cwd: c.config.workingDir || undefined, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    const session: ExecSession = {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited: new Promise<number>((resolve) => {
        child.once('error', (e) => {
          session.startError = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `exec: "${argv[0]}": executable file not found in $PATH` : e.message;
          resolve(126);
        });
        child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (signals[signal] ?? 0) : 0)));
      }),
      kill: () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      },
    };
    return session;
  }

  /** kubectl attach: the container's output from now on, and its stdin when the spec asked for
   * one (stdin: true); stdinOnce closes the container's stdin when the attached client does. A
   * container on a pty is attached to its terminal (keystrokes in, resize applied). */
  attach(containerId: string, opts: { stdin: boolean; tty?: boolean }): ExecSession {
    const c = this.containers.get(containerId);
    if (!(c?.child || c?.pty) || c.status.state !== 'running') throw new Error(`container ${containerId} is not running`);
    const child = c.child;
    const pty = c.pty;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    const listener = (name: 'stdout' | 'stderr', d: Buffer) => (name === 'stdout' ? stdout : stderr).write(d);
    c.attached?.add(listener);
    if (opts.stdin && pty && c.config.stdin) {
      const utf8 = new StringDecoder('utf8');
      stdin.on('data', (d: Buffer) => pty.write(utf8.write(d)));
    } else if (opts.stdin && child?.stdin) {
      stdin.on('data', (d: Buffer) => child.stdin!.write(d));
      stdin.on('end', () => {
        if (c.config.stdinOnce) child.stdin!.end();
      });
    }
    let detach!: () => void;
    const session: ExecSession = {
      stdin,
      stdout,
      stderr,
      exited: new Promise<number>((resolve) => {
        detach = () => {
          c.attached?.delete(listener);
          stdout.end();
          stderr.end();
          resolve(c.status.state === 'exited' ? c.status.exitCode : 0);
        };
        void c.exited?.then(detach);
      }),
      kill: () => detach(),
      ...(pty ? { resize: (w: number, h: number) => resizePty(pty, w, h) } : {}),
    };
    return session;
  }

  /** kubectl port-forward: 127.0.0.1:port in the pod's network namespace, or the host's loopback
   * port for a pod on the host network. */
  portForward(sandboxId: string, port: number): Promise<Duplex> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return Promise.reject(new Error(`sandbox ${sandboxId} not found`));
    if (sb.netns) return dialInNetns(sb.netns, port);
    return new Promise((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port });
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        resolve(sock);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ECONNREFUSED' ? `dial tcp4 127.0.0.1:${port}: connect: connection refused` : `dial tcp4 127.0.0.1:${port}: ${e.message}`)));
    });
  }

  async containerStats(containerId: string): Promise<ContainerStats | undefined> {
    // The container's process group, read from /proc (proc-stats.ts); zeros once it has exited.
    const c = this.containers.get(containerId);
    if (!c) return undefined;
    const pid = c.status.state === 'running' ? (c.child?.pid ?? c.pty?.pid) : undefined;
    return (pid && (await processGroupStats(pid))) || { cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.sandboxes.keys()].map((id) => this.removePodSandbox(id)));
    await this.opts.podNetwork?.close();
  }
}

/** A session for a command that could not start (exit 126 with `startError`). */
function failedSession(startError: string): ExecSession {
  const ended = () => {
    const s = new PassThrough();
    s.end();
    return s;
  };
  return { stdin: new PassThrough(), stdout: ended(), stderr: ended(), exited: Promise.resolve(126), startError, kill: () => undefined };
}
