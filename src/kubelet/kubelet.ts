// The kubelet: one or many nodes (NodeAgent) in one process, one shared pod informer for all of
// them (pods with spec.nodeName set, indexed by node; a single node watches with the field
// selector spec.nodeName=<node>), and the runtime each node uses. `startKubelet` runs one node
// on a chosen runtime; `startSimulatedNodes` runs N simulated nodes named <prefix>-0..N-1 whose
// heartbeats are spread over the renew interval. Both follow DESIGN principle 5:
// `start(signal)` runs until the signal aborts, `ready` resolves once nodes are registered and
// the pod informer has synced.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { EventRecorder } from '../client/event-recorder.js';
import { Informer } from '../client/informer.js';
import { RestClient, type KObject } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { logger, type Logger } from '../util/log.js';
import { NodeAgent } from './node-agent.js';
import { hostIPv4, type NodeConfig } from './node-status.js';
import { ProcessRuntime } from './runtime/process/runtime.js';
import { missingCniPlugins, ProcessPodNetwork } from './runtime/process/pod-network.js';
import { startPodRouteSync } from './network/pod-route-sync.js';
import { SimulatedRuntime } from './runtime/simulated/runtime.js';
import { StatsProvider } from './server/stats.js';
import { KubeletServer } from './server/server.js';
import { KubeletAuthorizer } from './server/auth.js';
import { readResolvConf } from '../dns/resolv-conf.js';
import { kubeletTls, type KubeletTlsOptions } from './server/serving-cert.js';
import type { ContainerRuntime } from './runtime/types.js';
import { ImageGCManager, type ImageGCPolicy } from './images/gc.js';
import { ContainerGC } from './container-gc.js';
import { CertFileStore } from './certificate/cert-store.js';
import { CertificateManager } from './certificate/manager.js';
import { KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING } from '../controllers/certificates/csr-util.js';
import { createCsr } from '../auth/pki/csr.js';

export interface KubeletTimings {
  /** --node-status-update-frequency (default 10 s). */
  nodeStatusUpdateFrequencyMs?: number;
  /** --node-status-report-frequency (default 5 min). */
  nodeStatusReportFrequencyMs?: number;
  /** Lease renew interval (default 10 s) and duration (default 40 s). */
  leaseRenewIntervalMs?: number;
  leaseDurationSeconds?: number;
  /** Crash-loop back-off: first delay (10 s) and cap (5 min). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export interface KubeletOptions extends KubeletTimings {
  client: RestClient;
  nodeName: string;
  runtime: 'process' | 'simulated' | ContainerRuntime;
  rootDir: string;
  maxPods?: number;
  labels?: Record<string, string>;
  taints?: NodeConfig['taints'];
  /** Simulated runtime: delay to Running and job duration. */
  simulated?: { startDelayMs?: number; completeAfterMs?: number };
  /** Record pod events (default true). */
  events?: boolean;
  /** The kubelet server's port (--port, default 10250; 0 = a free port), on the node's
   * InternalIP (--address overrides). Not served for the simulated runtime. */
  port?: number;
  address?: string;
  /** The node's InternalIP (kubelet --node-ip; default: the host's first IPv4). */
  nodeIP?: string;
  /** The kubelet server's TLS (--tls-cert-file, --tls-private-key-file, --client-ca-file; a
   * serving certificate made by `keelson server`); default: self-signed, see serving-cert.ts. */
  tls?: Pick<KubeletTlsOptions, 'tlsCertFile' | 'tlsPrivateKeyFile' | 'clientCaFile' | 'serving'>;
  /** --cluster-dns (the kube-dns Service IP) and --cluster-domain (default cluster.local): pods
   * with dnsPolicy ClusterFirst resolve through them; the host's /etc/resolv.conf adds searches. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** --pod-manifest-path: a directory of static pod manifests (mirror pods in the API). */
  podManifestPath?: string;
  /** --file-check-frequency: how often the manifest directory is rescanned (default 20 s). */
  fileCheckFrequencyMs?: number;
  /** Process runtime, as root with the CNI plugins: a network namespace per pod (the default;
   * `false` = --pod-netns=false, pods share the host network) on the CNI bridge
   * (--pod-network-bridge, default keelson0) with IPs from --pod-cidr, else Node.spec.podCIDR;
   * the node then also keeps routes to the other nodes' pod CIDRs (network/pod-route-sync.ts).
   * Without root or the plugins, pods share the host network (with a warning). */
  podNetwork?: { podCIDR?: string; bridge?: string } | false;
  /** spec.podCIDR of the Node when this kubelet creates it (an existing Node keeps its own):
   * `keelson server` gives its own node on a new cluster the range the node IPAM controller
   * would (cluster/own-pod-cidr.ts), so the pod network is configured before the node registers. */
  registerPodCIDR?: string;
  /** Image garbage collection (runtimes with images: cri): --image-gc-high-threshold,
   * --image-gc-low-threshold, --image-minimum-gc-age, --image-maximum-gc-age, and how often it
   * runs (kubelet: 5 min). */
  imageGC?: Partial<ImageGCPolicy> & { periodMs?: number };
  /** --rotate-certificates: renew the kubeconfig's client certificate through CSRs before it
   * expires (certificate/manager.ts); the pairs go to --cert-dir (default <root-dir>/pki). */
  rotateCertificates?: boolean;
  certDir?: string;
  /** --rotate-server-certificates: the kubelet server's certificate is requested (and renewed)
   * through kubernetes.io/kubelet-serving CSRs, which an administrator approves (kube does not
   * auto-approve them); until one is issued the server keeps its configured or self-signed one. */
  rotateServerCertificates?: boolean;
  /** How often sandboxes and log directories of pods gone from this node are removed
   * (container-gc.ts; kubelet: every minute). Runtimes whose sandboxes outlive the kubelet. */
  containerGCPeriodMs?: number;
}

