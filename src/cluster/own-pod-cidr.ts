// The pod range of `keelson server`'s own node on a new cluster. The node IPAM controller gives
// every node a range of the cluster CIDR once the node exists; on a cluster without any node yet
// it would give this one the first range. Taking that range before the node registers (the
// kubelet creates its Node with it, and the IPAM controller counts it as taken, as any node's
// existing spec.podCIDR) lets the node's pod network be configured first: the CRI runtime reports
// NetworkReady when the kubelet registers, and the node is Ready from its first status instead of
// NotReady until the controller's patch, a watch, the CNI config and another status write.
// Any other case (nodes exist already, a restart, an external datastore with history) is left to
// the node IPAM controller.
import type { RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { parseCidr, subnet } from '../controllers/nodeipam/cidr.js';

/** The first range of `clusterCidr` when the cluster has no node at all, else undefined. */
export async function ownNodePodCidr(c: RestClient, clusterCidr: string, maskSize: number): Promise<string | undefined> {
  const list = await c.get(resourcePath(Resources.nodes), { limit: 1 });
  if (list.items?.length) return undefined;
  return subnet(parseCidr(clusterCidr), maskSize, 0);
}
