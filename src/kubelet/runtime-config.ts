// What the kubelet derives from a pod spec for its runtime beyond command and env (kuberuntime's
// generatePodSandboxConfig and generateContainerConfig): the sandbox's hostname, labels,
// annotations, hostPort mappings and pod security context; each container's cpu/memory
// requests and limits, effective securityContext (container values over the pod's), tty/stdin,
// and the OOM score adjustment of the pod's QoS class (kubelet's qos policy: Guaranteed -997,
// BestEffort 1000, Burstable 1000 - 1000 * memory request / node memory, within [3, 999]).
import os from 'node:os';
import type { KObject } from '../client/rest-client.js';
import { milliValue, quantityValue, tryParseQuantity } from '../api/quantity.js';
import { qosClass, type Pod } from './pod-status.js';
import type { ContainerConfig, ContainerSecurity, PodSandboxConfig } from './runtime/types.js';

type SandboxExtras = Pick<PodSandboxConfig, 'hostname' | 'labels' | 'annotations' | 'portMappings' | 'securityContext'>;
type ContainerExtras = Pick<ContainerConfig, 'resources' | 'securityContext' | 'tty' | 'stdin' | 'stdinOnce' | 'oomScoreAdj' | 'labels' | 'annotations'>;

const allContainers = (pod: KObject): KObject[] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

export function sandboxExtras(pod: Pod): SandboxExtras {
  const psc = pod.spec?.securityContext ?? {};
  const ports: NonNullable<PodSandboxConfig['portMappings']> = [];
  for (const c of allContainers(pod))
    for (const p of c.ports ?? [])
      if (p.hostPort) ports.push({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, hostIP: p.hostIP });
  return {
    // spec.hostname overrides the pod name (subdomain FQDNs are the DNS work's).
    hostname: pod.spec?.hostname || pod.metadata.name,
    labels: { ...(pod.metadata.labels ?? {}) },
    annotations: { ...(pod.metadata.annotations ?? {}) },
    portMappings: ports,
    securityContext: {
      runAsUser: psc.runAsUser,
      runAsGroup: psc.runAsGroup,
      supplementalGroups: psc.supplementalGroups,
      privileged: allContainers(pod).some((c) => c.securityContext?.privileged),
    },
  };
}

function milli(v: unknown): number | undefined {
  const q = tryParseQuantity(v);
  return q ? milliValue(q) : undefined;
}
function bytes(v: unknown): number | undefined {
  const q = tryParseQuantity(v);
  return q ? quantityValue(q) : undefined;
}

/** kubelet's GetContainerOOMScoreAdjust for the pod's QoS class. */
export function oomScoreAdj(pod: KObject, memoryRequestBytes: number, memoryCapacity = os.totalmem()): number {
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const adj = 1000 - Math.floor((1000 * memoryRequestBytes) / memoryCapacity);
  if (adj < 3) return 3;
  return adj >= 1000 ? 999 : adj;
}

export function containerExtras(pod: KObject, c: KObject): ContainerExtras {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const resources = {
    cpuRequestMilli: milli(req.cpu),
    cpuLimitMilli: milli(lim.cpu),
    memoryRequestBytes: bytes(req.memory),
    memoryLimitBytes: bytes(lim.memory),
  };
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const security: ContainerSecurity = {
    runAsUser: sc.runAsUser ?? psc.runAsUser,
    runAsGroup: sc.runAsGroup ?? psc.runAsGroup,
    supplementalGroups: psc.supplementalGroups,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
    privileged: sc.privileged,
    allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
    ...(sc.capabilities ? { capabilities: { add: sc.capabilities.add, drop: sc.capabilities.drop } } : {}),
  };
  return {
    resources,
    securityContext: security,
    tty: !!c.tty,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    oomScoreAdj: oomScoreAdj(pod, resources.memoryRequestBytes ?? 0),
    labels: {},
    annotations: { 'io.kubernetes.container.terminationMessagePath': c.terminationMessagePath ?? '/dev/termination-log' },
  };
}