/** Something the kubelet runs in the background once its node is registered (image GC...). */
interface Background {
  start(): void;
  stop(): Promise<void>;
}

export interface SimulatedNodesOptions extends KubeletTimings {
  client: RestClient;
  count: number;
  /** Node names are `<prefix>-<n>` (default "sim"). */
  prefix?: string;
  rootDir?: string;
  maxPods?: number;
  labels?: Record<string, string>;
  taints?: NodeConfig['taints'];
  simulated?: { startDelayMs?: number; completeAfterMs?: number };
  /** Concurrent registrations at start (default 32). */
  registerConcurrency?: number;
}

export interface RunningKubelet {
  readonly nodes: NodeAgent[];
  /** Resolves once every node is registered (its status written, heartbeats begun), before the
   * pod informer syncs; rejects when start() fails first. */
  readonly registered: Promise<void>;
  readonly ready: Promise<void>;
  start(signal: AbortSignal): Promise<void>;
}

class Kubelet implements RunningKubelet {
  readonly nodes: NodeAgent[];
  private readonly byName = new Map<string, NodeAgent>();
  readonly ready: Promise<void>;
  readonly registered: Promise<void>;
  private readyResolve!: () => void;
  private readyReject!: (e: unknown) => void;
  private registeredResolve!: () => void;
  private registeredReject!: (e: unknown) => void;
  private readonly log: Logger;

  constructor(
    private readonly client: RestClient,
    nodes: NodeAgent[],
    private readonly fieldSelector: string,
    private readonly concurrency: number,
    private readonly runtimes: ContainerRuntime[],
    private readonly heartbeatClient: RestClient,
    private readonly server?: { srv: KubeletServer; node: NodeConfig },
    private readonly background: Background[] = [],
  ) {
    this.nodes = nodes;
    for (const n of nodes) this.byName.set(n.name, n);
    this.log = logger('kubelet');
    this.ready = new Promise((res, rej) => {
      this.readyResolve = res;
      this.readyReject = rej;
    });
    this.ready.catch(() => undefined);
    this.registered = new Promise((res, rej) => {
      this.registeredResolve = res;
      this.registeredReject = rej;
    });
    this.registered.catch(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    try {
      if (this.server) {
        // Listen first: the port is advertised in the Node's daemonEndpoints.
        this.server.node.kubeletPort = await this.server.srv.listen();
        this.log.info({ port: this.server.node.kubeletPort, tls: this.server.srv.secure }, this.server.srv.secure ? 'kubelet server listening (HTTPS, client certificates authorized by the apiserver)' : 'kubelet server listening (plain HTTP, no authentication)');
      }
      // Static pods run from their manifests at once, whether or not the apiserver answers.
      await Promise.all(this.nodes.map((n) => n.startStaticPods()));
      // Register nodes with bounded concurrency.
      let next = 0;
      const registerOne = async (): Promise<void> => {
        while (next < this.nodes.length && !signal.aborted) {
          const n = this.nodes[next++];
          for (let attempt = 0; !signal.aborted; attempt++) {
            try {
              await n.register();
              break;
            } catch (e) {
              this.log.warn({ node: n.name, err: (e as Error).message }, 'node registration failed, retrying');
              await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
            }
          }
          n.startHeartbeats();
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, this.nodes.length) }, registerOne));
      this.log.info({ nodes: this.nodes.length }, 'nodes registered');
      this.registeredResolve();
      const pods = new Informer<KObject>(this.client, Resources.pods, { fieldSelector: this.fieldSelector });
      const dispatch = (pod: KObject) => this.byName.get(pod.spec?.nodeName)?.podUpdated(pod);
      pods.addEventHandler({
        onAdd: dispatch,
        onUpdate: (_o, n) => dispatch(n),
        onDelete: (pod) => this.byName.get(pod.spec?.nodeName)?.podDeleted(pod),
      });
      const run = pods.run(signal);
      await Promise.race([pods.synced, run]);
      this.readyResolve();
      for (const b of this.background) b.start();
      await run;
    } catch (e) {
      this.registeredReject(e);
      this.readyReject(e);
      throw e;
    } finally {
      await this.server?.srv.close();
      await Promise.all(this.background.map((b) => b.stop()));
      await Promise.all(this.nodes.map((n) => n.stop()));
      await Promise.all(this.runtimes.map((r) => r.close()));
      this.heartbeatClient.close();
    }
  }
}

