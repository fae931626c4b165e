// The process runtime: a container is a host process (its own process group) started from the
// container's command + args, env and workingDir. Images are not pulled or unpacked: the image
// name is ignored (logged once per image) and the command runs on the host; a container with no
// command and no args cannot run (there is no image entrypoint to read) and exits with
// ContainerCannotRun. A leading `busybox` is dropped when the host has none (the applet, e.g.
// sh or echo, runs from the host). stdout/stderr go to CRI-format log files. StopContainer sends SIGTERM to
// the process group, then SIGKILL after the grace period. All containers share the host network:
// the sandbox IP is the host's (a netns per pod when root is a later step). Attach: a
// container whose spec asks for stdin gets a pipe as its stdin, and attached sessions receive its
// output as it is written (no tty: a tty request gets plain pipes); port-forward dials the
// port on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { processGroupStats } from './proc-stats.js';
import { withMountNamespace } from '../../volumes/process-mounts.js';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { delimiter, join } from 'node:path';
import type { Logger } from '../../../util/log.js';
import { hostIPv4 } from '../../node-status.js';
import type { ContainerConfig, ContainerRuntime, ContainerStats, ContainerStatus, ExecResult, ExecSession, PodSandbox, PodSandboxConfig } from '../types.js';
import { createdContainerStatus } from '../types.js';
import { CriLogWriter } from './cri-log.js';

interface Sandbox {
  config: PodSandboxConfig;
  containers: Set<string>;
}

interface Container {
  status: ContainerStatus;
  config: ContainerConfig;
  child?: ChildProcess;
  exited?: Promise<void>;
  /** Attached sessions (kubectl attach): they get the container's output as it is written. */
  attached?: Set<(stream: 'stdout' | 'stderr', data: Buffer) => void>;
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

  constructor(private readonly opts: { log: Logger; hostIP?: string }) {}

  onContainerEvent(cb: (sandboxId: string, containerId: string) => void): void {
    this.listeners.push(cb);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    const id = `${this.prefix}-sb${++this.seq}`;
    this.sandboxes.set(id, { config, containers: new Set() });
    return { id, ip: this.opts.hostIP ?? hostIPv4() };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    await Promise.all([...sb.containers].map((id) => this.stopContainer(id, 0)));
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
    // `busybox sh -c ...` style commands run the applet directly when the host has no busybox.
    if (argv[0] === 'busybox' && argv.length > 1 && !onPath('busybox')) argv.shift();
    if (cfg.image && !this.warnedImages.has(cfg.image)) {
      this.warnedImages.add(cfg.image);
      this.opts.log.warn({ image: cfg.image }, 'process runtime: the image is ignored; the container command runs on the host');
    }
    if (argv.length === 0) {
      this.fail(c, `process runtime: container "${cfg.name}" has no command or args, and the entrypoint of image "${cfg.image}" is unknown (images are not unpacked)`);
      return;
    }
    if (cfg.workingDir && !existsSync(cfg.workingDir)) {
      this.fail(c, `process runtime: workingDir "${cfg.workingDir}" does not exist on the host`);
      return;
    }
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/' };
    for (const e of cfg.env) env[e.name] = e.value;
    const log = new CriLogWriter(cfg.logPath);
    // Volumes: bind mounts in a mount namespace of the container's own when root (kubelet/volumes).
    const run = withMountNamespace(argv, cfg.mounts);
    const child = spawn(run[0], run.slice(1), { cwd: cfg.workingDir || undefined, env, detached: true, stdio: [cfg.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    c.child = child;
    child.stdin?.on('error', () => undefined);
    const attached = (c.attached = new Set());
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
        const s = c.status;
        s.state = 'exited';
        s.finishedAt = Date.now();
        if (spawnError) {
          s.exitCode = 128;
          s.reason = 'ContainerCannotRun';
          s.message = spawnError.message;
        } else {
          s.exitCode = code ?? 128 + (signal ? (signals[signal] ?? 0) : 0);
          s.reason = s.exitCode === 0 ? 'Completed' : 'Error';
        }
        c.child = undefined;
        resolve();
        for (const l of this.listeners) l(s.sandboxId, s.id);
      });
    });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c?.child || c.status.state !== 'running') return;
    const pid = c.child.pid!;
    const kill = (sig: NodeJS.Signals) => {
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
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    for (const e of c.config.env) env[e.name] = e.value;
    return new Promise((resolve) => {
      const child = spawn(cmd[0], cmd.slice(1), { cwd: c.config.workingDir || undefined, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined, killSignal: 'SIGKILL' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.once('error', (e) => resolve({ exitCode: 126, stdout, stderr: stderr + e.message }));
      child.once('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? (signals[signal] ?? 0) : 0), stdout, stderr }));
    });
  }

  /** kubectl exec: the command on the host with the container's env and workingDir, its own
   * process group (killed as a whole), stdin/stdout/stderr as pipes (no pty: tty is not
   * emulated). */
  execStream(containerId: string, cmd: string[]): ExecSession {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`container "${containerId}" not found`);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
    for (const e of c.config.env) env[e.name] = e.value;
    const argv = [...cmd];
    if (argv[0] === 'busybox' && argv.length > 1 && !onPath('busybox')) argv.shift();
    const child = spawn(argv[0] ?? 'true', argv.slice(1), { cwd: c.config.workingDir || undefined, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
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
   * one (stdin: true); stdinOnce closes the container's stdin when the attached client does. */
  attach(containerId: string, opts: { stdin: boolean }): ExecSession {
    const c = this.containers.get(containerId);
    if (!c?.child || c.status.state !== 'running') throw new Error(`container ${containerId} is not running`);
    const child = c.child;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    const listener = (name: 'stdout' | 'stderr', d: Buffer) => (name === 'stdout' ? stdout : stderr).write(d);
    c.attached?.add(listener);
    if (opts.stdin && child.stdin) {
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
    };
    return session;
  }

  /** kubectl port-forward: process pods share the host network, so the pod's port is the
   * host's loopback port. */
  portForward(sandboxId: string, port: number): Promise<Duplex> {
    if (!this.sandboxes.has(sandboxId)) return Promise.reject(new Error(`sandbox ${sandboxId} not found`));
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
    const pid = c.status.state === 'running' ? c.child?.pid : undefined;
    return (pid && (await processGroupStats(pid))) || { cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.sandboxes.keys()].map((id) => this.removePodSandbox(id)));
  }
}
