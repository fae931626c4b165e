// The service proxy as a library (for `keelson proxy` and `keelson server`): chooses the mode
// (nftables when root with nft installed, userspace otherwise; iptables when asked for), builds
// its proxier, and serves /healthz and /metrics beside it.
import type { RestClient } from '../client/rest-client.js';
import { logger } from '../util/log.js';
import { startProxyHttpServer, type ProxyHttpServer } from './health.js';
import { IptablesProxier, iptablesAvailable } from './iptables/proxier.js';
import { nodePortIPs } from './node-addresses.js';
import { NftablesProxier, nftAvailable } from './nftables/proxier.js';
import type { Proxier, ProxyMode } from './proxier.js';
import { ServiceProxy } from './proxy.js';
import { UserspaceProxier } from './userspace/proxier.js';

export interface StartProxyOptions {
  client: RestClient;
  nodeName: string;
  /** Default: nftables when root and nft is installed, userspace otherwise. */
  mode?: ProxyMode;
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  nodePortAddresses?: string[];
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  /** The nftables table (default "keelson"); tests use their own. */
  nftablesTable?: string;
  portRange?: [number, number];
  udpIdleMs?: number;
  /** [host, port] of /healthz (+ /metrics); undefined = off. */
  healthz?: [string, number];
  /** [host, port] of /metrics (+ /healthz); undefined = off. */
  metrics?: [string, number];
}

export interface RunningProxy {
  mode: ProxyMode;
  proxy: ServiceProxy;
  proxier: Proxier;
  healthzPort?: number;
  metricsPort?: number;
  /** Resolves after the first successful sync. */
  ready: Promise<void>;
  /** Runs until the signal aborts; then removes its rules and closes its servers. */
  done: Promise<void>;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

export function defaultProxyMode(): { mode: ProxyMode; why?: string } {
  if (!isRoot()) return { mode: 'userspace', why: 'not running as root: no nftables; NodePorts and per-service local ports only (cluster IPs unreachable)' };
  if (!nftAvailable()) return { mode: 'userspace', why: 'nft is not installed (apt-get install nftables): userspace proxy' };
  return { mode: 'nftables' };
}

export async function startProxy(opts: StartProxyOptions, signal: AbortSignal): Promise<RunningProxy> {
  const log = logger('proxy');
  const chosen = opts.mode ? { mode: opts.mode } : defaultProxyMode();
  if ('why' in chosen && chosen.why) log.warn(chosen.why);
  const mode = chosen.mode;
  const ips = nodePortIPs(opts.nodePortAddresses);
  let proxier: Proxier;
  if (mode === 'nftables') {
    if (!isRoot()) throw new Error('--proxy-mode nftables needs root (CAP_NET_ADMIN); use --proxy-mode userspace');
    if (!nftAvailable()) throw new Error('--proxy-mode nftables: nft is not installed (apt-get install nftables)');
    proxier = new NftablesProxier({ log, table: opts.nftablesTable ?? 'keelson', clusterCIDR: opts.clusterCIDR, masqueradeAll: opts.masqueradeAll, nodePortIPs: ips });
  } else if (mode === 'userspace') {
    proxier = new UserspaceProxier({ log, nodePortIPs: ips, portRange: opts.portRange, udpIdleMs: opts.udpIdleMs });
  } else if (mode === 'iptables') {
    if (!isRoot()) throw new Error('--proxy-mode iptables needs root (CAP_NET_ADMIN); use --proxy-mode userspace');
    if (!iptablesAvailable()) throw new Error('--proxy-mode iptables: iptables-restore/iptables-save are not installed (apt-get install iptables)');
    proxier = new IptablesProxier({ log, clusterCIDR: opts.clusterCIDR, masqueradeAll: opts.masqueradeAll, nodePortIPs: ips });
  } else {
    throw new Error(`--proxy-mode ${String(mode)}: expected nftables, iptables or userspace`);
  }
  const proxy = new ServiceProxy({ client: opts.client, proxier, nodeName: opts.nodeName, minSyncPeriodMs: opts.minSyncPeriodMs, syncPeriodMs: opts.syncPeriodMs, log });
  const list = () => (proxier instanceof UserspaceProxier ? proxier.list() : []);
  const servers: ProxyHttpServer[] = [];
  const health = opts.healthz ? await startProxyHttpServer(opts.healthz, proxy, list, log) : undefined;
  const metrics = opts.metrics ? await startProxyHttpServer(opts.metrics, proxy, list, log) : undefined;
  for (const s of [health, metrics]) if (s) servers.push(s);
  const done = proxy.start(signal).finally(async () => {
    for (const s of servers) await s.close();
  });
  return { mode, proxy, proxier, healthzPort: health?.port, metricsPort: metrics?.port, ready: proxy.ready, done };
}
