// The node side of a keelson machine, shared by `keelson agent` (and usable by `keelson server`
// for its own node): the kubelet on the chosen runtime (with --runtime cri, our own containerd
// under <data-dir>/containerd via cri-node.ts, or the process runtime when it cannot run here) and
// the service proxy (nftables as root, userspace otherwise). Each component gets its own client.
// Process-runtime pods get a network namespace each (as root with the CNI plugins) and the
// kubelet keeps routes to the other nodes' pod CIDRs, as the cri runtime's node does.
import { join } from 'node:path';
import type { RestClient } from '../client/rest-client.js';
import type { KeyPairPem } from '../auth/pki/certs.js';
import { startKubelet } from '../kubelet/index.js';
import { startProxy } from '../proxy/index.js';
import type { Logger } from '../util/log.js';
import { startCriNode } from './cri-node.js';

export interface NodeComponentsOptions {
  dataDir: string;
  nodeName: string;
  runtime: 'process' | 'simulated' | 'cri';
  kubeletClient: RestClient;
  /** The service proxy's client; undefined = no proxy on this node. */
  proxyClient?: RestClient;
  /** The cluster's pod range, for the proxy's masquerading (default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** The kubelet server's port (0 = a free one). */
  kubeletPort?: number;
  /** The node's InternalIP (default: the host's first IPv4). */
  nodeIP?: string;
  /** Nameservers written into pods' resolv.conf (the kube-dns Service IP) and the domain. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The kubelet's static pod manifests (default <data-dir>/manifests; "" = none). */
  podManifestPath?: string;
  /** The kubelet's --rotate-certificates (client certificate renewed through CSRs). */
  rotateCertificates?: boolean;
  /** Process runtime: a network namespace per pod (default on as root with the CNI plugins;
   * false = pods share the host network). */
  podNetns?: boolean;
  /** The pods' bridge (process runtime with a netns per pod, and cri's CNI config; default keelson0). */
  podNetworkBridge?: string;
  /** The kubelet server's serving certificate (default: self-signed). */
  serving?: KeyPairPem;
  log: Logger;
  signal: AbortSignal;
}

export interface NodeComponents {
  /** The runtime actually used (cri may fall back to process). */
  runtime: 'process' | 'simulated' | 'cri';
  readies: Promise<void>[];
  /** Settle when the components have stopped (after the signal aborts). */
  running: Promise<void>[];
}

export async function startNodeComponents(o: NodeComponentsOptions): Promise<NodeComponents> {
  const readies: Promise<void>[] = [];
  const running: Promise<void>[] = [];
  const cri = o.runtime === 'cri' ? await startCriNode({ dataDir: o.dataDir, nodeName: o.nodeName, client: o.kubeletClient, log: o.log, signal: o.signal, bridge: o.podNetworkBridge }) : undefined;
  const runtime = cri?.runtime ?? (o.runtime === 'simulated' ? 'simulated' : 'process');
  const k = startKubelet({ client: o.kubeletClient, nodeName: o.nodeName, runtime, rootDir: join(o.dataDir, 'kubelet'), port: o.kubeletPort ?? 0, nodeIP: o.nodeIP, clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain, tls: { serving: o.serving }, podManifestPath: (o.podManifestPath ?? join(o.dataDir, 'manifests')) || undefined, rotateCertificates: o.rotateCertificates, ...(o.podNetns === false ? { podNetwork: false as const } : o.podNetworkBridge ? { podNetwork: { bridge: o.podNetworkBridge } } : {}) });
  running.push(
    k
      .start(o.signal)
      .catch((e) => o.log.error({ err: (e as Error).message }, 'kubelet stopped'))
      .then(() => cri?.stop()),
  );
  readies.push(k.ready);
  if (o.proxyClient) {
    const p = await startProxy({ client: o.proxyClient, nodeName: o.nodeName, clusterCIDR: o.clusterCIDR ?? '10.244.0.0/16' }, o.signal);
    running.push(p.done.catch((e) => o.log.error({ err: (e as Error).message }, 'proxy stopped')));
    readies.push(p.ready.catch(() => undefined));
  }
  return { runtime: cri ? 'cri' : runtime === 'simulated' ? 'simulated' : 'process', readies, running };
}
