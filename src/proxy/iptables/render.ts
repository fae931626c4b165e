// Renders the proxy's iptables rules (the filter and nat tables) as one `iptables-restore
// --noflush` input, kube-proxy's iptables mode with KEELSON-* chains. Every chain of ours is
// declared (which flushes it) and rewritten each sync; chains of removed services are flushed
// and deleted in the same input. Per service port (the endpoint sets come from service-port.ts,
// shared with the nftables mode):
//   nat KEELSON-SERVICES: clusterIP:port -> the internal chain (SVC, or SVL with
//     internalTrafficPolicy Local); externalIP:port -> EXT; last, node addresses -> NODEPORTS
//   KEELSON-SVC-* / KEELSON-SVL-*: masquerade mark for clusterIP traffic from outside
//     --cluster-cidr (or all with --masquerade-all); ClientIP affinity (`recent --rcheck`); then
//     `statistic --mode random --probability 1/(n-i)` over the endpoint chains
//   KEELSON-SEP-*: hairpin mark (source == endpoint), `recent --set` for affinity, DNAT
//   KEELSON-EXT-*: Cluster policy: mark and go to SVC; Local: pods (--cluster-cidr) and the node
//     itself short-circuit to SVC (the node masqueraded), others go to SVL (client IP kept)
//   KEELSON-POSTROUTING: masquerade marked packets (mark 0x4000, as the nftables mode)
//   filter KEELSON-SERVICES (FORWARD/OUTPUT, new connections): REJECT for clusterIPs without
//     endpoints, DROP with a Local policy and no local endpoint, REJECT for unknown ports of
//     cluster IPs; KEELSON-EXTERNAL-SERVICES (INPUT/FORWARD): the same for NodePorts and
//     external IPs; KEELSON-FORWARD accepts masquerade-marked and established forwarded traffic
// Diverges from Kubernetes: IPv4 only (no ip6tables: the apiserver allocates IPv4 cluster IPs
// only); no NodePorts on 127.0.0.1 (no route_localnet), as the nftables mode; no
// loadBalancerSourceRanges firewall, no health-check node ports.
import type { Endpoint } from '../endpoint-slices.js';
import { MASQ_MARK } from '../nftables/render.js';
import type { ServicePort } from '../service-port.js';
import { insertJumps, type Table } from './jumps.js';
import { EXTERNAL_SERVICES, extChain, FORWARD, MARK_MASQ, NODEPORTS, POSTROUTING, sepChain, SERVICES, svcChain, svlChain } from './names.js';

export interface IptablesRenderOptions {
  /** Traffic to a clusterIP from outside this CIDR is masqueraded (kube-proxy --cluster-cidr). */
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  /** Node IPs that accept NodePorts; undefined = every local address but 127.0.0.0/8. */
  nodePortIPs?: string[];
}

export interface IptablesRendered {
  script: string;
  /** Per-service chains (nat) after this input. */
  chains: Set<string>;
  rules: number;
}

/** What the previous successful input left, or undefined on the first sync. */
export interface IptablesPrevious {
  chains: Set<string>;
}

/** Jump rules to (re)install in this input: `-D` lines of existing ones per table, then inserts. */
export type JumpUpdate = Record<Table, string[]>;

const FIXED: Record<Table, string[]> = {
  filter: [SERVICES, EXTERNAL_SERVICES, FORWARD],
  nat: [SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ],
};

const c = (s: string) => `-m comment --comment "${s}"`;
const proto = (sp: ServicePort) => `-p ${sp.protocol} -m ${sp.protocol}`;
const prob = (n: number) => (1 / n).toFixed(10);

