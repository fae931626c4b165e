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
import { startPodRouteSync } from '../kubelet/network/pod-route-sync.js';
import type { Logger } from '../util/log.js';

export interface CriNode {
  runtime: CriRuntime;
  /** Closes the CRI connection and stops containerd (containers keep running). */
  stop(): Promise<void>;
}

/** Our containerd, running and connected, before the node exists in the API. */
export interface ContainerdBoot extends CriNode {
  cniConfDir: string;
}

/** Starts containerd under <data-dir>/containerd and connects the CRI runtime to it, or returns
 * undefined (logged) when it cannot run here. It needs nothing from the control plane, so
 * `keelson server` starts it first, beside the store and the apiserver. */
export async function bootContainerd(o: { dataDir: string; log: Logger }): Promise<ContainerdBoot | undefined> {
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
  return {
    runtime,
    cniConfDir,
    stop: async () => {
      await runtime.close();
      await ctrd.stop();
    },
  };
}

/** The node side of the cri runtime: containerd (booted here unless `boot` already started it),
 * the CNI config once the node has a podCIDR, and routes to the other nodes' pod CIDRs. */
export async function startCriNode(o: { dataDir: string; nodeName: string; client: RestClient; log: Logger; signal: AbortSignal; boot?: Promise<ContainerdBoot | undefined> }): Promise<CriNode | undefined> {
  const boot = await (o.boot ?? bootContainerd(o));
  if (!boot) return undefined;
  void writeCniWhenPodCidr(o, boot.cniConfDir);
  // host-gw: routes to the other nodes' pod CIDRs via their InternalIPs (nodes share a link).
  startPodRouteSync({ client: o.client, nodeName: o.nodeName, log: o.log }, o.signal);
  return { runtime: boot.runtime, stop: boot.stop };
}

/** Polls this node until it has a podCIDR, then writes the CNI conflist for it. */
async function writeCniWhenPodCidr(o: { nodeName: string; client: RestClient; log: Logger; signal: AbortSignal }, confDir: string): Promise<void> {
  let polls = 0;
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
    // The node controller assigns the podCIDR right after registration: poll briskly at first
    // (the node is NotReady until its pod network is configured).
    await new Promise((r) => setTimeout(r, ++polls < 50 ? 100 : 500).unref());
  }
}
