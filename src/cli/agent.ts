// `keelson agent`: join a cluster and run this machine's node (kubelet, service proxy, and with
// --runtime cri our own containerd), like `k3s agent` / `kubeadm join` + kubelet.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startAgent } from '../cluster/agent.js';
import { onSignals } from './apiserver.js';
import { podNetnsFlags } from './pod-netns-flag.js';

interface AgentFlags {
  server?: string;
  token?: string;
  caCertHash: string[];
  dataDir: string;
  nodeName?: string;
  runtime: string;
  nodeIp?: string;
  clusterCidr: string;
  kubeletPort: string;
  clusterDns: string;
  clusterDomain: string;
  disableProxy?: boolean;
  rotateCertificates: boolean;
  podNetns?: boolean;
}

export function register(program: Command): void {
  podNetnsFlags(program.command('agent'), "a network namespace per pod on the CNI bridge keelson0, IPs from the node's podCIDR, routes to the other nodes' pod CIDRs")
    .description('join a keelson cluster with a bootstrap token (`keelson token create`) and run this node: kubelet, service proxy, containerd')
    .option('--server <url>', 'the apiserver to join, https://HOST:PORT')
    .option('--token <token>', 'bootstrap token <6>.<16> (only needed on the first start)', process.env.KEELSON_TOKEN)
    .option('--ca-cert-hash <sha256:hex>', "pin the cluster CA's public key, as kubeadm join --discovery-token-ca-cert-hash (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--data-dir <dir>', 'directory for kubelet.kubeconfig, the kubelet and containerd', '.keelson-agent')
    .option('--node-name <name>', "this node's name (default: the host name)")
    .option('--runtime <runtime>', 'container runtime: cri (our own containerd under <data-dir>/containerd; falls back to process without root or containerd) or process', 'process')
    .option('--node-ip <ip>', "the node's InternalIP (default: the host's first IPv4)")
    .option('--cluster-cidr <cidr>', 'pod IP range of the cluster (for the proxy)', '10.244.0.0/16')
    .option('--kubelet-port <port>', 'port of the kubelet server (0 = any free port)', '10250')
    .option('--cluster-dns <ips>', 'nameservers for pods (the kube-dns Service IP; "" = none)', '10.96.0.10')
    .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
    .option('--disable-proxy', 'run no service proxy on this node')
    .option('--no-rotate-certificates', "do not renew the kubelet's client certificate through CSRs as it nears expiry (kubeadm turns rotation on; so does the agent)")
    .action(async (f: AgentFlags) => {
      if (f.runtime !== 'cri' && f.runtime !== 'process') throw new Error(`--runtime "${f.runtime}": expected cri or process`);
      if (f.server && !/^https:\/\//.test(f.server)) throw new Error(`--server "${f.server}": expected https://HOST:PORT`);
      for (const h of f.caCertHash) if (!/^sha256:[0-9a-fA-F]{64}$/.test(h)) throw new Error(`--ca-cert-hash "${h}": expected sha256:<64 hex digits>`);
      const t0 = performance.now();
      const starting = startAgent({
        server: f.server,
        token: f.token,
        caCertHashes: f.caCertHash,
        dataDir: resolve(f.dataDir),
        nodeName: f.nodeName,
        runtime: f.runtime,
        nodeIP: f.nodeIp,
        clusterCIDR: f.clusterCidr,
        kubeletPort: Number(f.kubeletPort),
        disableProxy: f.disableProxy,
        rotateCertificates: f.rotateCertificates,
        podNetns: f.podNetns,
        clusterDNS: f.clusterDns.split(',').filter(Boolean),
        clusterDomain: f.clusterDomain,
      });
      // Signals are handled while the agent starts too: what it started (containerd) is stopped.
      onSignals(() => starting.then((a) => a.close()));
      const a = await starting;
      await a.ready;
      console.log(`keelson agent ready in ${Math.round(performance.now() - t0)} ms: node ${a.nodeName} (runtime ${a.runtime}), credentials in ${a.kubeconfigPath}`);
    });
}
