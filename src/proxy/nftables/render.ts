// Renders the proxy's whole nftables table (one `ip` table of our own) from the current service
// ports, as one `nft -f` transaction, so the kernel switches from the old rules to the new ones
// atomically. The layout follows kube-proxy's nftables mode:
//   nat-prerouting / nat-output (dstnat) -> services: `ip daddr . l4proto . dport` vmap to a
//     service chain; node ports through `fib daddr type local` (or @nodeport-ips)
//   service-* -> masquerade mark (off-cluster sources, or all with masqueradeAll), ClientIP
//     affinity (dynamic sets with timeout), `numgen random mod N` over endpoint chains
//   endpoint-* -> hairpin mark (source == endpoint), affinity update, dnat
//   nat-postrouting (srcnat) -> masquerade of marked packets (mark bit 0x4000)
//   filter-* (priority filter-10) -> reject new connections to services without endpoints, and
//     to unknown ports of cluster IPs, so clients fail fast instead of hanging
// Rules are flushed and rewritten every sync, but affinity sets are kept (only created), so
// stickiness survives syncs. The first render deletes and recreates the table.
// Diverges from Kubernetes: IPv4 only (no ip6 table); no NodePorts on 127.0.0.1 (kube-proxy's
// nftables mode has none either); no loadBalancerSourceRanges firewall.
import type { Endpoint } from '../endpoint-slices.js';
import type { ServicePort } from '../service-port.js';
import { affinitySet, endpointChain, externalChain, serviceChain } from './names.js';

export const MASQ_MARK = '0x4000';

export interface RenderOptions {
  table: string;
  /** Traffic to a clusterIP from outside this CIDR is masqueraded (kube-proxy --cluster-cidr). */
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  /** Node IPs that accept NodePorts; undefined = every local address but 127.0.0.0/8. */
  nodePortIPs?: string[];
}

export interface Rendered {
  script: string;
  /** Per-service chains and sets in the table after this transaction. */
  chains: Set<string>;
  sets: Set<string>;
  rules: number;
  elements: number;
}

/** The previous render's per-service chains and sets, or undefined to recreate the table. */
export interface PreviousState {
  chains: Set<string>;
  sets: Set<string>;
}

const BASE_CHAINS: Record<string, string> = {
  'nat-prerouting': 'type nat hook prerouting priority -100; policy accept;',
  'nat-output': 'type nat hook output priority -100; policy accept;',
  'nat-postrouting': 'type nat hook postrouting priority 100; policy accept;',
  'filter-input': 'type filter hook input priority -110; policy accept;',
  'filter-forward': 'type filter hook forward priority -110; policy accept;',
  'filter-output': 'type filter hook output priority -110; policy accept;',
  'filter-output-post-dnat': 'type filter hook output priority -90; policy accept;',
};
const HELPER_CHAINS = ['services', 'mark-for-masquerade', 'masquerading', 'service-endpoints-check', 'nodeport-endpoints-check', 'cluster-ips-check', 'reject-chain'];

