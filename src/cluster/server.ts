// `keelson server` as a library: the whole control plane in one process, started in dependency
// order (store -> apiserver -> the rest, DESIGN principle 5). Every component other than the
// apiserver is a client of the API, exactly as when run as separate processes; only the transport
// is local.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type StartOptions } from '../apiserver/index.js';
import { loadKubeconfig, type ClientConfig } from '../client/kubeconfig.js';
import { ensureServingCert } from '../auth/pki/cluster-pki.js';
import { hostAddresses } from '../apiserver/serving.js';
import { ensureEtcdPki, type EtcdPki } from '../auth/pki/etcd-pki.js';
import { componentConfig, controllerManagerIdentity, kubeletIdentity, schedulerIdentity } from './credentials.js';
import { isAlreadyExists, isNotFound, RestClient } from '../client/rest-client.js';
import { LOCAL_PATH_PROVISIONER } from '../controllers/persistentvolume/controller.js';
import { ControllerManager } from '../controllers/manager.js';
import { ClusterDns, clusterDnsIP, DEFAULT_CLUSTER_DOMAIN } from '../dns/index.js';
import { startKubelet, startSimulatedNodes, type KubeletOptions } from '../kubelet/index.js';
import { bootContainerd, startCriNode } from './cri-node.js';
import { ownNodePodCidr } from './own-pod-cidr.js';
import { containerdAvailable } from '../kubelet/runtime/cri/containerd.js';
import { hostIPv4 } from '../kubelet/node-status.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { ComponentChecks } from '../apiserver/registry/core/componentstatuses/checks.js';
import { startEtcdServer } from '../storage/etcd-server/index.js';
import { openMvccStore } from '../storage/mvcc/index.js';
import { logger } from '../util/log.js';
import { startProxy } from '../proxy/index.js';
import { publishClusterInfo } from './cluster-info.js';
import { caCertHash } from '../auth/pki/csr.js';
import { ensureJoinToken } from './join-token.js';
import { advertiseAddress } from '../apiserver/serving.js';

export interface ServerOptions extends StartOptions {
  dataDir: string;
  /** Where the embedded store answers etcdctl; empty = not served. */
  etcdListenClientUrls?: string[];
  /** Components not to run: scheduler, controller-manager, coredns, kube-proxy. */
  disable?: string[];
  /** Run no kubelet on this machine (control plane only). */
  disableAgent?: boolean;
  /** This node's name (default: the host name). */
  nodeName?: string;
  /** Container runtime of this node's kubelet. `cri` starts our own containerd (cri-node.ts); it
   * falls back to `process` when containerd cannot run here. */
  runtime?: 'process' | 'simulated' | 'cri' | 'auto';
  /** Process runtime: a network namespace per pod (kubelet --pod-netns), IPs from the node's
   * spec.podCIDR (node IPAM). Default on (as root with the CNI plugins); false = host network. */
  podNetns?: boolean;
  /** Process runtime: the bridge of the pods' veths (default keelson0). */
  podNetworkBridge?: string;
  /** Simulated nodes (sim-0 ... sim-<n-1>) run in this process. */
  simulatedNodes?: number;
  /** This node's kubelet server port (default 0: a free port, advertised in the Node). */
  kubeletPort?: number;
  /** The kubelet's static pod manifests (default <data-dir>/manifests, created; "" = none). */
  podManifestPath?: string;
  /** Port of cluster DNS on the node's address (default 53; a free one when 53 is taken or not
   * root: the kube-dns EndpointSlice carries the real one). `disable: ['coredns']` turns DNS off. */
  clusterDnsPort?: number;
  /** The cluster domain DNS serves (default cluster.local). */
  clusterDomain?: string;
  controllerOptions?: Record<string, number | string | boolean | undefined>;
  /** This node's kubelet image garbage collection (kubelet's --image-gc-* flags). */
  imageGC?: KubeletOptions['imageGC'];
  /** The components reach the apiserver over in-memory connections (default true; false = over
   * TCP and TLS to its secure port, as separate processes do). */
  inProcessTransport?: boolean;
}

