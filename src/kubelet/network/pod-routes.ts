// Routes between nodes' pod networks (flannel's host-gw backend, done by the node itself): for
// every other Node with a spec.podCIDR and an InternalIP, `ip route replace <podCIDR> via <IP>`.
// keelson's routes carry their own routing protocol number (`proto 75`, "K"), so they are found
// again after a restart, and those of nodes that left (or all of them, when this node leaves)
// are removed without touching anyone else's routes. Nodes must share a link (one L2 segment),
// as host-gw requires; one node per network namespace. A node whose InternalIP is an address of
// this very namespace (two kubelets on one host) gets no route: the kernel would accept a local
// gateway and `route replace` would then clobber the other kubelet's connected bridge route.
// Used by both runtimes: the cri runtime's containerd pods and the process runtime's netns pods.
import { spawnSync } from 'node:child_process';

/** The routing protocol number that marks keelson's pod routes. */
export const POD_ROUTE_PROTO = 75;

interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { podCIDR?: string };
  status?: { addresses?: Array<{ type?: string; address?: string }> };
}

export interface PodRoute {
  dst: string;
  via: string;
}

/** Which routes: keelson's protocol number (default 75) in a network namespace (default: ours). */
export interface RouteScope {
  proto?: number;
  /** A named network namespace (`ip -n NAME`), e.g. a test's or a simulated host's. */
  netns?: string;
}

const ip = (scope: RouteScope, args: string[]) => spawnSync('ip', [...(scope.netns ? ['-n', scope.netns] : []), ...args], { encoding: 'utf8' });

/** The routes this node wants: every other node's podCIDR via its InternalIP (IPv4 only).
 * Simulated nodes (node.keelson.io/simulated) have no real pods and made-up addresses: none. */
export function desiredPodRoutes(nodes: NodeLike[], self: string): PodRoute[] {
  const out: PodRoute[] = [];
  for (const n of nodes) {
    if (n.metadata?.name === self || !n.spec?.podCIDR || n.spec.podCIDR.includes(':')) continue;
    if (n.metadata?.labels?.['node.keelson.io/simulated'] === 'true') continue;
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP' && a.address && !a.address.includes(':'))?.address;
    if (via) out.push({ dst: n.spec.podCIDR, via });
  }
  return out.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** The IPv4 addresses of the network namespace (`ip -j -4 addr`). */
export function localAddresses(scope: RouteScope = {}): Set<string> {
  const r = ip(scope, ['-j', '-4', 'addr', 'show']);
  if (r.status !== 0) return new Set();
  const links = JSON.parse(r.stdout || '[]') as Array<{ addr_info?: Array<{ local?: string }> }>;
  return new Set(links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local).filter((a): a is string => !!a)));
}

/** Drops the routes whose gateway is an address of this namespace (another node on this host). */
export function withoutLocalGateways(routes: PodRoute[], scope: RouteScope = {}): PodRoute[] {
  if (!routes.length) return routes;
  const local = localAddresses(scope);
  return routes.filter((r) => !local.has(r.via));
}

/** The pod routes keelson has in the current network namespace. */
export function currentPodRoutes(scope: RouteScope = {}): PodRoute[] {
  const r = ip(scope, ['-j', 'route', 'show', 'proto', String(scope.proto ?? POD_ROUTE_PROTO)]);
  if (r.status !== 0) return [];
  const routes = JSON.parse(r.stdout || '[]') as Array<{ dst: string; gateway?: string }>;
  return routes.filter((x) => x.gateway).map((x) => ({ dst: x.dst, via: x.gateway! }));
}

export interface RouteSyncResult {
  added: PodRoute[];
  removed: PodRoute[];
  /** Routes that could not be set (e.g. the gateway is not on a shared link), with ip's message. */
  errors: Array<PodRoute & { error: string }>;
}

/** Makes keelson's pod routes exactly `want` (adds, replaces, removes). Idempotent. */
export function syncPodRoutes(want: PodRoute[], scope: RouteScope = {}): RouteSyncResult {
  const proto = String(scope.proto ?? POD_ROUTE_PROTO);
  const have = currentPodRoutes(scope);
  const res: RouteSyncResult = { added: [], removed: [], errors: [] };
  for (const h of have) {
    if (want.some((w) => w.dst === h.dst && w.via === h.via)) continue;
    if (!want.some((w) => w.dst === h.dst)) {
      ip(scope, ['route', 'del', h.dst, 'proto', proto]);
      res.removed.push(h);
    }
  }
  for (const w of want) {
    if (have.some((h) => h.dst === w.dst && h.via === w.via)) continue;
    const r = ip(scope, ['route', 'replace', w.dst, 'via', w.via, 'proto', proto]);
    if (r.status === 0) res.added.push(w);
    else res.errors.push({ ...w, error: r.stderr.trim() });
  }
  return res;
}

/** Removes every keelson pod route (this node leaves). */
export function removePodRoutes(scope: RouteScope = {}): PodRoute[] {
  return syncPodRoutes([], scope).removed;
}
