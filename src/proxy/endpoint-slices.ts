// Endpoints of one service port from its EndpointSlices (kube-proxy's EndpointSliceCache):
// slices are merged, an address seen in several slices counts once, and the port is matched by
// name and protocol. Readiness follows the conditions' documented defaults: a missing `ready`
// means ready, `serving` defaults to `ready`, `terminating` to false.
// Diverges from Kubernetes: IPv4 slices only.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Protocol } from './service-port.js';

export interface Endpoint {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** Endpoints of the port named `portName` with `protocol`, sorted by ip:port. */
export function endpointsForPort(slices: EndpointSlice[], portName: string, protocol: Protocol): Endpoint[] {
  const byAddr = new Map<string, Endpoint>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP').toLowerCase() === protocol);
    if (!port?.port) continue;
    for (const e of s.endpoints ?? []) {
      const ready = e.conditions?.ready !== false;
      const serving = e.conditions?.serving ?? ready;
      const terminating = e.conditions?.terminating ?? false;
      const ip = e.addresses?.[0];
      if (!ip) continue;
      const key = `${ip}:${port.port}`;
      const prev = byAddr.get(key);
      // The same address in two slices (during a move between slices): the readier one wins.
      if (prev && (prev.ready || !ready)) continue;
      byAddr.set(key, { ip, port: port.port, nodeName: e.nodeName, ready, serving, terminating });
    }
  }
  return [...byAddr.values()].sort((a, b) => compareEndpoints(a, b));
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  const ka = a.ip.split('.').map(Number);
  const kb = b.ip.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return a.port - b.port;
}

/**
 * The endpoints traffic goes to: the ready ones, or, when none is ready, those still serving
 * while terminating (so connections drain during a rolling update, as kube-proxy does).
 */
export function usableEndpoints(eps: Endpoint[]): Endpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}
