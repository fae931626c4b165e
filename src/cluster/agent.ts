// `keelson agent` as a library (k3s' agent, kubeadm join + kubelet): join a cluster with a
// bootstrap token and run this machine's node. On first start: discover the cluster CA from
// kube-public/cluster-info (cluster-info.ts: the token's JWS, optionally a pinned CA hash), then
// the kubelet's TLS bootstrap (tls-bootstrap.ts) writes <data-dir>/kubelet.kubeconfig. Later
// starts find that file and skip the join. Then the kubelet (as system:node:<name>), the service
// proxy and, with --runtime cri, our own containerd under <data-dir>/containerd (node.ts).
// Divergence: the proxy uses the node's credentials (see rbac/bootstrap/bindings.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { logger } from '../util/log.js';
import { discoverCluster } from './cluster-info.js';
import { startNodeComponents } from './node.js';
import { tlsBootstrap } from './tls-bootstrap.js';

export interface AgentOptions {
  /** https://HOST:PORT of the apiserver. */
  server?: string;
  /** Bootstrap token "<id>.<secret>" (needed only to join). */
  token?: string;
  /** kubeadm's --discovery-token-ca-cert-hash pins ("sha256:<hex>"). */
  caCertHashes?: string[];
  dataDir: string;
  nodeName?: string;
  runtime?: 'process' | 'cri';
  nodeIP?: string;
  clusterCIDR?: string;
  kubeletPort?: number;
  /** The cluster DNS Service IP for pods (default 10.96.0.10; [] = none) and domain. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** Process runtime: a network namespace per pod (default on as root; false = host network). */
  podNetns?: boolean;
  /** Run no service proxy on this node. */
  disableProxy?: boolean;
  /** Renew the kubelet's client certificate through CSRs before it expires (default true). */
  rotateCertificates?: boolean;
  /** How long to keep trying discovery and the CSR (default 5 minutes). */
  joinTimeoutMs?: number;
}

export interface RunningAgent {
  nodeName: string;
  kubeconfigPath: string;
  runtime: 'process' | 'simulated' | 'cri';
  /** Resolves when the kubelet (and proxy) are ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Join (unless already joined): writes <dataDir>/kubelet.kubeconfig. */
export async function joinCluster(o: AgentOptions & { nodeName: string; signal?: AbortSignal }): Promise<string> {
  const log = logger('agent');
  const kubeconfigPath = join(o.dataDir, 'kubelet.kubeconfig');
  if (existsSync(kubeconfigPath)) {
    log.info({ kubeconfig: kubeconfigPath }, 'already joined: using the existing kubelet kubeconfig');
    return kubeconfigPath;
  }
  if (!o.server || !o.token) throw new Error(`${kubeconfigPath} does not exist: --server and --token are needed to join a cluster`);
  const end = Date.now() + (o.joinTimeoutMs ?? 300_000);
  let found;
  for (;;) {
    try {
      found = await discoverCluster(o.server, o.token, o.caCertHashes);
      break;
    } catch (e) {
      if (Date.now() > end || o.signal?.aborted) throw new Error(`cluster discovery at ${o.server} failed: ${(e as Error).message}`, { cause: e });
      log.info({ err: (e as Error).message }, 'cluster discovery: retrying');
      await sleep(1000);
    }
  }
  if (!o.caCertHashes?.length) log.warn('the cluster CA is trusted on the token signature alone (no --ca-cert-hash pin)');
  log.info({ server: o.server, verifiedBy: found.verifiedBy }, 'cluster CA discovered');
  await tlsBootstrap({ server: o.server, caCert: found.caCert, token: o.token, nodeName: o.nodeName, kubeconfigPath, timeoutMs: Math.max(end - Date.now(), 30_000), signal: o.signal, log: (m) => log.info(m) });
  return kubeconfigPath;
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const log = logger('agent');
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const ac = new AbortController();
  const kubeconfigPath = await joinCluster({ ...o, nodeName, signal: ac.signal });
  const config = loadKubeconfig(kubeconfigPath);
  const kubeletClient = new RestClient({ ...config, qps: 50, burst: 100, userAgent: 'keelson-kubelet' });
  const proxyClient = o.disableProxy ? undefined : new RestClient({ ...config, qps: 50, burst: 100, userAgent: 'keelson-proxy' });
  const node = await startNodeComponents({ dataDir: o.dataDir, nodeName, runtime: o.runtime ?? 'process', kubeletClient, proxyClient, clusterCIDR: o.clusterCIDR, kubeletPort: o.kubeletPort ?? 0, nodeIP: o.nodeIP, clusterDNS: o.clusterDNS ?? ['10.96.0.10'], clusterDomain: o.clusterDomain, rotateCertificates: o.rotateCertificates ?? true, podNetns: o.podNetns, log, signal: ac.signal });
  return {
    nodeName,
    kubeconfigPath,
    runtime: node.runtime,
    ready: Promise.all(node.readies).then(() => undefined),
    async close() {
      ac.abort();
      await Promise.race([Promise.all(node.running), sleep(5000)]);
      kubeletClient.close();
      proxyClient?.close();
    },
  };
}
