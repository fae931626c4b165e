// A pod's DNS configuration (what goes into its /etc/resolv.conf, CRI's DNSConfig), computed the
// way the kubelet does (pkg/kubelet/network/dns): dnsPolicy picks cluster DNS (ClusterFirst, or
// ClusterFirstWithHostNet for host-network pods), the host's resolv.conf (Default, and ClusterFirst
// on the host network) or nothing (None); then spec.dnsConfig is merged in (servers and searches
// appended without duplicates, options overriding by name); then the lists are cut to the
// resolver's limits (3 nameservers, 32 search domains, 2048 characters of search list).
// Divergence: the kubelet also records events (MissingClusterDNS, DNSConfigForming) when it falls
// back or trims; here the reasons come back in `warnings` for the caller to record.
import type { ResolvConf } from './resolv-conf.js';

export interface PodDnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface KubeletDnsSettings {
  /** The kubelet's --cluster-dns (the kube-dns Service IP; empty: ClusterFirst falls back to Default). */
  clusterDNS: string[];
  /** The kubelet's --cluster-domain (cluster.local). */
  clusterDomain: string;
  /** The host's resolv.conf (the kubelet's --resolv-conf), already parsed; undefined: --resolv-conf="". */
  hostResolvConf?: ResolvConf;
}

interface PodLike {
  metadata?: { namespace?: string; name?: string };
  spec?: {
    dnsPolicy?: string;
    hostNetwork?: boolean;
    dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name?: string; value?: string }> };
  };
}

export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** Merge options the kubelet's way: later ones replace earlier ones of the same name. */
function mergeOptions(existing: string[], podOptions: Array<{ name?: string; value?: string }>): string[] {
  const byName = new Map<string, string>();
  for (const o of existing) byName.set(o.split(':')[0], o);
  for (const o of podOptions) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== null ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}

type DnsType = 'cluster' | 'host' | 'none';

function dnsType(pod: PodLike, s: KubeletDnsSettings, warnings: string[]): DnsType {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  let t: DnsType;
  if (policy === 'None') t = 'none';
  else if (policy === 'ClusterFirstWithHostNet') t = 'cluster';
  else if (policy === 'ClusterFirst') t = pod.spec?.hostNetwork ? 'host' : 'cluster';
  else t = 'host';
  if (t === 'cluster' && s.clusterDNS.length === 0) {
    warnings.push(`kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`);
    t = 'host';
  }
  return t;
}

/** The DNS configuration of a pod's sandbox; `warnings` says what was trimmed or fell back. */
export function podDnsConfig(pod: PodLike, s: KubeletDnsSettings): PodDnsConfig & { warnings: string[] } {
  const warnings: string[] = [];
  const host = s.hostResolvConf;
  let cfg: PodDnsConfig = { servers: [], searches: [], options: [] };
  switch (dnsType(pod, s, warnings)) {
    case 'none':
      break;
    case 'cluster': {
      const ns = pod.metadata?.namespace ?? 'default';
      const cluster = s.clusterDomain ? [`${ns}.svc.${s.clusterDomain}`, `svc.${s.clusterDomain}`, s.clusterDomain] : [];
      cfg = { servers: [...s.clusterDNS], searches: unique([...cluster, ...(host?.searches ?? [])]), options: ['ndots:5'] };
      break;
    }
    case 'host':
      // --resolv-conf="": the kubelet points at the local machine and disables search.
      cfg = host ? { servers: [...host.nameservers], searches: [...host.searches], options: [...host.options] } : { servers: ['127.0.0.1'], searches: ['.'], options: [] };
      break;
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    cfg.servers = unique([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = unique([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, extra.options ?? []);
  }
  if (cfg.servers.length > MAX_DNS_NAMESERVERS) {
    cfg.servers = cfg.servers.slice(0, MAX_DNS_NAMESERVERS);
    warnings.push(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${cfg.servers.join(' ')}`);
  }
  cfg.searches = fitSearches(cfg.searches, warnings);
  return { ...cfg, warnings };
}

function fitSearches(searches: string[], warnings: string[]): string[] {
  let out = searches;
  if (out.length > MAX_DNS_SEARCH_PATHS) out = out.slice(0, MAX_DNS_SEARCH_PATHS);
  while (out.length && out.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) out = out.slice(0, -1);
  if (out.length !== searches.length) warnings.push(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`);
  return out;
}

/** The resolv.conf text of a DNS configuration (what the runtime writes into the sandbox). */
export function renderResolvConf(cfg: PodDnsConfig): string {
  const lines: string[] = [];
  if (cfg.searches.length) lines.push(`search ${cfg.searches.join(' ')}`);
  for (const s of cfg.servers) lines.push(`nameserver ${s}`);
  if (cfg.options.length) lines.push(`options ${cfg.options.join(' ')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
