// Small helpers for the store benchmark: percentiles, CPU time of a process tree, formatting.

import { readFileSync, readdirSync } from 'node:fs';

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function sortedCopy(xs: number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s on every mainstream kernel

function procStat(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces: fields after the closing parenthesis.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3); utime = field 14, stime = field 15 -> f[11], f[12]
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) used so far by `pid` and all its live descendants. */
export function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (!st) continue;
    ticks.set(Number(name), st.cpuTicks);
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += ticks.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total / CLK_TCK;
}

/** Machine-wide CPU jiffies (for steal): [total, steal]. */
export function machineCpu(): { total: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const nums = line.trim().split(/\s+/).slice(1).map(Number);
  return { total: nums.reduce((a, b) => a + b, 0), steal: nums[7] ?? 0 };
}

export const fmtNum = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
export const fmtMs = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '-');
