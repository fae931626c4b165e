// The kubelet's Summary API (GET /stats/summary, stats/v1alpha1): the node's CPU and memory and,
// per pod and container, cpu.usageNanoCores / usageCoreNanoSeconds and
// memory.workingSetBytes, which metrics-server (keelson: the apiserver's metrics.k8s.io, see
// src/apiserver/registry/metrics) turns into `kubectl top` and the HPA's resource metrics.
// Cumulative numbers come from the runtime's ContainerStats (cri: containerd's cgroup stats;
// process: the container's process group in /proc; simulated: none, no server). The rate
// usageNanoCores is the change since this server's previous sample of the same container (kept
// one per container), or the average since the container started on the first sample; the
// kubelet gets it from cAdvisor's ~10 s housekeeping instead. Node CPU and memory are the host's
// (/proc/stat, /proc/meminfo). Fields the real Summary has and keelson does not fill:
// network, fs, rlimit, systemContainers, volume and ephemeral-storage stats, swap.
import { uptime } from 'node:os';
import type { PodView } from '../pod-worker.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { hostStats } from '../runtime/process/proc-stats.js';

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}
export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes: number;
  rssBytes?: number;
}
export interface ContainerSummary {
  name: string;
  startTime: string;
  cpu: CpuStats;
  memory: MemoryStats;
}
export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerSummary[];
  cpu: CpuStats;
  memory: MemoryStats;
}
export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats };
  pods: PodSummary[];
}

interface Sample {
  at: number;
  cpuNs: number;
  rate?: number;
}

/** Samples older than this are replaced; newer ones keep their rate (a minimum window). */
const minWindowMs = 1000;

export class StatsProvider {
  private readonly samples = new Map<string, Sample>();
  private readonly bootTime = new Date(Date.now() - Math.round(uptime() * 1000)).toISOString();

  constructor(
    private readonly o: { nodeName: string; runtime: ContainerRuntime; pods(): PodView[]; now?: () => number; host?: typeof hostStats },
  ) {}

  /** usageNanoCores of `key` from its cumulative CPU now, given a start time for the first sample. */
  private rate(key: string, cpuNs: number, at: number, startedAt: number): number {
    const prev = this.samples.get(key);
    if (prev && at - prev.at < minWindowMs && prev.rate !== undefined) return prev.rate;
    const since = prev && prev.cpuNs <= cpuNs ? prev : { at: startedAt, cpuNs: 0 };
    const dt = Math.max(at - since.at, 1);
    const rate = Math.max(0, Math.round(((cpuNs - since.cpuNs) / dt) * 1e3)); // ns per ms -> ns per s
    this.samples.set(key, { at, cpuNs, rate });
    return rate;
  }

  async summary(): Promise<Summary> {
    const at = (this.o.now ?? Date.now)();
    const time = new Date(at).toISOString();
    const seen = new Set<string>();
    const pods: PodSummary[] = [];
    for (const view of this.o.pods()) {
      const meta = view.pod.metadata;
      const statuses = view.pod.status?.containerStatuses ?? [];
      const containers: ContainerSummary[] = [];
      for (const c of view.containers) {
        if (!c.id) continue;
        const st = await this.o.runtime.containerStatus(c.id);
        if (st?.state !== 'running') continue;
        const stats = await this.o.runtime.containerStats(c.id);
        if (!stats) continue;
        const started = Date.parse(statuses.find((s: { name: string }) => s.name === c.name)?.state?.running?.startedAt ?? '') || st.startedAt || at;
        seen.add(c.id);
        containers.push({
          name: c.name,
          startTime: new Date(started).toISOString(),
          cpu: { time, usageNanoCores: this.rate(c.id, stats.cpuUsageCoreNanoSeconds, at, started), usageCoreNanoSeconds: stats.cpuUsageCoreNanoSeconds },
          memory: { time, workingSetBytes: stats.memoryWorkingSetBytes, usageBytes: stats.memoryWorkingSetBytes, rssBytes: stats.memoryWorkingSetBytes },
        });
      }
      if (!containers.length) continue;
      const sum = (f: (c: ContainerSummary) => number) => containers.reduce((a, c) => a + f(c), 0);
      pods.push({
        podRef: { name: meta.name ?? '', namespace: meta.namespace ?? '', uid: meta.uid ?? '' },
        startTime: view.pod.status?.startTime ?? containers[0].startTime,
        containers,
        cpu: { time, usageNanoCores: sum((c) => c.cpu.usageNanoCores ?? 0), usageCoreNanoSeconds: sum((c) => c.cpu.usageCoreNanoSeconds) },
        memory: { time, workingSetBytes: sum((c) => c.memory.workingSetBytes), usageBytes: sum((c) => c.memory.usageBytes ?? 0), rssBytes: sum((c) => c.memory.rssBytes ?? 0) },
      });
    }
    for (const k of this.samples.keys()) if (k !== 'node' && !seen.has(k)) this.samples.delete(k);
    const host = await (this.o.host ?? hostStats)();
    const bootMs = Date.parse(this.bootTime);
    return {
      node: {
        nodeName: this.o.nodeName,
        startTime: this.bootTime,
        cpu: { time, usageNanoCores: this.rate('node', host.cpuUsageCoreNanoSeconds, at, bootMs), usageCoreNanoSeconds: host.cpuUsageCoreNanoSeconds },
        memory: { time, availableBytes: host.memory.availableBytes, usageBytes: host.memory.workingSetBytes, workingSetBytes: host.memory.workingSetBytes },
      },
      pods,
    };
  }
}
