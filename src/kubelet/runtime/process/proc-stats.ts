// CPU and memory of host processes from /proc, for the process runtime's ContainerStats and the
// node's stats in the kubelet's /stats/summary. A process-runtime container is a process group
// (spawned detached, pgid = its pid): its CPU is the utime+stime+cutime+cstime of every live
// member (cutime/cstime hold the reaped children, so short-lived children such as `sleep` in a
// shell loop count), its working set the sum of the members' resident pages. Kubernetes reads
// cgroups (cAdvisor) instead; without a cgroup per container, the process group is the nearest
// thing. USER_HZ is taken as 100 (Linux on every common architecture).
import { readdir, readFile } from 'node:fs/promises';

const NS_PER_TICK = 1e9 / 100;
const PAGE = 4096;

interface ProcStat {
  pgrp: number;
  ticks: number;
  rssPages: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parens). */
function parseStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const f = text.slice(end + 2).split(' ');
  // f[0] = state (field 3), so field n is f[n - 3].
  const n = (i: number) => Number(f[i - 3]) || 0;
  return { pgrp: n(5), ticks: n(14) + n(15) + n(16) + n(17), rssPages: n(24) };
}

/** Cumulative CPU (ns) and resident memory (bytes) of the process group `pgid`, or undefined when gone. */
export async function processGroupStats(pgid: number): Promise<{ cpuUsageCoreNanoSeconds: number; memoryWorkingSetBytes: number } | undefined> {
  let ticks = 0;
  let pages = 0;
  let found = false;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        const s = await readFile(`/proc/${pid}/stat`, 'utf8').then(parseStat, () => undefined);
        if (!s || s.pgrp !== pgid) return;
        found = true;
        ticks += s.ticks;
        pages += s.rssPages;
      }),
  );
  return found ? { cpuUsageCoreNanoSeconds: Math.round(ticks * NS_PER_TICK), memoryWorkingSetBytes: pages * PAGE } : undefined;
}

/** The host's cumulative busy CPU (ns, all cores) and memory (kube's node working set ~ total - available). */
export async function hostStats(): Promise<{ cpuUsageCoreNanoSeconds: number; memory: { capacityBytes: number; availableBytes: number; workingSetBytes: number } }> {
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
  const cpu = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already in user)
  const busy = cpu.slice(0, 8).reduce((a, v, i) => (i === 3 || i === 4 ? a : a + (v || 0)), 0);
  const kb = (k: string) => Number(meminfo.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? 0) * 1024;
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return { cpuUsageCoreNanoSeconds: Math.round(busy * NS_PER_TICK), memory: { capacityBytes: total, availableBytes: available, workingSetBytes: total - available } };
}
