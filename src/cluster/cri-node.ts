// The container runtime of `keelson server --runtime cri` (k3s' embedded containerd): when this
// machine can run containerd (root, containerd, runc, CNI plugins), start our own under
// <data-dir>/containerd, connect the kubelet's CRI runtime to it, and write the pod network's CNI
// config once the controller manager has given the node its spec.podCIDR (containerd picks the
// file up without a restart), and keep routes to the other nodes' pod CIDRs (pod-route-sync.ts).
// Otherwise say why and fall back to the process runtime. Stopping
// leaves the containers running (the next start adopts them), like a kubelet restart.
import { join } from 'node:path';
import { isNotFound, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { CriRuntime } from '../kubelet/runtime/cri/runtime.js';
import { containerdAvailable, startContainerd } from '../kubelet/runtime/cri/containerd.js';
import { enableHostForwarding, writePodNetworkConfig } from '../kubelet/runtime/cri/cni-config.js';
import { startPodRouteSync } from '../kubelet/runtime/cri/pod-route-sync.js';
import type { Logger } from '../util/log.js';

export interface CriNode {
  runtime: CriRuntime;
  /** Closes the CRI connection and stops containerd (containers keep running). */
  stop(): Promise<void>;
}

/** Starts containerd and the CRI runtime, or returns undefined (logged) when it cannot run here. */
export async function startCriNode(o: { dataDir: string; nodeName: string; client: RestClient; log: Logger; signal: AbortSignal }): Promise<CriNode | undefined> {
  const avail = containerdAvailable();
  if (!avail.ok) {
    o.log.warn({ reason: avail.reason }, `the cri runtime cannot run here (${avail.reason}): using the process runtime instead`);
    return undefined;
  }
  const dataDir = join(o.dataDir, 'containerd');
  const cniConfDir = join(dataDir, 'cni', 'net.d');
  const ctrd = await startContainerd({ dataDir, cniConfDir });
  let runtime: CriRuntime;
  try {
    runtime = await CriRuntime.connect({ endpoint: ctrd.endpoint, log: o.log });
  } catch (e) {
    await ctrd.stop();
    throw e;
  }
  void writeCniWhenPodCidr(o, cniConfDir);
  // host-gw: routes to the other nodes' pod CIDRs via their InternalIPs (nodes share a link).
  startPodRouteSync({ client: o.client, nodeName: o.nodeName, log: o.log }, o.signal);
  return {
    runtime,
    stop: async () => {
      await runtime.close();
      await ctrd.stop();
    },
  };
}

/** Polls this node until it has a podCIDR, then writes the CNI conflist for it. */
async function writeCniWhenPodCidr(o: { nodeName: string; client: RestClient; log: Logger; signal: AbortSignal }, confDir: string): Promise<void> {
  while (!o.signal.aborted) {
    try {
      const node = await o.client.get(resourcePath(Resources.nodes, undefined, o.nodeName));
      const podCIDR = node.spec?.podCIDR;
      if (podCIDR) {
        const changed = enableHostForwarding();
        if (writePodNetworkConfig({ confDir, podCIDR })) o.log.info({ podCIDR, sysctls: changed }, 'pod network configured (CNI bridge keelson0)');
        return;
      }
    } catch (e) {
      if (!isNotFound(e)) o.log.debug({ err: (e as Error).message }, 'reading the node for its podCIDR');
    }
    await new Promise((r) => setTimeout(r, 500).unref());
  }
}
