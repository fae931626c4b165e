// What the proxy programs: one ServicePort per (Service, port), with the endpoints it balances
// over already chosen by traffic policy (kube-proxy's ServicePort + CategorizeEndpoints).
// Diverges from Kubernetes: IPv4 only (the first IPv4 clusterIP; IPv6 slices are ignored),
// no topology-aware hints, no loadBalancerSourceRanges.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointsForPort, usableEndpoints, type Endpoint } from './endpoint-slices.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface ServicePort {
  /** namespace/name:portName (portName empty for an unnamed port), kube-proxy's ServicePortName. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the service has none. */
  nodePort: number;
  /** spec.externalIPs and status.loadBalancer.ingress IPs (IPv4). */
  externalIPs: string[];
  /** 0 = no session affinity; otherwise ClientIP affinity for this many seconds. */
  affinitySeconds: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  /** Every usable endpoint (ready, or serving-terminating when none is ready). */
  allEndpoints: Endpoint[];
  /** Endpoints for traffic to the clusterIP (internalTrafficPolicy applied). */
  clusterEndpoints: Endpoint[];
  /** Endpoints for traffic to NodePorts and external IPs (externalTrafficPolicy applied). */
  externalEndpoints: Endpoint[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
export const isIPv4 = (s: string | undefined): s is string => !!s && IPV4.test(s);

/** kube-proxy's default ClientIP affinity timeout: 3 hours. */
export const DEFAULT_AFFINITY_SECONDS = 10800;

function protocolOf(p: string | undefined): Protocol | undefined {
  const v = (p ?? 'TCP').toLowerCase();
  return v === 'tcp' || v === 'udp' || v === 'sctp' ? v : undefined;
}

/** Service ports of one Service, given the EndpointSlices labelled with its name. */
export function servicePorts(svc: Service, slices: EndpointSlice[], nodeName: string): ServicePort[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const clusterIP = [spec.clusterIP, ...(spec.clusterIPs ?? [])].find(isIPv4);
  if (!clusterIP) return []; // headless ("None") or IPv6-only
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const hasNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const externalIPs = [...(spec.externalIPs ?? []), ...(svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip)].filter(isIPv4);
  const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : 0;
  const out: ServicePort[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = protocolOf(p.protocol);
    if (!protocol || !p.port) continue;
    const portName = p.name ?? '';
    const candidates = endpointsForPort(slices, portName, protocol);
    const all = usableEndpoints(candidates);
    const local = usableEndpoints(candidates.filter((e) => e.nodeName === nodeName));
    const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
    const externalPolicyLocal = (hasNodePorts || externalIPs.length > 0) && spec.externalTrafficPolicy === 'Local';
    out.push({
      id: `${namespace}/${name}:${portName}`,
      namespace,
      name,
      portName,
      protocol,
      clusterIP,
      port: p.port,
      nodePort: hasNodePorts ? (p.nodePort ?? 0) : 0,
      externalIPs,
      affinitySeconds,
      externalPolicyLocal,
      internalPolicyLocal,
      allEndpoints: all,
      clusterEndpoints: internalPolicyLocal ? local : all,
      externalEndpoints: externalPolicyLocal ? local : all,
    });
  }
  return out;
}

/** Every ServicePort of the cluster, sorted by id (so rendered rules are stable). */
export function buildServicePorts(services: Service[], slicesByService: Map<string, EndpointSlice[]>, nodeName: string): ServicePort[] {
  const out: ServicePort[] = [];
  for (const svc of services) {
    const key = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}`;
    out.push(...servicePorts(svc, slicesByService.get(key) ?? [], nodeName));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
