// The simulated runtime (kwok's idea): no processes, only state. A container goes Created ->
// Running at once (or after `startDelayMs`) and runs until stopped, except:
// - an init container completes (exit 0) after `completeAfterMs`;
// - a container of a pod whose restartPolicy is Never or OnFailure and that has a command or args
//   is a "job": it completes (exit 0) after `completeAfterMs`.
// Stopping is immediate whatever the grace period (exit 0 on a stop, like a well-behaved
// process, reason Completed). Probes always pass. Exec answers exit 0 with empty output.
// Stats are made up from the requests: a running container uses `usageFraction` (default 0.5)
// of its cpu request (cumulative cpu grows at that rate) and of its memory request (working set),
// so summaries and the HPA see steady, predictable usage.
// State is a few small objects per container so thousands of nodes fit in one process.
import type { ContainerConfig, ContainerRuntime, ContainerStats, ContainerStatus, ExecResult, PodSandbox, PodSandboxConfig } from '../types.js';
import { createdContainerStatus } from '../types.js';

export interface SimulatedRuntimeOptions {
  /** Delay between StartContainer and Running (default 0: at once). */
  startDelayMs?: number;
  /** How long a job-like or init container runs before exiting 0 (default 1000). */
  completeAfterMs?: number;
  /** Pod IP for a sandbox (default: 10.244.x.y from a counter). */
  allocateIp?: (config: PodSandboxConfig) => string;
  /** Share of its requests a running container uses in ContainerStats (default 0.5). */
  usageFraction?: number;
}

interface Sandbox {
  config: PodSandboxConfig;
  ip: string;
  containers: Set<string>;
}

interface Container {
  status: ContainerStatus;
  requests?: ContainerConfig['resources'];
  finite: boolean;
  resumeAt?: number;
  timer?: NodeJS.Timeout;
}

let ipCounter = 0;
const defaultIp = (): string => {
  const n = ipCounter++ % (250 * 250);
  return `10.244.${Math.floor(n / 250)}.${(n % 250) + 2}`;
};

export class SimulatedRuntime implements ContainerRuntime {
  readonly runtimeName = 'keelson-simulated';
  readonly runtimeVersion = '0.1.0';
  readonly probesAlwaysPass = true;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly listeners: Array<(sandboxId: string, containerId: string) => void> = [];
  private seq = 0;

  constructor(private readonly opts: SimulatedRuntimeOptions = {}) {}

  onContainerEvent(cb: (sandboxId: string, containerId: string) => void): void {
    this.listeners.push(cb);
  }

  private emit(c: Container): void {
    for (const l of this.listeners) l(c.status.sandboxId, c.status.id);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    const id = `sim-sb-${++this.seq}`;
    const ip = config.previousIP ?? this.opts.allocateIp?.(config) ?? defaultIp();
    this.sandboxes.set(id, { config, ip, containers: new Set() });
    return { id, ip };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    for (const id of sb.containers) this.finish(id, 137, 'Error', false);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    for (const id of sb.containers) await this.removeContainer(id);
    this.sandboxes.delete(sandboxId);
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new Error(`sandbox "${sandboxId}" not found`);
    // Stable ids (pod uid, name, attempt), so a restarted kubelet reports the same containerID.
    const id = `${sb.config.uid}-${config.name}-${config.attempt}`;
    const finite = !!config.init || (sb.config.restartPolicy !== 'Always' && (config.command.length > 0 || config.args.length > 0));
    const status = createdContainerStatus(id, sandboxId, config);
    this.containers.set(id, { status, finite, resumeAt: config.previousStartedAt, requests: config.resources });
    sb.containers.add(id);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`container "${containerId}" not found`);
    const run = () => {
      c.status.state = 'running';
      c.status.startedAt = c.resumeAt ?? Date.now();
      if (c.finite) {
        c.timer = setTimeout(() => this.finish(containerId, 0, 'Completed', true), this.opts.completeAfterMs ?? 1000);
        c.timer.unref?.();
      }
    };
    const delay = c.resumeAt ? 0 : (this.opts.startDelayMs ?? 0);
    if (delay > 0) {
      c.timer = setTimeout(() => {
        run();
        this.emit(c);
      }, delay);
      c.timer.unref?.();
    } else run();
  }

  private finish(containerId: string, exitCode: number, reason: string, notify: boolean): void {
    const c = this.containers.get(containerId);
    if (!c || c.status.state === 'exited') return;
    if (c.timer) clearTimeout(c.timer);
    c.timer = undefined;
    c.status.state = 'exited';
    c.status.exitCode = exitCode;
    c.status.reason = reason;
    c.status.finishedAt = Date.now();
    if (!c.status.startedAt) c.status.startedAt = c.status.finishedAt;
    if (notify) this.emit(c);
  }

  async stopContainer(containerId: string): Promise<void> {
    // A simulated process honours SIGTERM at once and exits 0 (kwok's pods do the same).
    this.finish(containerId, 0, 'Completed', false);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) return;
    if (c.timer) clearTimeout(c.timer);
    this.containers.delete(containerId);
    this.sandboxes.get(c.status.sandboxId)?.containers.delete(containerId);
  }

  async listContainers(filter: { sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) if (!filter.sandboxId || c.status.sandboxId === filter.sandboxId) out.push({ ...c.status });
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus | undefined> {
    const c = this.containers.get(containerId);
    return c ? { ...c.status } : undefined;
  }

  async exec(): Promise<ExecResult> {
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  async containerStats(containerId: string): Promise<ContainerStats | undefined> {
    const c = this.containers.get(containerId);
    if (!c) return undefined;
    if (c.status.state !== 'running') return { cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 };
    const f = this.opts.usageFraction ?? 0.5;
    const seconds = Math.max(0, Date.now() - c.status.startedAt) / 1000;
    // cpuRequestMilli/1000 cores for `seconds`, in ns: milli * 1e6 per second.
    return { cpuUsageCoreNanoSeconds: Math.round((c.requests?.cpuRequestMilli ?? 0) * f * 1e6 * seconds), memoryWorkingSetBytes: Math.round((c.requests?.memoryRequestBytes ?? 0) * f) };
  }

  async close(): Promise<void> {
    for (const c of this.containers.values()) if (c.timer) clearTimeout(c.timer);
    this.containers.clear();
    this.sandboxes.clear();
  }
}
