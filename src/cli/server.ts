// `keelson server`: the whole control plane in one process (store, apiserver, scheduler,
// controller manager), the everyday way to run keelson (what `npm start` runs).
import type { Command } from 'commander';
import { startServer } from '../cluster/server.js';
import { parseDuration } from '../util/duration.js';
import { apiserverFlags, onSignals, startOptions, type ApiserverFlags } from './apiserver.js';
import { imageGCFlags, imageGCOptions, type ImageGCFlags } from './image-gc-flags.js';
import { podNetnsFlags } from './pod-netns-flag.js';
import { validateCIDR } from '../proxy/node-addresses.js';

interface ServerFlags extends ApiserverFlags, ImageGCFlags {
  etcdListenClientUrls: string;
  disable: string[];
  disableAgent?: boolean;
  nodeName?: string;
  runtime: 'process' | 'simulated' | 'cri' | 'auto';
  simulatedNodes: string;
  podManifestPath?: string;
  clusterDnsPort: string;
  clusterDomain: string;
  nodeMonitorPeriod?: string;
  nodeMonitorGracePeriod?: string;
  horizontalPodAutoscalerSyncPeriod?: string;
  podNetns?: boolean;
  podNetworkBridge?: string;
  clusterCidr?: string;
}

export function register(program: Command): void {
  podNetnsFlags(imageGCFlags(apiserverFlags(program.command('server').description('run a keelson cluster in one process: store, apiserver, scheduler, controller manager, a kubelet (and simulated nodes)'), 6443)), "a network namespace per pod on the CNI bridge keelson0, IPs from the node's podCIDR, routes to the other nodes' pod CIDRs")
    .option('--etcd-listen-client-urls <urls>', 'where the embedded store answers etcdctl: https:// with the etcd certificates and client-certificate auth, http:// without ("" to disable)', 'https://127.0.0.1:2379')
    .option('--node-name <name>', "this node's name (default: the host name)")
    .option('--runtime <runtime>', 'container runtime of this node: cri (our own containerd under <data-dir>/containerd; falls back to process without root or containerd), process, simulated, or auto (cri when root with containerd, else process)', 'auto')
    .option('--pod-network-bridge <name>', "the bridge of the pods' veths: cri's CNI config, and the process runtime with --pod-netns (keelson flag)", 'keelson0')
    .option('--cluster-cidr <cidr>', "pod IP range of the cluster: node IPAM gives each node a /24 of it (the controller manager's --cluster-cidr), the proxy masquerades traffic from outside it", '10.244.0.0/16')
    .option('--pod-manifest-path <dir>', 'static pod manifests of this node\'s kubelet (default <data-dir>/manifests; "" for none)')
    .option('--simulated-nodes <n>', 'also run N simulated nodes named sim-<n> in this process', '0')
    .option('--cluster-dns-port <port>', "port of cluster DNS on the node's address (a free one when taken; the kube-dns EndpointSlice has the real one)", '53')
    .option('--cluster-domain <domain>', 'the cluster domain served by cluster DNS', 'cluster.local')
    .option('--node-monitor-period <d>', 'how often the node lifecycle controller checks nodes (default 5s)')
    .option('--node-monitor-grace-period <d>', 'how long a node may go without a heartbeat before it is marked NotReady (default 40s)')
    .option('--horizontal-pod-autoscaler-sync-period <d>', 'how often each HorizontalPodAutoscaler is reconciled (default 15s)')
    .option('--disable-agent', 'run no kubelet on this machine (control plane only)')
    .option('--disable <component>', 'do not run a component: scheduler, controller-manager, coredns (repeatable)', (v: string, acc: string[]) => [...acc, ...v.split(',')], [] as string[])
    .action(async (f: ServerFlags) => {
      const t0 = performance.now();
      const imageGC = imageGCOptions(f);
      const starting = startServer({
        ...startOptions(f),
        etcdListenClientUrls: f.etcdListenClientUrls ? f.etcdListenClientUrls.split(',').filter(Boolean) : [],
        disable: f.disable,
        disableAgent: f.disableAgent,
        nodeName: f.nodeName,
        runtime: f.runtime,
        podNetns: f.podNetns,
        podNetworkBridge: f.podNetworkBridge,
        simulatedNodes: Number(f.simulatedNodes) || 0,
        podManifestPath: f.podManifestPath,
        clusterDnsPort: Number(f.clusterDnsPort),
        clusterDomain: f.clusterDomain,
        imageGC,
        controllerOptions: {
          clusterCidr: validateCIDR(f.clusterCidr ?? '10.244.0.0/16', '--cluster-cidr'),
          ...(f.nodeMonitorPeriod ? { nodeMonitorPeriodMs: parseDuration(f.nodeMonitorPeriod) } : {}),
          ...(f.nodeMonitorGracePeriod ? { nodeMonitorGracePeriodMs: parseDuration(f.nodeMonitorGracePeriod) } : {}),
          ...(f.horizontalPodAutoscalerSyncPeriod ? { horizontalPodAutoscalerSyncPeriodMs: parseDuration(f.horizontalPodAutoscalerSyncPeriod) } : {}),
        },
      });
      // Signals are handled from the start: a SIGTERM while components are still starting (the
      // node may already be Ready) stops what was started, our containerd above all, instead of
      // killing the process and leaving containerd for the next start to find and stop.
      onSignals(() => starting.then((s) => s.close()));
      const s = await starting;
      await s.ready;
      console.log(`keelson server ready in ${Math.round(performance.now() - t0)} ms: apiserver on ${s.url}${s.etcdUrls.length ? `, etcd API on ${s.etcdUrls.join(',')}` : ''}`);
      if (s.kubeconfigPath) console.log(`To use kubectl:\n  export KUBECONFIG=${s.kubeconfigPath}\n  kubectl get nodes`);
      if (s.caCertHash && s.joinToken) console.log(`To join a node:\n  keelson agent --server ${s.joinUrl} --token ${s.joinToken} --ca-cert-hash ${s.caCertHash}`);
      if (s.etcdPki) console.log(`To use etcdctl:\n  ETCDCTL_API=3 etcdctl --endpoints ${s.etcdUrls[0]} --cacert ${s.etcdPki.caFile} --cert ${s.etcdPki.clientCertFile} --key ${s.etcdPki.clientKeyFile} get /registry --prefix --keys-only`);
    });
}
