// Stale UDP conntrack entries (kube-proxy's conntrack cleanup, shared by the nftables and
// iptables proxiers): UDP has no connection end, so an entry made before a sync keeps sending a
// client's datagrams to an endpoint that was removed, or keeps the reject of a service that had
// no endpoints and now has some. After each sync the entries of those service IPs are deleted
// with `conntrack -D` (exit 1 = nothing matched, not an error).
import type { Exec } from './exec.js';
import type { ServicePort } from './service-port.js';

export class StaleUdpEntries {
  private endpoints = new Map<string, Set<string>>();

  /** The `conntrack` argument lists that clear what became stale since the previous call. */
  next(ports: ServicePort[]): string[][] {
    const now = new Map<string, Set<string>>();
    const jobs: string[][] = [];
    for (const sp of ports) {
      if (sp.protocol !== 'udp') continue;
      const key = `${sp.clusterIP}:${sp.port}`;
      const eps = new Set(sp.allEndpoints.map((e) => e.ip));
      now.set(key, eps);
      const before = this.endpoints.get(key);
      if (!before) continue;
      const vip = ['-p', 'udp', '--orig-dst', sp.clusterIP, '--orig-port-dst', String(sp.port)];
      if (before.size === 0 && eps.size > 0) jobs.push(['-D', ...vip]);
      for (const ip of before) if (!eps.has(ip)) jobs.push(['-D', ...vip, '--reply-src', ip]);
    }
    this.endpoints = now;
    return jobs;
  }

  /** Run `next(ports)` with `conntrack` (nothing when the tool is missing). */
  async clear(ports: ServicePort[], run: Exec, conntrack: string | undefined): Promise<void> {
    const jobs = this.next(ports);
    if (!conntrack) return;
    for (const args of jobs) await run(conntrack, args);
  }
}