export function renderRestore(ports: ServicePort[], opts: IptablesRenderOptions, prev?: IptablesPrevious, jumps?: JumpUpdate): IptablesRendered {
  const filter: string[] = [];
  const nat: string[] = [];
  const chains = new Set<string>();
  const f = (chain: string, r: string) => filter.push(`-A ${chain} ${r}`);
  const n = (chain: string, r: string) => nat.push(`-A ${chain} ${r}`);
  const natChain = (ch: string) => chains.add(ch);
  // Node addresses of NodePorts, as match prefixes (one per address, or any local one).
  const nodeDst = opts.nodePortIPs ? opts.nodePortIPs.map((ip) => `-d ${ip}/32`) : ['-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8'];

  // Fixed rules.
  n(MARK_MASQ, `-j MARK --or-mark ${MASQ_MARK}`);
  n(POSTROUTING, `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  n(POSTROUTING, `-j MARK --xor-mark ${MASQ_MARK}`);
  n(POSTROUTING, `${c('keelson service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  f(FORWARD, `${c('keelson forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`);
  f(FORWARD, `${c('keelson forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);

  const balance = (sp: ServicePort, chain: string, eps: Endpoint[]) => {
    if (sp.affinitySeconds)
      for (const ep of eps) n(chain, `${c(`${sp.id} -> ${ep.ip}:${ep.port}`)} -m recent --name ${sepChain(sp, ep)} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sepChain(sp, ep)}`);
    eps.forEach((ep, i) => {
      const stat = i < eps.length - 1 ? ` -m statistic --mode random --probability ${prob(eps.length - i)}` : '';
      n(chain, `${c(`${sp.id} -> ${ep.ip}:${ep.port}`)}${stat} -j ${sepChain(sp, ep)}`);
    });
  };
  const clusterIPs = new Set<string>();

  for (const sp of ports) {
    const dst = `-d ${sp.clusterIP}/32 ${proto(sp)} --dport ${sp.port}`;
    clusterIPs.add(sp.clusterIP);
    const local = sp.internalPolicyLocal ? sp.clusterEndpoints : sp.externalPolicyLocal ? sp.externalEndpoints : [];
    const needsSvl = (sp.internalPolicyLocal || sp.externalPolicyLocal) && local.length > 0;
    const svc = svcChain(sp);
    const svl = svlChain(sp);
    // Endpoint chains.
    for (const ep of sp.allEndpoints) {
      const sep = sepChain(sp, ep);
      natChain(sep);
      n(sep, `${c(sp.id)} -s ${ep.ip}/32 -j ${MARK_MASQ}`);
      const recent = sp.affinitySeconds ? ` -m recent --name ${sep} --set` : '';
      n(sep, `${c(sp.id)} ${proto(sp)}${recent} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
    }
    // The internal chain (SVC, or SVL with internalTrafficPolicy Local) starts with the
    // masquerade mark of clusterIP traffic from outside the cluster.
    const internal = sp.internalPolicyLocal ? svl : svc;
    const masq = opts.masqueradeAll ? `${dst} -j ${MARK_MASQ}` : opts.clusterCIDR ? `${dst} ! -s ${opts.clusterCIDR} -j ${MARK_MASQ}` : undefined;
    const fill = (chain: string, eps: Endpoint[]) => {
      natChain(chain);
      if (masq && chain === internal) n(chain, `${c(`${sp.id} cluster IP`)} ${masq}`);
      balance(sp, chain, eps);
    };
    if (sp.allEndpoints.length) fill(svc, sp.allEndpoints);
    if (needsSvl) fill(svl, local);
    // Traffic to the clusterIP.
    if (sp.clusterEndpoints.length) {
      n(SERVICES, `${c(`${sp.id} cluster IP`)} ${dst} -j ${internal}`);
    } else if (sp.allEndpoints.length) {
      f(SERVICES, `${c(`${sp.id} has no local endpoints`)} ${dst} -j DROP`);
    } else {
      f(SERVICES, `${c(`${sp.id} has no endpoints`)} ${dst} -j REJECT --reject-with icmp-port-unreachable`);
    }
    // Traffic to NodePorts and external IPs.
    if (!sp.nodePort && !sp.externalIPs.length) continue;
    const extDsts = sp.externalIPs.map((ip) => `-d ${ip}/32 ${proto(sp)} --dport ${sp.port}`);
    const npDsts = sp.nodePort ? nodeDst.map((d) => `${d} ${proto(sp)} --dport ${sp.nodePort}`) : [];
    if (!sp.allEndpoints.length) {
      for (const d of [...extDsts, ...npDsts]) f(EXTERNAL_SERVICES, `${c(`${sp.id} has no endpoints`)} ${d} -j REJECT --reject-with icmp-port-unreachable`);
      continue;
    }
    const ext = extChain(sp);
    natChain(ext);
    if (!sp.externalPolicyLocal) {
      n(ext, `${c(`masquerade traffic for ${sp.id} external destinations`)} -j ${MARK_MASQ}`);
      n(ext, `-j ${svc}`);
    } else {
      if (opts.clusterCIDR) n(ext, `${c(`pod traffic for ${sp.id} external destinations`)} -s ${opts.clusterCIDR} -j ${svc}`);
      n(ext, `${c(`masquerade LOCAL traffic for ${sp.id} external destinations`)} -m addrtype --src-type LOCAL -j ${MARK_MASQ}`);
      n(ext, `${c(`route LOCAL traffic for ${sp.id} external destinations`)} -m addrtype --src-type LOCAL -j ${svc}`);
      if (needsSvl) n(ext, `-j ${svl}`);
      // Without a local endpoint, other clients' packets leave nat untouched and are dropped here.
      else for (const d of [...extDsts, ...npDsts]) f(EXTERNAL_SERVICES, `${c(`${sp.id} has no local endpoints`)} ${d} -j DROP`);
    }
    for (const ip of sp.externalIPs) n(SERVICES, `${c(`${sp.id} external IP`)} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} -j ${ext}`);
    if (sp.nodePort) n(NODEPORTS, `${c(sp.id)} ${proto(sp)} --dport ${sp.nodePort} -j ${ext}`);
  }
  // Last in KEELSON-SERVICES: node ports, and unknown ports of cluster IPs (known ones were
  // DNATed before the filter table sees them).
  for (const d of nodeDst) n(SERVICES, `${c('keelson service nodeports; NOTE: this must be the last rule in this chain')} ${d} -j ${NODEPORTS}`);
  for (const ip of clusterIPs) f(SERVICES, `${c('unknown port of a cluster IP')} -d ${ip}/32 -j REJECT --reject-with icmp-port-unreachable`);

  const stale = [...(prev?.chains ?? [])].filter((ch) => !chains.has(ch)).sort();
  const section = (table: Table, fixed: string[], perService: string[], rules: string[], gone: string[]) => [
    `*${table}`,
    ...[...fixed, ...perService, ...gone].map((ch) => `:${ch} - [0:0]`),
    ...(jumps ? [...jumps[table], ...insertJumps(table)] : []),
    ...rules,
    ...gone.map((ch) => `-X ${ch}`),
    'COMMIT',
  ];
  const script = [...section('filter', FIXED.filter, [], filter, []), ...section('nat', FIXED.nat, [...chains], nat, stale)].join('\n') + '\n';
  return { script, chains, rules: filter.length + nat.length };
}
