// The userspace proxier, for nodes where keelson is not root (no nftables, no redirect of the
// cluster IPs). What works without root:
//   - every NodePort is a real listener on the node's addresses (--nodeport-addresses, default
//     all), TCP and UDP, balancing round-robin over ready endpoints, with ClientIP affinity;
//   - every service port also gets a local listener on 127.0.0.1:<port> (from --proxy-port-range,
//     else a free port, kept across syncs) for host clients; the mapping is logged and served on
//     the health port at /services;
//   - a service port without endpoints has no listener: clients get connection refused.
// What does not: cluster IPs themselves are not reachable (nothing can redirect them without
// root), NodePorts below 1024 need CAP_NET_BIND_SERVICE, and the client's source address is
// always replaced by the proxy's.
import type { Server } from 'node:net';
import type { Logger } from 'pino';
import type { Endpoint } from '../endpoint-slices.js';
import type { Proxier, SyncResult } from '../proxier.js';
import type { Protocol, ServicePort } from '../service-port.js';
import { RoundRobin } from './load-balancer.js';
import { listenTcp, type Backend } from './tcp.js';
import { listenUdp } from './udp.js';

export interface UserspaceOptions {
  log: Logger;
  /** Addresses NodePorts listen on (default 0.0.0.0). */
  nodePortIPs?: string[];
  /** Ports for the per-service local listeners, inclusive; undefined = any free port. */
  portRange?: [number, number];
  /** Idle timeout of a UDP client session (kube-proxy --udp-timeout, default 250ms). */
  udpIdleMs?: number;
  /** Address of the per-service listeners (default 127.0.0.1). */
  serviceAddress?: string;
}

export interface ListenerInfo {
  service: string;
  protocol: Protocol;
  kind: 'service' | 'nodePort';
  address: string;
  port: number;
  endpoints: number;
}

interface Listener {
  info: ListenerInfo;
  close(): void;
}

interface Target {
  endpoints: Endpoint[];
  affinitySeconds: number;
}

export class UserspaceProxier implements Proxier {
  readonly mode = 'userspace' as const;
  private readonly listeners = new Map<string, Listener>();
  private readonly targets = new Map<string, Target>();
  /** Local port of each service listener, kept when it closes so it comes back on the same port. */
  private readonly servicePorts = new Map<string, number>();
  private readonly rr = new RoundRobin();

  constructor(private readonly opts: UserspaceOptions) {}

  /** What listens where (for /services and logs). */
  list(): ListenerInfo[] {
    return [...this.listeners.values()].map((l) => l.info).sort((a, b) => (a.service + a.kind < b.service + b.kind ? -1 : 1));
  }

  async sync(ports: ServicePort[]): Promise<SyncResult> {
    const wanted = new Map<string, { sp: ServicePort; kind: 'service' | 'nodePort'; address: string; target: Target }>();
    const svcAddr = this.opts.serviceAddress ?? '127.0.0.1';
    for (const sp of ports) {
      if (sp.clusterEndpoints.length) wanted.set(`service|${sp.id}|${sp.protocol}|${svcAddr}`, { sp, kind: 'service', address: svcAddr, target: { endpoints: sp.clusterEndpoints, affinitySeconds: sp.affinitySeconds } });
      if (sp.nodePort && sp.externalEndpoints.length)
        for (const address of this.opts.nodePortIPs ?? ['0.0.0.0'])
          wanted.set(`nodePort|${sp.id}|${sp.protocol}|${address}`, { sp, kind: 'nodePort', address, target: { endpoints: sp.externalEndpoints, affinitySeconds: sp.affinitySeconds } });
    }
    for (const [key, l] of this.listeners) {
      if (wanted.has(key)) continue;
      l.close();
      this.listeners.delete(key);
      this.targets.delete(key);
      this.opts.log.info(l.info, 'userspace proxy listener closed');
    }
    this.rr.retain(new Set(wanted.keys()));
    for (const [key, w] of wanted) {
      this.targets.set(key, w.target);
      const l = this.listeners.get(key);
      if (l) {
        l.info.endpoints = w.target.endpoints.length;
        continue;
      }
      const opened = await this.open(key, w.sp, w.kind, w.address);
      if (!opened) continue;
      opened.info.endpoints = w.target.endpoints.length;
      this.listeners.set(key, opened);
      this.opts.log.info(opened.info, 'userspace proxy listening');
    }
    return { rules: this.listeners.size, elements: 0 };
  }

  async cleanup(): Promise<void> {
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
    this.targets.clear();
  }

  private backend(key: string): Backend {
    return {
      choose: (clientIP) => {
        const t = this.targets.get(key);
        if (!t) return [];
        const first = this.rr.pick(key, t.endpoints, clientIP, t.affinitySeconds);
        if (!first) return [];
        const out = [first];
        for (let ep = this.rr.after(t.endpoints, first); ep && ep !== first; ep = this.rr.after(t.endpoints, ep)) out.push(ep);
        return out;
      },
    };
  }

  private async open(key: string, sp: ServicePort, kind: 'service' | 'nodePort', address: string): Promise<Listener | undefined> {
    const candidates: number[] = [];
    if (kind === 'nodePort') candidates.push(sp.nodePort);
    else {
      const known = this.servicePorts.get(key);
      if (known) candidates.push(known);
      const range = this.opts.portRange;
      if (range) {
        const taken = new Set(this.servicePorts.values());
        for (let p = range[0]; p <= range[1] && candidates.length < 64; p++) if (!taken.has(p)) candidates.push(p);
      } else candidates.push(0);
    }
    let lastErr: Error | undefined;
    for (const port of candidates) {
      try {
        const backend = this.backend(key);
        let close: () => void;
        let bound: number;
        if (sp.protocol === 'udp') {
          const u = await listenUdp(address, port, backend, this.opts.udpIdleMs ?? 250);
          bound = u.port;
          close = () => u.close();
        } else if (sp.protocol === 'tcp') {
          const s: Server = await listenTcp(address, port, backend);
          bound = (s.address() as { port: number }).port;
          close = () => {
            s.close();
          };
        } else {
          this.opts.log.warn({ service: sp.id }, 'userspace proxy: SCTP is not supported');
          return undefined;
        }
        if (kind === 'service') this.servicePorts.set(key, bound);
        return { info: { service: sp.id, protocol: sp.protocol, kind, address, port: bound, endpoints: 0 }, close };
      } catch (e) {
        lastErr = e as Error;
      }
    }
    this.opts.log.warn({ service: sp.id, kind, address, err: lastErr?.message }, 'userspace proxy: cannot listen');
    return undefined;
  }
}

/** kube-proxy's --proxy-port-range: "begin-end", "port" or "begin+offset"; empty, "0" or "0-0" = any. */
export function parsePortRange(s: string | undefined): [number, number] | undefined {
  const v = (s ?? '').trim();
  if (!v || v === '0' || v === '0-0') return undefined;
  let m = /^(\d+)-(\d+)$/.exec(v);
  let range: [number, number] | undefined;
  if (m) range = [Number(m[1]), Number(m[2])];
  else if ((m = /^(\d+)\+(\d+)$/.exec(v))) range = [Number(m[1]), Number(m[1]) + Number(m[2])];
  else if (/^\d+$/.test(v)) range = [Number(v), Number(v)];
  if (!range || range[0] < 1 || range[1] > 65535 || range[0] > range[1]) throw new Error(`invalid port range "${s}": expected begin-end, a port or begin+offset`);
  return range;
}
