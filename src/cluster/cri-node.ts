// The container runtime of `keelson server --runtime cri` (k3s' embedded containerd): when this
// machine can run containerd (root, containerd, runc, CNI plugins), start our own under
// <data-dir>/containerd, connect the kubelet's CRI runtime to it as soon as it answers (the pause
// image is imported meanwhile; a pod sandbox waits for it), write the pod network's CNI config as
// soon as the node's spec.podCIDR is known (before the node registers when `keelson server` takes
// the cluster's first range for it, see own-pod-cidr.ts; else when a watch shows the controller
// manager's assignment), containerd picking the file up without a restart and its NetworkReady,
// hence the node's Ready, following; and keep routes to the other nodes' pod CIDRs
// (pod-route-sync.ts).
// Otherwise say why and fall back to the process runtime. Stopping
// leaves the containers running (the next start adopts them), like a kubelet restart.
import { join } from 'node:path';
import { Informer } from '../client/informer.js';
import type { KObject, RestClient } from '../client/rest-client.js';
import { Resources } from '../client/resources.js';
import { CriRuntime } from '../kubelet/runtime/cri/runtime.js';
import { containerdAvailable, ensureSandboxImage, startContainerd } from '../kubelet/runtime/cri/containerd.js';
import { DEFAULT_BRIDGE, enableHostForwarding, writePodNetworkConfig } from '../kubelet/runtime/cri/cni-config.js';
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
  const ctrd = await startContainerd({ dataDir, cniConfDir, waitForSandboxImage: false });
  // A failed import is tried again by the next sandbox.
  let image = ctrd.sandboxImage;
  let failed = false;
  const watch = () => image.catch(() => (failed = true));
  watch();
  const sandboxImage = () => {
    if (failed) {
      failed = false;
      image = ensureSandboxImage(ctrd.address);
      watch();
    }
    return image;
  };
  let runtime: CriRuntime;
  try {
    runtime = await CriRuntime.connect({ endpoint: ctrd.endpoint, log: o.log, sandboxImage });
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
export async function startCriNode(o: { dataDir: string; nodeName: string; client: RestClient; log: Logger; signal: AbortSignal; boot?: Promise<ContainerdBoot | undefined>; podCIDR?: string; bridge?: string }): Promise<CriNode | undefined> {
  const boot = await (o.boot ?? bootContainerd(o));
  if (!boot) return undefined;
  // The node's range known before it registers (own-pod-cidr.ts): its network is configured and
  // containerd reports it ready before the kubelet starts.
  if (o.podCIDR && configurePodNetwork(o, boot.cniConfDir, o.podCIDR)) await networkReady(boot.runtime, o.signal);
  writeCniWhenPodCidr(o, boot.cniConfDir, boot.runtime);
  // host-gw: routes to the other nodes' pod CIDRs via their InternalIPs (nodes share a link).
  startPodRouteSync({ client: o.client, nodeName: o.nodeName, log: o.log }, o.signal);
  return { runtime: boot.runtime, stop: boot.stop };
}

/** Watches this node until it has a podCIDR, then writes the CNI conflist for it (on a restart
 * the file is there already, unchanged: containerd loaded it when it started), and once
 * containerd reports NetworkReady tells the kubelet (which then writes the node Ready). */
function writeCniWhenPodCidr(o: { nodeName: string; client: RestClient; log: Logger; signal: AbortSignal; bridge?: string }, confDir: string, runtime: CriRuntime): void {
  const ac = new AbortController();
  const stop = () => ac.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  const node = new Informer(o.client, Resources.nodes, { fieldSelector: `metadata.name=${o.nodeName}` });
  const seen = (n: KObject) => {
    const podCIDR = n.spec?.podCIDR;
    if (!podCIDR || ac.signal.aborted) return;
    if (configurePodNetwork(o, confDir, podCIDR)) void networkReady(runtime, o.signal).then((ready) => ready && runtime.statusChanged());
    o.signal.removeEventListener('abort', stop);
    // Once the informer is back from this handler (an abort inside its list would be missed).
    setImmediate(stop);
  };
  node.addEventHandler({ onAdd: seen, onUpdate: (_old, n) => seen(n) });
  node.run(ac.signal).catch((e) => o.log.warn({ err: (e as Error).message }, 'watching the node for its podCIDR'));
}

/** The host settings and the CNI conflist for `podCIDR` on the node's bridge (default keelson0);
 * true when the file changed. */
function configurePodNetwork(o: { log: Logger; bridge?: string }, confDir: string, podCIDR: string): boolean {
  const changed = enableHostForwarding();
  const bridge = o.bridge ?? DEFAULT_BRIDGE;
  if (!writePodNetworkConfig({ confDir, podCIDR, bridge })) return false;
  o.log.info({ podCIDR, sysctls: changed }, `pod network configured (CNI bridge ${bridge})`);
  return true;
}

/** Waits (briefly) for containerd to load a CNI config just written (it watches the directory):
 * true once its Status says NetworkReady. */
async function networkReady(runtime: CriRuntime, signal: AbortSignal, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < deadline) {
    const conditions = await runtime.status().catch(() => []);
    if (conditions.some((c) => c.type === 'NetworkReady' && c.status)) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}