export interface RunningServer {
  url: string;
  kubeconfigPath?: string;
  etcdUrls: string[];
  /** etcdctl's TLS files for the store's https:// URLs. */
  etcdPki?: EtcdPki;
  /** kubeadm's CA pin for joining nodes (`keelson agent --ca-cert-hash`). */
  caCertHash?: string;
  /** The join token kept in <data-dir>/token and the URL agents join (join-token.ts). */
  joinToken?: string;
  joinUrl?: string;
  /** Resolves when every component is ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** A default StorageClass served by the local-path provisioner, as k3s ships one. */
async function ensureDefaultStorageClass(c: RestClient): Promise<void> {
  const sc = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
  await c.post('/apis/storage.k8s.io/v1/storageclasses', sc).catch((e) => {
    if (!isAlreadyExists(e)) throw e;
  });
}

/** True when the default namespace has no default ServiceAccount yet (a new cluster). */
async function defaultServiceAccountMissing(c: RestClient): Promise<boolean> {
  try {
    await c.get('/api/v1/namespaces/default/serviceaccounts/default');
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  } finally {
    c.close();
  }
}

async function ownPodCidr(c: RestClient, clusterCidr: string, maskSize: number): Promise<string | undefined> {
  try {
    return await ownNodePodCidr(c, clusterCidr, maskSize);
  } finally {
    c.close();
  }
}

/** How long the other components wait for this node's registration before starting anyway. */
const REGISTRATION_WAIT_MS = 3000;

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = logger('server');
  const disabled = new Set(opts.disable ?? []);
  // containerd needs nothing from the control plane: boot it first, beside the store's and the
  // apiserver's start (awaited where the kubelet starts; stopped again if the control plane fails
  // to come up). On a restart it takes longer to answer than the apiserver (it recovers its
  // state), so it starts before the store opens.
  const wantCri = !opts.disableAgent && (opts.runtime === 'cri' || ((opts.runtime ?? 'auto') === 'auto' && containerdAvailable().ok));
  const criBoot = wantCri ? bootContainerd({ dataDir: opts.dataDir, log }) : undefined;
  criBoot?.catch(() => undefined);
  const controlPlane = async () => {
    const store = opts.etcdServers?.length ? undefined : await openMvccStore({ dataDir: join(opts.dataDir, 'store') });
    // The embedded store for etcdctl: https:// URLs with the kubeadm etcd certificates and
    // client-certificate authentication (etcd-pki.ts); http:// when asked for (loopback debugging).
    const etcdUrls = opts.etcdListenClientUrls ?? [];
    const etcdPki = store && etcdUrls.some((u) => u.startsWith('https://')) ? await ensureEtcdPki(opts.dataDir, hostAddresses('0.0.0.0')) : undefined;
    const etcdTls = etcdPki && { certFile: etcdPki.certFile, keyFile: etcdPki.keyFile, trustedCaFile: etcdPki.caFile, clientCertAuth: true };
    const etcd = store && etcdUrls.length ? await startEtcdServer({ store, listenClientUrls: etcdUrls, dataDir: join(opts.dataDir, 'etcd'), tls: etcdTls }) : undefined;
    const api = await startApiServer({ ...opts, store });
    await api.ready;
    return { store, etcdUrls, etcdPki, etcd, api };
  };
  const { store, etcdUrls, etcdPki, etcd, api } = await controlPlane().catch(async (e) => {
    await criBoot?.then((b) => b?.stop()).catch(() => undefined);
    throw e;
  });
  const ac = new AbortController();
  // Each component as its own user (kubeadm's per-component kubeconfigs; see credentials.ts),
  // over in-memory connections to the apiserver (client/in-process.ts): still the REST API with
  // its authentication, authorization and admission, without a TCP socket and TLS handshake per
  // connection, which cost the first start some 0.5 s of the one event loop.
  const transport = opts.inProcessTransport === false ? undefined : api.loopback;
  const admin = (): ClientConfig => (api.kubeconfigPath ? loadKubeconfig(api.kubeconfigPath) : { server: api.url });
  const client = (agent: string, config: ClientConfig = admin()) => new RestClient({ ...config, transport, qps: 5000, burst: 10000, userAgent: agent });
  let joinToken: string | undefined;
  let joinUrl: string | undefined;
  const caCert = api.caCert;
  // kube-public/cluster-info for `keelson agent` (kubeadm's token discovery; see cluster-info.ts)
  // and the join token: started once this node is registered, beside the other components'
  // start, and awaited before startServer returns.
  const publishJoin = async (): Promise<void> => {
    if (!caCert) return;
    const c = client('keelson-server');
    const host = advertiseAddress({ bindAddress: opts.bindAddress ?? '0.0.0.0', advertiseAddress: opts.advertiseAddress });
    joinUrl = `https://${host.includes(':') ? `[${host}]` : host}:${api.port}`;
    try {
      await publishClusterInfo(c, joinUrl, caCert);
      joinToken = await ensureJoinToken(c, opts.dataDir);
    } finally {
      c.close();
    }
  };
  const readies: Promise<void>[] = [];
  const running: Promise<void>[] = [];
  const clients: RestClient[] = [];
  // What issue 7 calls Ready gates the order: this node (the kubelet registers it) and the
  // default ServiceAccounts (the controller manager's serviceaccount controller makes them; they
  // gate every pod, by ServiceAccount admission). On a new cluster the kubelet and the controller
  // manager start together (their certificates issued together); on a restart the
  // ServiceAccounts exist, and the controller manager waits for the node's registration (its
  // status is written then) like the scheduler, DNS, proxy and the rest. All share this process
  // and its event loop: what starts later does not delay them.
  const nodeName = opts.nodeName ?? hostname().toLowerCase();
  const runKubelet = !opts.disableAgent;
  const runControllers = !disabled.has('controller-manager');
  const clusterCIDR = String(opts.controllerOptions?.clusterCidr ?? '10.244.0.0/16');
  const [kubeletConfig, controllersConfig, serving, newCluster, podCIDR] = await Promise.all([
    runKubelet ? componentConfig(api, opts.dataDir, kubeletIdentity(nodeName)) : undefined,
    runControllers ? componentConfig(api, opts.dataDir, controllerManagerIdentity) : undefined,
    runKubelet && api.pkiDir ? ensureServingCert(api.pkiDir, 'kubelet-serving', `system:node:${nodeName}`, [nodeName, 'localhost', '127.0.0.1', ...hostAddresses('0.0.0.0')]) : undefined,
    defaultServiceAccountMissing(client('keelson-server')),
    // This node's pod range when it is the cluster's first (the node IPAM runs in this process).
    runKubelet && runControllers ? ownPodCidr(client('keelson-server'), clusterCIDR, Number(opts.controllerOptions?.nodeCidrMaskSize ?? 24)) : undefined,
  ]);
  let registered: Promise<unknown> = Promise.resolve();
  if (kubeletConfig) {
    const c = client('keelson-kubelet', kubeletConfig);
    clients.push(c);
    // cri: our own containerd under <data-dir>/containerd, or the process runtime when it cannot run here.
    // auto (the default): real containers when this machine can run them (root, containerd).
    if (opts.runtime === 'auto' && !wantCri) log.info({ reason: (containerdAvailable() as { reason?: string }).reason }, 'runtime auto: using the process runtime');
    const cri = criBoot ? await startCriNode({ dataDir: opts.dataDir, nodeName, client: c, log, signal: ac.signal, boot: criBoot, podCIDR, bridge: opts.podNetworkBridge }) : undefined;
    const runtime = cri?.runtime ?? (opts.runtime === 'simulated' ? 'simulated' : 'process');
    const k = startKubelet({
      client: c,
      nodeName,
      runtime,
      rootDir: join(opts.dataDir, 'kubelet'),
      port: opts.kubeletPort ?? 0,
      tls: { serving },
      clusterDNS: disabled.has('coredns') ? [] : [clusterDnsIP(opts.serviceClusterIPRange ?? '10.96.0.0/12')],
      clusterDomain: opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
      podManifestPath: staticPodDir(opts),
      imageGC: opts.imageGC,
      registerPodCIDR: podCIDR,
      ...(runtime === 'process' ? { podNetwork: opts.podNetns === false ? false : { bridge: opts.podNetworkBridge } } : {}),
    });
    running.push(
      k
        .start(ac.signal)
        .catch((e) => log.error({ err: (e as Error).message }, 'kubelet stopped'))
        .then(() => cri?.stop()),
    );
    readies.push(k.ready);
    registered = k.registered.catch(() => undefined);
  }
  const afterRegistration = async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([registered, new Promise((r) => (timer = setTimeout(r, REGISTRATION_WAIT_MS)))]);
    clearTimeout(timer);
  };
  if (controllersConfig) {
    if (!newCluster) await afterRegistration();
    const c = client('keelson-controller-manager', controllersConfig);
    clients.push(c);
    // As kubeadm: the bootstrap token controllers on, and the cluster CA signs approved CSRs.
    const signing = api.pkiDir ? { clusterSigningCertFile: join(api.pkiDir, 'ca.crt'), clusterSigningKeyFile: join(api.pkiDir, 'ca.key') } : {};
    const cm = new ControllerManager({ client: c, leaderElect: false, controllers: ['*', 'bootstrapsigner', 'tokencleaner'], options: { localPathDir: join(opts.dataDir, 'storage'), serviceAccountPrivateKeyFile: join(opts.dataDir, 'pki', 'sa.key'), ...signing, ...opts.controllerOptions } });
    running.push(inProcessHealth(api.componentStatuses, 'controller-manager', cm.start(ac.signal)).catch((e) => log.error({ err: (e as Error).message }, 'controller manager stopped')));
    readies.push(cm.ready);
  }
  // The rest once this node is registered (or after a bound, should that take long): on a
  // restart the node's status is written after its registration, and the informers of the
  // scheduler, DNS and proxy would otherwise queue ahead of it.
  await afterRegistration();
  // The cluster's own objects (awaited before startServer returns): the join information and the
  // default StorageClass.
  const bootstrapClient = client('keelson-server');
  const published = Promise.all([publishJoin(), runControllers ? ensureDefaultStorageClass(bootstrapClient) : undefined]).finally(() => bootstrapClient.close());
  published.catch(() => undefined);
  if (!disabled.has('scheduler')) {
    const c = client('keelson-scheduler', await componentConfig(api, opts.dataDir, schedulerIdentity));
    clients.push(c);
    const s = new Scheduler({ client: c, leaderElect: false });
    running.push(inProcessHealth(api.componentStatuses, 'scheduler', s.start(ac.signal)).catch((e) => log.error({ err: (e as Error).message }, 'scheduler stopped')));
    readies.push(s.ready);
  }
  if (!disabled.has('coredns')) {
    // Cluster DNS (CoreDNS' place) as the admin user, like the simulated nodes.
    const c = client('keelson-cluster-dns');
    clients.push(c);
    const dns = new ClusterDns({ client: c, listenHost: hostIPv4(), port: opts.clusterDnsPort ?? 53, clusterDomain: opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, serviceIP: clusterDnsIP(opts.serviceClusterIPRange ?? '10.96.0.0/12'), nodeName });
    running.push(dns.start(ac.signal).catch((e) => log.error({ err: (e as Error).message }, 'cluster DNS stopped')));
    readies.push(dns.ready.catch(() => undefined));
  }
  if (!opts.disableAgent && !disabled.has('kube-proxy')) {
    // The service proxy: nftables when root with nft installed, else userspace (NodePorts only).
    const c = client('keelson-proxy', await componentConfig(api, opts.dataDir, { name: 'kube-proxy', user: 'system:kube-proxy' }));
    clients.push(c);
    const p = await startProxy({ client: c, nodeName, clusterCIDR }, ac.signal);
    running.push(p.done.catch((e) => log.error({ err: (e as Error).message }, 'proxy stopped')));
  }
  if (opts.simulatedNodes) {
    const c = client('keelson-simulated-nodes');
    clients.push(c);
    const sim = startSimulatedNodes({ client: c, count: opts.simulatedNodes, prefix: 'sim', rootDir: join(opts.dataDir, 'simulated') });
    running.push(sim.start(ac.signal).catch((e) => log.error({ err: (e as Error).message }, 'simulated nodes stopped')));
    readies.push(sim.ready);
  }
  const server: RunningServer = {
    url: api.url,
    kubeconfigPath: api.kubeconfigPath,
    etcdUrls,
    etcdPki,
    caCertHash: api.caCert ? caCertHash(api.caCert) : undefined,
    joinUrl,
    ready: Promise.all(readies).then(() => undefined),
    async close() {
      ac.abort();
      await Promise.race([Promise.all(running), new Promise((r) => setTimeout(r, 2000))]);
      for (const c of clients) c.close();
      await api.close();
      await etcd?.close();
      await store?.close();
    },
  };
  try {
    await published;
  } catch (e) {
    await server.close();
    throw e;
  }
  server.joinToken = joinToken;
  return server;
}

/** The static pod directory of this node's kubelet (k3s: agent/pod-manifests), made if missing. */
function staticPodDir(opts: ServerOptions): string | undefined {
  const dir = opts.podManifestPath ?? join(opts.dataDir, 'manifests');
  if (dir) mkdirSync(dir, { recursive: true });
  return dir || undefined;
}

/**
 * `kubectl get componentstatuses` for a component running in this process (it has no health
 * port of its own to probe): healthy while `running` has not settled, then the reason it stopped.
 */
function inProcessHealth(checks: ComponentChecks, name: string, running: Promise<void>): Promise<void> {
  let stopped: string | undefined;
  checks.set(name, async () => (stopped === undefined ? { status: 'True', message: 'ok' } : { status: 'False', message: `${name} is not running: ${stopped}` }));
  return running.then(
    () => void (stopped = 'stopped'),
    (e) => {
      stopped = (e as Error).message;
      throw e;
    },
  );
}
