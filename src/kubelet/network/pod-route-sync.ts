// Keeps this node's routes to the other nodes' pod CIDRs (pod-routes.ts) in step with the Node
// objects: an informer on nodes, and on any change (a node joins, gets its podCIDR, changes its
// InternalIP, leaves) the routes are recomputed and, when they differ from those of the last sync
// (or at the periodic resync), synced as a whole, level-triggered: node status writes that change
// no route (heartbeats, a node's start) cost no `ip` process. Stopping
// the loop keeps the routes (a restart finds them again); `removePodRoutes` drops them when the
// node leaves the cluster for good. Nodes on this same host (their InternalIP is ours) are left
// out: their pods are on a bridge of this namespace already.
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { Resources } from '../../client/resources.js';
import type { Logger } from '../../util/log.js';
import { desiredPodRoutes, syncPodRoutes, withoutLocalGateways, type RouteScope } from './pod-routes.js';

export interface PodRouteSyncOptions extends RouteScope {
  client: RestClient;
  nodeName: string;
  log: Logger;
  /** Also resync this often, to repair routes removed behind our back (default 30 s). */
  resyncMs?: number;
}

/** Runs until `signal` aborts; resolves once the first sync after the node list is done. */
export function startPodRouteSync(o: PodRouteSyncOptions, signal: AbortSignal): { synced: Promise<void> } {
  const nodes = new Informer(o.client, Resources.nodes);
  let timer: NodeJS.Timeout | undefined;
  let errorsShown = '';
  /** The wanted routes of the last sync without errors ('' = sync whatever is wanted). */
  let synced = '';
  const sync = (force: boolean) => {
    timer = undefined;
    if (signal.aborted) return;
    const want = desiredPodRoutes(nodes.list(), o.nodeName);
    const key = JSON.stringify(want);
    if (!force && key === synced) return;
    const r = syncPodRoutes(withoutLocalGateways(want, o), o);
    synced = r.errors.length ? '' : key;
    for (const a of r.added) o.log.info(a, 'pod route added');
    for (const d of r.removed) o.log.info(d, 'pod route removed');
    const errs = JSON.stringify(r.errors);
    if (r.errors.length && errs !== errorsShown) o.log.warn({ errors: r.errors }, 'pod routes could not be set (nodes must share a link)');
    errorsShown = errs;
  };
  let force = false;
  const soon = (resync = false) => {
    force ||= resync;
    if (!timer && nodes.hasSynced)
      timer = setTimeout(() => {
        const f = force;
        force = false;
        sync(f);
      }, 50);
  };
  nodes.addEventHandler({ onAdd: () => soon(), onUpdate: () => soon(), onDelete: () => soon() });
  const resync = setInterval(() => soon(true), o.resyncMs ?? 30_000);
  signal.addEventListener(
    'abort',
    () => {
      clearInterval(resync);
      if (timer) clearTimeout(timer);
    },
    { once: true },
  );
  void nodes.run(signal);
  return { synced: nodes.synced.then(() => sync(true)) };
}
