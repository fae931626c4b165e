// Resource amounts the scheduler adds and compares: milli-CPU, bytes of memory and
// ephemeral-storage, pod count, and scalar (extended) resources, as Kubernetes' framework.Resource.
import { milliValue, quantityValue, tryParseQuantity } from '../../api/quantity.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  scalar: Record<string, number>;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} });

/** Default requests used for scoring pods that request nothing (Kubernetes' non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

// Parsed quantities by their text: a cluster uses few distinct values ("100m", "128Gi"), and
// parsing (BigInt arithmetic) dominated informer event handling. Bounded: cleared when full.
const parsedQuantities = new Map<unknown, { milli: number; value: number } | null>();

function parsed(raw: unknown): { milli: number; value: number } | null {
  let p = parsedQuantities.get(raw);
  if (p === undefined) {
    const q = tryParseQuantity(raw);
    p = q ? { milli: milliValue(q), value: quantityValue(q) } : null;
    if (parsedQuantities.size >= 4096) parsedQuantities.clear();
    parsedQuantities.set(raw, p);
  }
  return p;
}

/** Parse a ResourceList ({cpu: "2", memory: "1Gi", ...}) into a Resource. */
export function resourceFromList(list: Record<string, unknown> | undefined): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const name in list) {
    const q = parsed(list[name]);
    if (!q) continue;
    switch (name) {
      case 'cpu':
        r.milliCPU = q.milli;
        break;
      case 'memory':
        r.memory = q.value;
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage = q.value;
        break;
      case 'pods':
        r.allowedPodNumber = q.value;
        break;
      default:
        if (isScalarResource(name)) r.scalar[name] = q.value;
    }
  }
  return r;
}

/** Extended resources (vendor.example/gpu), hugepages and attachable volumes count; not cpu/memory/storage/pods. */
export function isScalarResource(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  into.allowedPodNumber += sign * r.allowedPodNumber;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
}

export function maxResource(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = Math.max(into.scalar[k] ?? 0, v);
}

/**
 * A pod's effective request, as Kubernetes computes it: the sum over containers, at least the
 * largest init container (restartable "sidecar" init containers add up), plus pod overhead.
 * `nonZero` applies the scoring defaults to containers that request no cpu/memory.
 */
export function podRequests(pod: any, nonZero = false): Resource {
  const spec = pod?.spec ?? {};
  const sum = emptyResource();
  const containerReq = (c: any) => {
    // Requests default to limits when only limits are given (apiserver defaulting does this too).
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    const r = resourceFromList(c?.resources?.limits ? { ...lim, ...req } : req);
    if (nonZero) {
      if (!('cpu' in req) && !('cpu' in lim)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
      if (!('memory' in req) && !('memory' in lim)) r.memory = DEFAULT_MEMORY_REQUEST;
    }
    return r;
  };
  for (const c of spec.containers ?? []) addResource(sum, containerReq(c));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const r = containerReq(c);
    if (c.restartPolicy === 'Always') {
      addResource(sidecars, r);
      addResource(sum, r);
    } else {
      const withSidecars = emptyResource();
      addResource(withSidecars, sidecars);
      addResource(withSidecars, r);
      maxResource(initMax, withSidecars);
    }
  }
  maxResource(sum, initMax);
  if (spec.overhead) addResource(sum, resourceFromList(spec.overhead));
  return sum;
}

/** The pod's requests (plain and non-zero), parsed once per scheduling cycle and shared by plugins. */
export function cycleRequests(state: { read<T>(k: string): T | undefined; write(k: string, v: unknown): void }, pod: any): { requests: Resource; nonZero: Resource } {
  let r = state.read<{ requests: Resource; nonZero: Resource }>('PodRequests');
  if (!r) state.write('PodRequests', (r = { requests: podRequests(pod), nonZero: podRequests(pod, true) }));
  return r;
}
