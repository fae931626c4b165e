// The node's heartbeat Lease (kubelet's nodelease controller): kube-node-lease/<node>, holder
// the node, leaseDurationSeconds 40 by default, renewTime refreshed every renew interval (10 s),
// owned by the Node so it goes when the Node does. The last written Lease is kept, so a renewal
// is one PUT; on a conflict or a missing Lease it is read or created again.
import { isAlreadyExists, isConflict, isNotFound, type KObject, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { microTime } from '../client/leader-election.js';

export const nodeLeaseNamespace = 'kube-node-lease';

export class NodeLease {
  private lease?: KObject;

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly leaseDurationSeconds = 40,
    private readonly ownerUid?: () => string | undefined,
  ) {}

  private body(): KObject {
    const uid = this.ownerUid?.();
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.nodeName,
        namespace: nodeLeaseNamespace,
        ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid }] } : {}),
      },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: this.leaseDurationSeconds, renewTime: microTime(Date.now()) },
    };
  }

  /** Create or renew the Lease once; throws on failure (the caller retries next interval). */
  async renew(retry = true): Promise<void> {
    const path = resourcePath(Resources.leases, nodeLeaseNamespace, this.nodeName);
    if (this.lease) {
      const next: Record<string, any> = structuredClone(this.lease);
      next.spec = { ...next.spec, holderIdentity: this.nodeName, leaseDurationSeconds: this.leaseDurationSeconds, renewTime: microTime(Date.now()) };
      const uid = this.ownerUid?.();
      if (uid && !next.metadata.ownerReferences?.length) next.metadata.ownerReferences = this.body().metadata!.ownerReferences;
      try {
        this.lease = await this.client.put(path, next);
        return;
      } catch (e) {
        this.lease = undefined;
        if (!retry || (!isConflict(e) && !isNotFound(e))) throw e;
      }
    }
    // No Lease known: create it (the common case at registration); if it exists, read and renew.
    try {
      this.lease = await this.client.post(resourcePath(Resources.leases, nodeLeaseNamespace), this.body());
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.lease = await this.client.get(path);
    return this.renew(false);
  }
}