const defaults = (t: KubeletTimings) => ({
  nodeStatusUpdateFrequencyMs: t.nodeStatusUpdateFrequencyMs ?? 10_000,
  nodeStatusReportFrequencyMs: t.nodeStatusReportFrequencyMs ?? 5 * 60_000,
  leaseRenewIntervalMs: t.leaseRenewIntervalMs ?? 10_000,
  leaseDurationSeconds: t.leaseDurationSeconds ?? 40,
  backoffInitialMs: t.backoffInitialMs ?? 10_000,
  backoffMaxMs: t.backoffMaxMs ?? 5 * 60_000,
});

/** One kubelet for one node on the process or simulated runtime (or a given runtime). */
export function startKubelet(o: KubeletOptions): RunningKubelet {
  const log = logger('kubelet');
  mkdirSync(o.rootDir, { recursive: true });
  const simulated = o.runtime === 'simulated';
  const podNetwork = o.runtime === 'process' ? processPodNetwork(o, log) : undefined;
  const runtime: ContainerRuntime =
    o.runtime === 'simulated' ? new SimulatedRuntime({ ...o.simulated, allocateIp: simIpAllocator(hashIndex(o.nodeName)) }) : o.runtime === 'process' ? new ProcessRuntime({ log, podNetwork }) : o.runtime;
  const internalIP = simulated ? simNodeIp(hashIndex(o.nodeName)) : (o.nodeIP ?? hostIPv4());
  const heartbeatClient = heartbeat(o.client);
  const node: NodeConfig = { name: o.nodeName, labels: o.labels, taints: o.taints, maxPods: o.maxPods ?? 110, simulated, rootDir: o.rootDir, internalIP, runtimeName: runtime.runtimeName, runtimeVersion: runtime.runtimeVersion, podCIDR: o.registerPodCIDR };
  const events = o.events === false ? undefined : new EventRecorder(o.client, { component: 'kubelet', host: o.nodeName });
  const agent = new NodeAgent({
    client: o.client,
    heartbeatClient,
    events,
    runtime,
    log,
    node,
    dns: simulated ? undefined : { clusterDNS: o.clusterDNS ?? [], clusterDomain: o.clusterDomain ?? 'cluster.local', hostResolvConf: readResolvConf() },
    podManifestPath: o.podManifestPath,
    fileCheckFrequencyMs: o.fileCheckFrequencyMs,
    ...defaults(o),
  });
  // The kubelet server (logs, exec) for a node with real containers: HTTPS, clients
  // authenticated by certificate and authorized by the apiserver (server/auth.ts).
  const address = o.address ?? internalIP;
  const hosts = [address, internalIP].filter((a) => a && a !== '0.0.0.0');
  const servingStore = o.rotateServerCertificates && !simulated ? new CertFileStore(o.certDir ?? join(o.rootDir, 'pki'), 'kubelet-server') : undefined;
  const rotatedServing = servingStore?.current();
  const tls = () => kubeletTls({ rootDir: o.rootDir, nodeName: o.nodeName, hosts, kubeconfigCa: o.client.config.ca, ...o.tls, ...(rotatedServing ? { serving: rotatedServing } : {}) });
  const authorizer = new KubeletAuthorizer(o.client, o.nodeName);
  const srv = simulated ? undefined : new KubeletServer({ address, port: o.port ?? 10250, runtime, findPod: (ns, name) => agent.findPod(ns, name), log, tls, authorizer, pods: () => agent.podViews(), stats: new StatsProvider({ nodeName: o.nodeName, runtime, pods: () => agent.podViews() }) });
  const background: Background[] = [];
  const gcService = runtime.imageGCService?.();
  if (gcService) {
    // Events about the Node carry its name as uid, as the kubelet's nodeRef does.
    const nodeRef = { apiVersion: 'v1', kind: 'Node', metadata: { name: o.nodeName, uid: o.nodeName } };
    const gc = new ImageGCManager({ service: gcService, policy: o.imageGC, log: logger('image-gc'), nodeEvent: (type, reason, message) => events?.event(nodeRef, type, reason, message) });
    background.push({ start: () => gc.start(o.imageGC?.periodMs), stop: () => gc.stop() });
  }
  if (runtime.listPodSandboxes) {
    const nodeRef = { apiVersion: 'v1', kind: 'Node', metadata: { name: o.nodeName, uid: o.nodeName } };
    const cgc = new ContainerGC({ runtime, nodeName: o.nodeName, rootDir: o.rootDir, activePods: () => new Set(agent.podViews().map((v) => v.pod.metadata.uid)), log: logger('container-gc'), nodeEvent: (type, reason, message) => events?.event(nodeRef, type, reason, message) });
    background.push({ start: () => cgc.start(o.containerGCPeriodMs), stop: () => cgc.stop() });
  }
  if (podNetwork) {
    // host-gw, as the cri runtime's node does: routes to the other nodes' pod CIDRs via their
    // InternalIPs, so a pod here reaches a pod there by its IP (nodes share a link).
    const ac = new AbortController();
    background.push({ start: () => void startPodRouteSync({ client: o.client, nodeName: o.nodeName, log }, ac.signal), stop: async () => ac.abort() });
  }
  if (o.rotateCertificates) {
    const m = clientCertificateManager(o, [o.client, heartbeatClient], log);
    if (m) background.push({ start: () => m.start(), stop: async () => m.stop() });
  }
  if (servingStore && srv) {
    const ips = [...new Set(hosts.filter((h) => /^[\d.]+$|:/.test(h)))];
    const m = new CertificateManager({
      kind: 'server',
      client: () => o.client,
      nodeName: o.nodeName,
      signerName: KUBELET_SERVING,
      usages: ['digital signature', 'server auth'],
      store: servingStore,
      initial: rotatedServing,
      makeCsr: () => createCsr(`system:node:${o.nodeName}`, ['system:nodes'], { dnsNames: [o.nodeName], ipAddresses: ips }),
      onRotated: (p) => srv.setServingCertificate(p.cert, p.key),
      log: logger('certificate-manager'),
    });
    background.push({ start: () => m.start(), stop: async () => m.stop() });
  }
  return new Kubelet(o.client, [agent], `spec.nodeName=${o.nodeName}`, 1, [runtime], heartbeatClient, srv && { srv, node }, background);
}