export function renderTable(ports: ServicePort[], opts: RenderOptions, prev?: PreviousState): Rendered {
  const T = `ip ${opts.table}`;
  const head: string[] = [`add table ${T}`];
  if (!prev) head.push(`delete table ${T}`, `add table ${T}`);
  head.push(`flush table ${T}`);
  for (const [c, spec] of Object.entries(BASE_CHAINS)) head.push(`add chain ${T} ${c} { ${spec} }`);
  for (const c of HELPER_CHAINS) head.push(`add chain ${T} ${c}`);
  // Maps and sets rewritten every sync.
  const maps: Record<string, string> = {
    'service-ips': 'type ipv4_addr . inet_proto . inet_service : verdict;',
    'service-nodeports': 'type inet_proto . inet_service : verdict;',
    'no-endpoint-services': 'type ipv4_addr . inet_proto . inet_service : verdict;',
    'no-endpoint-nodeports': 'type inet_proto . inet_service : verdict;',
    'cluster-ips': 'type ipv4_addr;',
    'nodeport-ips': 'type ipv4_addr;',
  };
  const kind = (m: string) => (maps[m].includes(': verdict') ? 'map' : 'set');
  for (const [m, spec] of Object.entries(maps)) head.push(`add ${kind(m)} ${T} ${m} { ${spec} }`, `flush ${kind(m)} ${T} ${m}`);

  const chains = new Set<string>();
  const sets = new Set<string>();
  const decl: string[] = [];
  const rules: string[] = [];
  const elements: Record<string, string[]> = {};
  const rule = (chain: string, r: string) => rules.push(`add rule ${T} ${chain} ${r}`);
  const element = (m: string, e: string) => (elements[m] ??= []).push(e);
  const chain = (c: string) => {
    if (!chains.has(c)) decl.push(`add chain ${T} ${c}`);
    chains.add(c);
  };

  // Fixed rules.
  rule('mark-for-masquerade', `meta mark set meta mark or ${MASQ_MARK}`);
  rule('masquerading', `meta mark & ${MASQ_MARK} == 0 return`);
  rule('masquerading', `meta mark set meta mark xor ${MASQ_MARK}`);
  rule('masquerading', 'masquerade fully-random');
  rule('nat-prerouting', 'jump services');
  rule('nat-output', 'jump services');
  rule('nat-postrouting', 'jump masquerading');
  rule('filter-input', 'ct state new jump nodeport-endpoints-check');
  rule('filter-input', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump cluster-ips-check');
  rule('filter-output', 'ct state new jump service-endpoints-check');
  rule('filter-output-post-dnat', 'ct state new jump cluster-ips-check');
  const nodePortMatch = opts.nodePortIPs ? 'ip daddr @nodeport-ips' : 'fib daddr type local ip daddr != 127.0.0.0/8';
  for (const ip of opts.nodePortIPs ?? []) element('nodeport-ips', ip);
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('nodeport-endpoints-check', `${nodePortMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`);
  rule('cluster-ips-check', 'ip daddr @cluster-ips reject');
  rule('reject-chain', 'reject');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', `${nodePortMatch} meta l4proto . th dport vmap @service-nodeports`);

  const balance = (sp: ServicePort, from: string, eps: Endpoint[]) => {
    if (sp.affinitySeconds) for (const ep of eps) rule(from, `ip saddr @${affinitySet(sp, ep)} goto ${endpointChain(sp, ep)}`);
    if (eps.length === 1) rule(from, `goto ${endpointChain(sp, eps[0])}`);
    else rule(from, `numgen random mod ${eps.length} vmap { ${eps.map((ep, i) => `${i} : goto ${endpointChain(sp, ep)}`).join(', ')} }`);
  };

  for (const sp of ports) {
    const key = `${sp.protocol} . ${sp.port}`;
    element('cluster-ips', sp.clusterIP);
    // Endpoint chains (shared by the cluster and external paths).
    for (const ep of sp.allEndpoints) {
      const c = endpointChain(sp, ep);
      chain(c);
      rule(c, `ip saddr ${ep.ip} jump mark-for-masquerade`);
      if (sp.affinitySeconds) {
        const s = affinitySet(sp, ep);
        sets.add(s);
        decl.push(`add set ${T} ${s} { type ipv4_addr; flags dynamic,timeout; timeout ${sp.affinitySeconds}s; }`);
        rule(c, `update @${s} { ip saddr }`);
      }
      rule(c, `meta l4proto ${sp.protocol} dnat to ${ep.ip}:${ep.port}`);
    }
    // Traffic to the clusterIP.
    const svcChain = serviceChain(sp);
    const hasCluster = sp.clusterEndpoints.length > 0;
    if (hasCluster) {
      chain(svcChain);
      if (opts.masqueradeAll) rule(svcChain, 'jump mark-for-masquerade');
      else if (opts.clusterCIDR) rule(svcChain, `ip saddr != ${opts.clusterCIDR} jump mark-for-masquerade`);
      balance(sp, svcChain, sp.clusterEndpoints);
      element('service-ips', `${sp.clusterIP} . ${key} : goto ${svcChain}`);
    } else {
      element('no-endpoint-services', `${sp.clusterIP} . ${key} : goto reject-chain`);
    }
    // Traffic to NodePorts and external IPs.
    if (!sp.nodePort && sp.externalIPs.length === 0) continue;
    if (sp.allEndpoints.length === 0) {
      if (sp.nodePort) element('no-endpoint-nodeports', `${sp.protocol} . ${sp.nodePort} : goto reject-chain`);
      for (const ip of sp.externalIPs) element('no-endpoint-services', `${ip} . ${key} : goto reject-chain`);
      continue;
    }
    const ext = externalChain(sp);
    chain(ext);
    if (!sp.externalPolicyLocal) {
      rule(ext, 'jump mark-for-masquerade');
      balance(sp, ext, sp.externalEndpoints);
    } else {
      // Local policy keeps the client's address, so only local endpoints; pods and the node
      // itself are short-circuited to the cluster path (as kube-proxy does).
      if (hasCluster) {
        if (opts.clusterCIDR) rule(ext, `ip saddr ${opts.clusterCIDR} goto ${svcChain}`);
        rule(ext, 'fib saddr type local jump mark-for-masquerade');
        rule(ext, `fib saddr type local goto ${svcChain}`);
      }
      if (sp.externalEndpoints.length) balance(sp, ext, sp.externalEndpoints);
      else rule(ext, 'drop');
    }
    if (sp.nodePort) element('service-nodeports', `${sp.protocol} . ${sp.nodePort} : goto ${ext}`);
    for (const ip of sp.externalIPs) element('service-ips', `${ip} . ${key} : goto ${ext}`);
  }

  const elems: string[] = [];
  let elementCount = 0;
  for (const [m, es] of Object.entries(elements)) {
    const uniq = [...new Set(es)];
    elementCount += uniq.length;
    elems.push(`add element ${T} ${m} { ${uniq.join(', ')} }`);
  }
  const tail: string[] = [];
  for (const c of prev?.chains ?? []) if (!chains.has(c)) tail.push(`delete chain ${T} ${c}`);
  for (const s of prev?.sets ?? []) if (!sets.has(s)) tail.push(`delete set ${T} ${s}`);
  const script = [...head, ...decl, ...elems, ...rules, ...tail].join('\n') + '\n';
  return { script, chains, sets, rules: rules.length, elements: elementCount };
}
