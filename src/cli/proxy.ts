// `keelson proxy`: the service proxy with kube-proxy's flag names. Keelson additions:
// --nftables-table (the table's name, default keelson).
import os from 'node:os';
import type { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { parseBindAddress } from '../proxy/health.js';
import { startProxy } from '../proxy/index.js';
import { validateCIDR } from '../proxy/node-addresses.js';
import type { ProxyMode } from '../proxy/proxier.js';
import { parsePortRange } from '../proxy/userspace/proxier.js';
import { parseDuration } from '../util/duration.js';
import { logger } from '../util/log.js';

interface Opts {
  kubeconfig?: string;
  proxyMode?: string;
  hostnameOverride: string;
  clusterCidr?: string;
  nodeportAddresses?: string;
  masqueradeAll?: boolean;
  minSyncPeriod: string;
  syncPeriod: string;
  healthzBindAddress: string;
  metricsBindAddress: string;
  proxyPortRange?: string;
  udpTimeout: string;
  nftablesTable: string;
  kubeApiQps: string;
  kubeApiBurst: string;
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('run the service proxy (kube-proxy): programs Services and EndpointSlices into nftables (or iptables), or a userspace proxy when not root')
    .option('--kubeconfig <file>', 'kubeconfig of the apiserver (default $KUBECONFIG)')
    .option('--proxy-mode <mode>', 'nftables or iptables (root), or userspace (no root: NodePorts and local per-service ports); default: nftables when root with nft installed, else userspace')
    .option('--hostname-override <name>', 'this node\'s name (EndpointSlice nodeName of local endpoints)', os.hostname().toLowerCase())
    .option('--cluster-cidr <cidr>', 'the pods\' CIDR: traffic to a service from outside it is masqueraded')
    .option('--nodeport-addresses <cidrs>', 'comma-separated CIDRs of the node addresses that accept NodePorts (default: all)')
    .option('--masquerade-all', 'masquerade all traffic sent to cluster IPs')
    .option('--min-sync-period <d>', 'minimum interval between syncs of the rules', '1s')
    .option('--sync-period <d>', 'maximum interval between syncs of the rules', '30s')
    .option('--healthz-bind-address <host:port>', 'address of /healthz (port 0 = any free port, empty = off)', '0.0.0.0:10256')
    .option('--metrics-bind-address <host:port>', 'address of /metrics (port 0 = any free port, empty = off)', '127.0.0.1:10249')
    .option('--proxy-port-range <range>', 'userspace mode: host ports for the per-service local listeners (begin-end, port, or begin+offset; default any)')
    .option('--udp-timeout <d>', 'userspace mode: idle timeout of a UDP client session', '250ms')
    .option('--nftables-table <name>', 'name of the ip table the proxy owns (keelson flag)', 'keelson')
    .option('--kube-api-qps <n>', 'client QPS to the apiserver', '5')
    .option('--kube-api-burst <n>', 'client burst to the apiserver', '10')
    .action(async (o: Opts) => {
      const log = logger('proxy');
      const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG;
      if (!kubeconfig) throw new Error('--kubeconfig (or $KUBECONFIG) is required');
      const mode = o.proxyMode as ProxyMode | undefined;
      if (mode !== undefined && !['nftables', 'iptables', 'userspace'].includes(mode)) throw new Error(`--proxy-mode "${mode}": expected nftables, iptables or userspace`);
      // Flags first, so a bad one is reported before anything is contacted.
      const flags = {
        nodeName: o.hostnameOverride,
        mode,
        clusterCIDR: o.clusterCidr ? validateCIDR(o.clusterCidr, '--cluster-cidr') : undefined,
        masqueradeAll: !!o.masqueradeAll,
        nodePortAddresses: o.nodeportAddresses ? o.nodeportAddresses.split(',').map((c) => validateCIDR(c, '--nodeport-addresses')) : undefined,
        minSyncPeriodMs: parseDuration(o.minSyncPeriod),
        syncPeriodMs: parseDuration(o.syncPeriod),
        nftablesTable: o.nftablesTable,
        portRange: parsePortRange(o.proxyPortRange),
        udpIdleMs: parseDuration(o.udpTimeout),
        healthz: parseBindAddress(o.healthzBindAddress, '--healthz-bind-address'),
        metrics: parseBindAddress(o.metricsBindAddress, '--metrics-bind-address'),
      };
      const client = new RestClient({ ...loadKubeconfig(kubeconfig), qps: Number(o.kubeApiQps), burst: Number(o.kubeApiBurst), userAgent: 'keelson-proxy' });
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      const p = await startProxy({ client, ...flags }, ac.signal);
      void p.ready.then(() => log.info({ mode: p.mode, healthzPort: p.healthzPort, metricsPort: p.metricsPort }, 'proxy ready'));
      await p.done;
      client.close();
      process.exit(0);
    });
}
