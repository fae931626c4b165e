// What the scheduler knows about one node: the Node, the pods on it (bound or assumed), and the
// sums it filters and scores on (Kubernetes' framework.NodeInfo).
import { nodeImageSizes } from './image-states.js';
import { addResource, emptyResource, podRequests, resourceFromList, type Resource } from './resources.js';

export interface PodInfo {
  pod: any;
  key: string; // namespace/name
  requests: Resource;
  nonZeroRequests: Resource;
  hasAffinity: boolean;
  hasRequiredAntiAffinity: boolean;
}

export function podKey(pod: any): string {
  return `${pod?.metadata?.namespace ?? ''}/${pod?.metadata?.name ?? ''}`;
}

export function newPodInfo(pod: any): PodInfo {
  const aff = pod?.spec?.affinity ?? {};
  return {
    pod,
    key: podKey(pod),
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hasAffinity: !!(aff.podAffinity || aff.podAntiAffinity),
    hasRequiredAntiAffinity: (aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0,
  };
}

/** Host ports in use: `protocol/hostIP/port` (hostIP 0.0.0.0 conflicts with every IP). */
export function podHostPorts(pod: any): Array<{ protocol: string; ip: string; port: number }> {
  let out: Array<{ protocol: string; ip: string; port: number }> | undefined;
  for (const list of [pod?.spec?.containers, pod?.spec?.initContainers])
    for (const c of list ?? []) for (const p of c.ports ?? []) if (p.hostPort) (out ??= []).push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
  return out ?? NO_PORTS;
}
const NO_PORTS: Array<{ protocol: string; ip: string; port: number }> = [];

/** Pods with (anti-)affinity over a set of nodes (the cache's), kept as NodeInfos change. */
export interface AffinityTotals {
  podsWithAffinity: number;
  podsWithRequiredAntiAffinity: number;
}

export class NodeInfo {
  node: any;
  readonly pods = new Map<string, PodInfo>();
  requested: Resource = emptyResource();
  nonZeroRequested: Resource = emptyResource();
  allocatable: Resource = emptyResource();
  usedPorts: Array<{ protocol: string; ip: string; port: number }> = [];
  /** Images on the node: normalised name -> size in bytes. */
  imageSizes: Map<string, number> = new Map();
  /** Pods here with any pod (anti-)affinity / with required anti-affinity (InterPodAffinity skips the rest). */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** Incremented on every change (the explain view and caches can compare it). */
  generation = 0;
  /** Values plugins derive from this node's pods, valid while `generation` is unchanged. */
  readonly memo = new Map<string, { generation: number; value: number }>();

  constructor(
    node?: any,
    private readonly totals?: AffinityTotals,
  ) {
    if (node) this.setNode(node);
  }

  get name(): string {
    return this.node?.metadata?.name ?? '';
  }

  setNode(node: any): void {
    this.node = node;
    this.allocatable = resourceFromList(node?.status?.allocatable ?? node?.status?.capacity);
    this.imageSizes = nodeImageSizes(node);
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.key)) this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    addResource(this.requested, pi.requests);
    addResource(this.nonZeroRequested, pi.nonZeroRequests);
    if (pi.hasAffinity) this.podsWithAffinity++;
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity++;
    if (this.totals) {
      if (pi.hasAffinity) this.totals.podsWithAffinity++;
      if (pi.hasRequiredAntiAffinity) this.totals.podsWithRequiredAntiAffinity++;
    }
    const ports = podHostPorts(pi.pod);
    if (ports.length) this.usedPorts.push(...ports);
    this.generation++;
  }

  removePod(key: string): boolean {
    const pi = this.pods.get(key);
    if (!pi) return false;
    this.pods.delete(key);
    addResource(this.requested, pi.requests, -1);
    addResource(this.nonZeroRequested, pi.nonZeroRequests, -1);
    if (pi.hasAffinity) this.podsWithAffinity--;
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity--;
    if (this.totals) {
      if (pi.hasAffinity) this.totals.podsWithAffinity--;
      if (pi.hasRequiredAntiAffinity) this.totals.podsWithRequiredAntiAffinity--;
    }
    const ports = podHostPorts(pi.pod);
    if (ports.length) this.usedPorts = this.usedPorts.filter((u) => !ports.some((p) => p.port === u.port && p.protocol === u.protocol && p.ip === u.ip));
    this.generation++;
    return true;
  }

  labels(): Record<string, string> {
    return this.node?.metadata?.labels ?? {};
  }
}

/** A copy whose pod set can be changed without touching the original (preemption dry runs). */
export function cloneNodeInfo(n: NodeInfo): NodeInfo {
  const c = new NodeInfo(n.node);
  for (const pi of n.pods.values()) c.addPod(pi);
  return c;
}