/** The process runtime's per-pod networks, on by default when this kubelet can make them (root,
 * the CNI plugins); undefined (logged) when pods share the host network. The pod CIDR comes from
 * --pod-cidr, else is read from this node's spec.podCIDR (kept once set). */
function processPodNetwork(o: KubeletOptions, log: Logger): ProcessPodNetwork | undefined {
  if (process.getuid?.() !== 0) {
    log.warn('process runtime without root: containers are plain host processes sharing the host network (pod IP = host IP); no per-pod network namespace or resource limits');
    return undefined;
  }
  if (o.podNetwork === false) {
    log.info('process runtime: containers share the host network (pod IP = host IP) as --pod-netns=false asks');
    return undefined;
  }
  const missing = missingCniPlugins();
  if (missing.length) {
    log.warn({ missing }, `process runtime: the CNI plugins ${missing.join(', ')} are not installed (scripts/install-deps.sh, or the containernetworking-plugins package): containers share the host network (pod IP = host IP) instead of a network namespace per pod`);
    return undefined;
  }
  const net = o.podNetwork ?? {};
  log.info({ bridge: net.bridge ?? 'keelson0', podCIDR: net.podCIDR ?? 'Node.spec.podCIDR' }, 'process runtime: a network namespace per pod (CNI bridge, host-local IPAM); hostNetwork pods share the host network');
  let podCIDR = net.podCIDR;
  return new ProcessPodNetwork({
    rootDir: o.rootDir,
    bridge: net.bridge,
    podCIDR: async () => {
      if (!podCIDR) {
        const node = await o.client.get(resourcePath(Resources.nodes, undefined, o.nodeName)).catch(() => undefined);
        podCIDR = (node?.spec as { podCIDR?: string } | undefined)?.podCIDR;
      }
      return podCIDR;
    },
  });
}

