// What a Service's selector picks, computed once for both the Endpoints and the EndpointSlice
// controllers: the matching pods with an IP, whether each is ready/serving/terminating, and each
// service port resolved against the pod (targetPort by number, or by the container port's name).
import { matchesMapSelector } from '../../api/selectors/selector-objects.js';
import { isPodReady, type K } from '../pod-util.js';

export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointEntry {
  pod: K;
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  ports: ResolvedPort[];
}

/** The container port a service port targets on this pod, or undefined if the name isn't there. */
export function resolveTargetPort(svcPort: K, pod: K): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === (svcPort.protocol ?? 'TCP')) return p.containerPort;
  return undefined;
}

export function endpointEntries(svc: K, pods: K[]): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  for (const pod of pods) {
    if (!matchesMapSelector(svc.spec?.selector, pod.metadata?.labels)) continue;
    const ip = pod.status?.podIP;
    if (!ip || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const ready = publishNotReady || (isPodReady(pod) && !terminating);
    const ports: ResolvedPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      ports.push({ name: sp.name, port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    out.push({ pod, ip, ready, serving: publishNotReady || isPodReady(pod), terminating, ports });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip));
}

export const portsKey = (ports: ResolvedPort[]): string => JSON.stringify([...ports].sort((a, b) => String(a.name).localeCompare(String(b.name)) || a.port - b.port));
