// Round-robin over a service port's endpoints with optional ClientIP affinity (kube's old
// userspace LoadBalancerRR): a client sticks to its endpoint while it keeps coming back within
// the affinity timeout and the endpoint is still there.
import type { Endpoint } from '../endpoint-slices.js';

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

export class RoundRobin {
  private next = new Map<string, number>();
  private affinity = new Map<string, Map<string, Affinity>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The endpoint for a new connection of `clientIP` to the listener `key`, or undefined. */
  pick(key: string, endpoints: Endpoint[], clientIP: string, affinitySeconds: number): Endpoint | undefined {
    if (endpoints.length === 0) return undefined;
    const id = (e: Endpoint) => `${e.ip}:${e.port}`;
    let clients: Map<string, Affinity> | undefined;
    if (affinitySeconds > 0) {
      clients = this.affinity.get(key);
      if (!clients) this.affinity.set(key, (clients = new Map()));
      const a = clients.get(clientIP);
      if (a && this.now() - a.lastUsed <= affinitySeconds * 1000) {
        const ep = endpoints.find((e) => id(e) === a.endpoint);
        if (ep) {
          a.lastUsed = this.now();
          return ep;
        }
      }
    }
    const i = (this.next.get(key) ?? 0) % endpoints.length;
    this.next.set(key, i + 1);
    const ep = endpoints[i];
    clients?.set(clientIP, { endpoint: id(ep), lastUsed: this.now() });
    return ep;
  }

  /** The endpoint after `ep` in the list (a retry after a failed connect). */
  after(endpoints: Endpoint[], ep: Endpoint): Endpoint | undefined {
    const i = endpoints.findIndex((e) => e.ip === ep.ip && e.port === ep.port);
    return endpoints.length > 1 ? endpoints[(i + 1) % endpoints.length] : undefined;
  }

  /** Forget listeners that are gone. */
  retain(keys: Set<string>): void {
    for (const k of [...this.next.keys()]) if (!keys.has(k)) this.next.delete(k);
    for (const k of [...this.affinity.keys()]) if (!keys.has(k)) this.affinity.delete(k);
  }
}
