// The pod's QoS class (Kubernetes' qos.GetPodQOS): BestEffort without cpu/memory requests or
// limits, Guaranteed when every container has cpu and memory limits equal to its requests,
// Burstable otherwise.
import { addQuantities, compareQuantities, tryParseQuantity, type Quantity } from '../../../../api/quantity.js';

const qosResources = new Set(['cpu', 'memory']);

export function podQOSClass(pod: any): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let isGuaranteed = true;
  const all: any[] = [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])];
  for (const c of all) {
    for (const [name, v] of Object.entries(c?.resources?.requests ?? {})) {
      if (!qosResources.has(name)) continue;
      const q = tryParseQuantity(v);
      if (q && q.nano > 0n) requests.set(name, requests.has(name) ? addQuantities(requests.get(name)!, q) : q);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(c?.resources?.limits ?? {})) {
      if (!qosResources.has(name)) continue;
      const q = tryParseQuantity(v);
      if (q && q.nano > 0n) {
        found.add(name);
        limits.set(name, limits.has(name) ? addQuantities(limits.get(name)!, q) : q);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) {
        isGuaranteed = false;
        break;
      }
    }
  }
  return isGuaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
