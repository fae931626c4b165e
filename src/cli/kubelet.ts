// `keelson kubelet`: the node agent with the kubelet's flag names. `--runtime simulated
// --nodes N` runs N simulated nodes (<hostname-override>-0..N-1) in this one process.
import { join } from 'node:path';
import os from 'node:os';
import type { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { CriRuntime, startKubelet, startSimulatedNodes, type ContainerRuntime, type RunningKubelet } from '../kubelet/index.js';
import { parseLabels, parseTaints } from '../kubelet/node-status.js';
import { parseDuration } from '../util/duration.js';
import { startHealthServer } from '../util/health-server.js';
import { logger } from '../util/log.js';
import { imageGCFlags, imageGCOptions, type ImageGCFlags } from './image-gc-flags.js';
import { podNetnsFlags } from './pod-netns-flag.js';

interface Opts extends ImageGCFlags {
  kubeconfig?: string;
  hostnameOverride?: string;
  runtime: string;
  containerRuntimeEndpoint: string;
  nodes?: string;
  rootDir?: string;
  dataDir: string;
  nodeLabels?: string;
  registerWithTaints?: string;
  maxPods: string;
  nodeStatusUpdateFrequency: string;
  nodeStatusReportFrequency: string;
  nodeLeaseDurationSeconds: string;
  nodeLeaseRenewInterval: string;
  crashLoopBackoffInitial: string;
  crashLoopBackoffMax: string;
  simulatedStartDelay: string;
  simulatedJobDuration: string;
  healthzPort: string;
  port: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  clusterDns?: string;
  clusterDomain: string;
  address?: string;
  healthzBindAddress: string;
  kubeApiQps: string;
  kubeApiBurst: string;
  podManifestPath?: string;
  fileCheckFrequency: string;
  rotateCertificates?: boolean;
  certDir?: string;
  rotateServerCertificates?: boolean;
  containerGcPeriod: string;
  podNetns?: boolean;
  podCidr?: string;
  podNetworkBridge?: string;
}

export function register(program: Command): void {
  const cmd = podNetnsFlags(imageGCFlags(program.command('kubelet')), 'a network namespace per pod on the CNI bridge, IPs from the pod CIDR, routes to the other nodes\' pod CIDRs');
  cmd
    .description('run the node agent (kubelet): registers the node, keeps its lease, runs the pods bound to it')
    .option('--kubeconfig <file>', 'kubeconfig of the apiserver (default $KUBECONFIG)')
    .option('--hostname-override <name>', 'node name (with --nodes: the name prefix)', os.hostname().toLowerCase())
    .option('--runtime <kind>', 'container runtime: cri (containerd over CRI), process (host processes) or simulated (no processes, kwok-like)', 'process')
    .option('--container-runtime-endpoint <endpoint>', 'with --runtime cri: the CRI endpoint', 'unix:///run/containerd/containerd.sock')
    .option('--nodes <n>', 'with --runtime simulated: how many nodes to run in this process (named <prefix>-<n>; default: one node named --hostname-override)')
    .option('--data-dir <dir>', 'data directory (the root dir defaults to <data-dir>/kubelet)', join(process.cwd(), 'keelson-data'))
    .option('--root-dir <dir>', 'kubelet directory: pod logs (default <data-dir>/kubelet)')
    .option('--node-labels <k=v,...>', 'labels added to the node at registration')
    .option('--register-with-taints <k=v:Effect,...>', 'taints added to the node at registration')
    .option('--max-pods <n>', 'pods this node can run (capacity "pods")', '110')
    .option('--node-status-update-frequency <d>', 'how often the node status is computed (written when changed)', '10s')
    .option('--node-status-report-frequency <d>', 'how often the node status is written even when unchanged', '5m')
    .option('--node-lease-duration-seconds <n>', "the node Lease's leaseDurationSeconds", '40')
    .option('--node-lease-renew-interval <d>', 'how often the node Lease is renewed (keelson flag; kubelet: 1/4 of the duration)', '10s')
    .option('--crash-loop-backoff-initial <d>', 'first crash-loop back-off (keelson flag, for tests)', '10s')
    .option('--crash-loop-backoff-max <d>', 'crash-loop back-off cap', '5m')
    .option('--simulated-start-delay <d>', 'simulated runtime: delay from start to Running', '0s')
    .option('--simulated-job-duration <d>', 'simulated runtime: how long job-like containers run before exiting 0', '1s')
    .option('--port <port>', 'port of the kubelet server (logs, exec; HTTPS; 0 = any free port)', '10250')
    .option('--tls-cert-file <file>', 'serving certificate of the kubelet server (default: self-signed under <root-dir>/pki)')
    .option('--tls-private-key-file <file>', 'serving key of the kubelet server')
    .option('--cluster-dns <ips>', "comma-separated DNS server IPs for pods with dnsPolicy ClusterFirst (the kube-dns Service IP)")
    .option('--cluster-domain <domain>', "the cluster's DNS domain", 'cluster.local')
    .option('--client-ca-file <file>', "CA that signs clients' certificates (the apiserver's); default: the kubeconfig's CA")
    .option('--address <ip>', 'address of the kubelet server (default: the node\'s InternalIP)')
    .option('--healthz-port <port>', 'port for /healthz and /metrics (0 = any free port, -1 = off)', '-1')
    .option('--healthz-bind-address <ip>', 'address of the healthz port', '127.0.0.1')
    .option('--pod-manifest-path <dir>', 'directory of static pod manifests (one Pod per file, YAML or JSON; dotfiles ignored), run by this kubelet and mirrored in the API')
    .option('--file-check-frequency <d>', 'how often the manifest directory is rescanned (it is also watched)', '20s')
    .option('--pod-cidr <cidr>', 'process runtime with --pod-netns: the pod CIDR of this node (default: Node.spec.podCIDR, set by the controller manager)')
    .option('--pod-network-bridge <name>', 'process runtime with --pod-netns: the bridge of the pods\' veths (keelson flag)', 'keelson0')
    .option('--rotate-certificates', "renew the kubeconfig's client certificate through CertificateSigningRequests as it nears expiry")
    .option('--rotate-server-certificates', 'request the kubelet server\'s certificate through kubernetes.io/kubelet-serving CSRs (approved by an administrator: kubectl certificate approve) and renew it as it nears expiry')
    .option('--cert-dir <dir>', 'where rotated certificates are kept (default <root-dir>/pki)')
    .option('--container-gc-period <d>', 'how often sandboxes and logs of pods gone from this node are removed (keelson flag; kubelet: 1m)', '1m')
    .option('--kube-api-qps <n>', 'client QPS to the apiserver', '50')
    .option('--kube-api-burst <n>', 'client burst to the apiserver', '100')
    .action(async (o: Opts) => {
      const log = logger('kubelet');
      const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG;
      if (!kubeconfig) throw new Error('--kubeconfig (or $KUBECONFIG) is required');
      if (o.runtime !== 'process' && o.runtime !== 'simulated' && o.runtime !== 'cri') throw new Error(`--runtime "${o.runtime}": expected cri, process or simulated`);
      const imageGC = imageGCOptions(o);
      const nodes = Number(o.nodes ?? 1);
      if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes "${o.nodes}": expected a positive integer`);
      if (o.nodes !== undefined && o.runtime !== 'simulated') throw new Error('--nodes needs --runtime simulated');
      const many = o.nodes !== undefined;
      // Many simulated nodes need more client throughput: scale the default QPS with the count.
      const qps = many ? Math.max(Number(o.kubeApiQps), nodes) : Number(o.kubeApiQps);
      const burst = many ? Math.max(Number(o.kubeApiBurst), 2 * nodes) : Number(o.kubeApiBurst);
      const client = new RestClient({ ...loadKubeconfig(kubeconfig), qps, burst, userAgent: 'keelson-kubelet' });
      const timings = {
        nodeStatusUpdateFrequencyMs: parseDuration(o.nodeStatusUpdateFrequency),
        nodeStatusReportFrequencyMs: parseDuration(o.nodeStatusReportFrequency),
        leaseDurationSeconds: Number(o.nodeLeaseDurationSeconds),
        leaseRenewIntervalMs: parseDuration(o.nodeLeaseRenewInterval),
        backoffInitialMs: parseDuration(o.crashLoopBackoffInitial),
        backoffMaxMs: parseDuration(o.crashLoopBackoffMax),
      };
      const simulated = { startDelayMs: parseDuration(o.simulatedStartDelay), completeAfterMs: parseDuration(o.simulatedJobDuration) };
      const rootDir = o.rootDir ?? join(o.dataDir, 'kubelet');
      const common = { client, labels: parseLabels(o.nodeLabels), taints: parseTaints(o.registerWithTaints), maxPods: Number(o.maxPods), simulated, ...timings };
      const runtime: 'process' | 'simulated' | ContainerRuntime = o.runtime === 'cri' ? await CriRuntime.connect({ endpoint: o.containerRuntimeEndpoint, log }) : (o.runtime as 'process' | 'simulated');
      const k: RunningKubelet = many
        ? startSimulatedNodes({ ...common, count: nodes, prefix: o.hostnameOverride, rootDir })
        : startKubelet({ ...common, nodeName: o.hostnameOverride!, runtime, rootDir, port: Number(o.port), address: o.address, tls: { tlsCertFile: o.tlsCertFile, tlsPrivateKeyFile: o.tlsPrivateKeyFile, clientCaFile: o.clientCaFile }, clusterDNS: o.clusterDns ? o.clusterDns.split(',').map((s) => s.trim()).filter(Boolean) : [], clusterDomain: o.clusterDomain, podManifestPath: o.podManifestPath, fileCheckFrequencyMs: parseDuration(o.fileCheckFrequency), imageGC, rotateCertificates: o.rotateCertificates, certDir: o.certDir, rotateServerCertificates: o.rotateServerCertificates, containerGCPeriodMs: parseDuration(o.containerGcPeriod), podNetwork: podNetworkOptions(o) });
      let ready = false;
      void k.ready.then(() => {
        ready = true;
        log.info({ nodes: k.nodes.length, runtime: o.runtime, rssMB: Math.round(process.memoryUsage().rss / 1048576) }, 'kubelet ready');
      });
      const health = await startHealthServer({ port: Number(o.healthzPort), bindAddress: o.healthzBindAddress, ready: () => ready, log });
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      await k.start(ac.signal);
      await health?.close();
      client.close();
      process.exit(0);
    });
}

/** --pod-netns, --pod-cidr, --pod-network-bridge (process runtime): the pod network (on unless
 * --pod-netns=false; startKubelet falls back to the host network without root or CNI plugins). */
function podNetworkOptions(o: Opts): { podCIDR?: string; bridge?: string } | false | undefined {
  if (o.podNetns === false) {
    if (o.podCidr) throw new Error('--pod-cidr needs the pod network (it is off: --pod-netns=false)');
    return false;
  }
  if (o.runtime !== 'process') {
    if (o.podNetns) throw new Error('--pod-netns needs --runtime process (the cri runtime always gives pods a network namespace)');
    if (o.podCidr) throw new Error('--pod-cidr needs --runtime process (the cri runtime takes the pod CIDR from the Node)');
    return undefined;
  }
  if (o.podCidr && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(o.podCidr)) throw new Error(`--pod-cidr "${o.podCidr}": expected an IPv4 CIDR such as 10.244.0.0/24`);
  if (o.podNetworkBridge && o.podNetworkBridge.length > 15) throw new Error(`--pod-network-bridge "${o.podNetworkBridge}": at most 15 characters`);
  return { podCIDR: o.podCidr, bridge: o.podNetworkBridge };
}
