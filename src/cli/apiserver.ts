// `keelson apiserver`: the Kubernetes API server, with kube-apiserver's flag names.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { startApiServer } from '../apiserver/index.js';
import { defaultOptions } from '../apiserver/options.js';

export const parseBool = (v: string | boolean | undefined): boolean => v === undefined || v === true || v === 'true' || v === '1';
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${v}`);
  return n;
};

export interface ApiserverFlags {
  dataDir: string;
  securePort: number;
  bindAddress: string;
  etcdServers?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  watchCache: string | boolean;
}

/** Add the apiserver's flags to a command (shared with `keelson server`). */
export function apiserverFlags(cmd: Command, defaultPort: number): Command {
  return cmd
    .option('--data-dir <dir>', 'directory for the embedded store and admin.kubeconfig', '.keelson')
    .option('--secure-port <port>', 'port to serve the API on', int, defaultPort)
    .option('--bind-address <ip>', 'address to listen on', defaultOptions.bindAddress)
    .option('--etcd-servers <urls>', 'comma-separated etcd URLs (default: the embedded store)')
    .option('--etcd-cafile <file>', 'CA to verify etcd')
    .option('--etcd-certfile <file>', 'client certificate for etcd')
    .option('--etcd-keyfile <file>', 'client key for etcd')
    .option('--service-cluster-ip-range <cidr>', 'CIDR for Service ClusterIPs', defaultOptions.serviceClusterIPRange)
    .option('--service-node-port-range <range>', 'port range for NodePorts', defaultOptions.serviceNodePortRange)
    .option('--max-requests-inflight <n>', 'limit of non-mutating requests in flight (0 = none)', int, defaultOptions.maxRequestsInflight)
    .option('--max-mutating-requests-inflight <n>', 'limit of mutating requests in flight (0 = none)', int, defaultOptions.maxMutatingRequestsInflight)
    .option('--watch-cache [bool]', 'serve lists and watches from memory', true);
}

export function startOptions(f: ApiserverFlags) {
  return {
    dataDir: resolve(f.dataDir),
    securePort: f.securePort,
    bindAddress: f.bindAddress,
    etcdServers: f.etcdServers ? f.etcdServers.split(',').map((s) => s.trim()).filter(Boolean) : [],
    etcdCaFile: f.etcdCafile,
    etcdCertFile: f.etcdCertfile,
    etcdKeyFile: f.etcdKeyfile,
    serviceClusterIPRange: f.serviceClusterIpRange,
    serviceNodePortRange: f.serviceNodePortRange,
    maxRequestsInflight: f.maxRequestsInflight,
    maxMutatingRequestsInflight: f.maxMutatingRequestsInflight,
    watchCache: parseBool(f.watchCache),
  };
}

export function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function register(program: Command): void {
  apiserverFlags(program.command('apiserver').description('run the Kubernetes API server'), defaultOptions.securePort).action(async (f: ApiserverFlags) => {
    const api = await startApiServer(startOptions(f));
    onSignals(() => api.close());
    console.log(`keelson apiserver listening on ${api.url}`);
    if (api.kubeconfigPath) console.log(`To use kubectl:\n  export KUBECONFIG=${api.kubeconfigPath}\n  kubectl get namespaces`);
  });
}