/** --rotate-certificates: the client certificate from <cert-dir>/kubelet-client-current.pem
 * when a rotation left a valid one there (else the kubeconfig's), renewed before it expires and
 * handed to every client of the kubelet. */
function clientCertificateManager(o: KubeletOptions, clients: RestClient[], log: Logger): CertificateManager | undefined {
  const cfg = o.client.config;
  if (!cfg.cert || !cfg.key) {
    log.warn('--rotate-certificates: the kubeconfig has no client certificate, nothing to rotate');
    return undefined;
  }
  const store = new CertFileStore(o.certDir ?? join(o.rootDir, 'pki'), 'kubelet-client');
  const apply = (p: { cert: string; key: string }) => clients.forEach((c) => c.setClientCertificate(Buffer.from(p.cert), Buffer.from(p.key)));
  const stored = store.current();
  if (stored) {
    apply(stored);
    log.info({ file: store.currentPath }, 'using the rotated client certificate');
  }
  return new CertificateManager({
    kind: 'client',
    client: () => o.client,
    nodeName: o.nodeName,
    signerName: KUBE_APISERVER_CLIENT_KUBELET,
    usages: ['digital signature', 'client auth'],
    store,
    initial: stored ?? { cert: cfg.cert.toString(), key: cfg.key.toString() },
    onRotated: apply,
    log: logger('certificate-manager'),
  });
}

/** N simulated nodes sharing one pod informer; heartbeats spread over the renew interval. */
export function startSimulatedNodes(o: SimulatedNodesOptions): RunningKubelet {
  const log = logger('kubelet');
  const prefix = o.prefix ?? 'sim';
  const rootDir = o.rootDir ?? os.tmpdir();
  const t = defaults(o);
  const agents: NodeAgent[] = [];
  const runtimes: ContainerRuntime[] = [];
  const heartbeatClient = heartbeat(o.client);
  for (let i = 0; i < o.count; i++) {
    const runtime = new SimulatedRuntime({ ...o.simulated, allocateIp: simIpAllocator(i) });
    runtimes.push(runtime);
    agents.push(
      new NodeAgent({
        client: o.client,
        heartbeatClient,
        runtime,
        log,
        node: { name: `${prefix}-${i}`, labels: o.labels, taints: o.taints, maxPods: o.maxPods ?? 110, simulated: true, rootDir, internalIP: simNodeIp(i), runtimeName: runtime.runtimeName, runtimeVersion: runtime.runtimeVersion, podCIDR: simPodCidr(i) },
        ...t,
        phaseMs: Math.floor((i * t.leaseRenewIntervalMs) / Math.max(1, o.count)),
      }),
    );
  }
  return new Kubelet(o.client, agents, 'spec.nodeName!=', o.registerConcurrency ?? 32, runtimes, heartbeatClient);
}

/** A second connection pool for heartbeats (kubelet's heartbeat client), same credentials. */
function heartbeat(client: RestClient): RestClient {
  return new RestClient({ ...client.config, userAgent: `${client.config.userAgent ?? 'keelson-kubelet'}-heartbeat` });
}

/** Simulated node i: InternalIP 10.(64+i/250).(i%250).1 style addresses, pods from its /24. */
function simOctets(i: number): [number, number] {
  return [64 + Math.floor(i / 250), i % 250];
}
function simNodeIp(i: number): string {
  const [a, b] = simOctets(i);
  return `172.${16 + (a % 16)}.${b}.1`;
}
function simPodCidr(i: number): string {
  const [a, b] = simOctets(i);
  return `10.${a}.${b}.0/24`;
}
function simIpAllocator(i: number): () => string {
  const [a, b] = simOctets(i);
  let n = 0;
  return () => `10.${a}.${b}.${(n++ % 253) + 2}`;
}
function hashIndex(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % 10_000;
}
