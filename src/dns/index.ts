// Cluster DNS as a component (`keelson server` runs it; CoreDNS' place in a kubeadm cluster):
// informers over Services and EndpointSlices, the DNS server on UDP+TCP, forwarding to the host's
// resolvers, and (when given the service IP) the kube-dns Service and its EndpointSlice.
//   const dns = new ClusterDns({ client, listenHost: nodeIP, serviceIP: '10.96.0.10' });
//   void dns.start(signal); await dns.ready; dns.address -> { host, port }
import { logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { ClusterData } from './cluster-data.js';
import { Forwarder, parseUpstream } from './forwarder.js';
import { ensureKubeDnsService } from './kube-dns-service.js';
import { readResolvConf, upstreamServers, HOST_RESOLV_CONF } from './resolv-conf.js';
import { DnsServer } from './server.js';
import { ClusterZone } from './zone.js';

export { podDnsConfig, renderResolvConf, type PodDnsConfig, type KubeletDnsSettings } from './pod-dns-config.js';
export { clusterDnsIP } from './kube-dns-service.js';
export { readResolvConf } from './resolv-conf.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export interface ClusterDnsOptions {
  client: RestClient;
  /** The zone served (default cluster.local, the kubelet's --cluster-domain). */
  clusterDomain?: string;
  /** Address to listen on (the node's InternalIP in a cluster; 127.0.0.1 in tests). */
  listenHost: string;
  /** Preferred port (default 53); when it cannot be bound a free port is taken unless `strictPort`. */
  port?: number;
  strictPort?: boolean;
  /** Upstream resolvers ("ip" or "ip:port"); default: the host's resolv.conf without loopback stubs. */
  upstreams?: string[];
  resolvConfPath?: string;
  /** Time for a forwarded query before SERVFAIL (default 5000 ms; 2000 ms per upstream). */
  forwardTimeoutMs?: number;
  /** Record TTL in seconds (default 5). */
  ttl?: number;
  /** When set, the kube-dns Service gets this ClusterIP and an EndpointSlice to this server. */
  serviceIP?: string;
  /** The node the server runs on (recorded in the EndpointSlice). */
  nodeName?: string;
}

export class ClusterDns {
  readonly ready: Promise<void>;
  address = { host: '', port: 0 };
  private readyResolve!: () => void;
  private readyReject!: (e: Error) => void;
  private server?: DnsServer;
  private readonly log = logger('cluster-dns');

  constructor(private readonly opts: ClusterDnsOptions) {
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => undefined);
  }

  /** Runs until the signal aborts; `ready` resolves once the caches are synced and the server listens. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      const { data, factory } = ClusterData.forClient(this.opts.client);
      factory.start(signal);
      await Promise.race([data.synced, new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
      if (signal.aborted) return;
      const upstreams = (this.opts.upstreams ?? upstreamServers(readResolvConf(this.opts.resolvConfPath ?? HOST_RESOLV_CONF))).map(parseUpstream);
      if (upstreams.length === 0) this.log.warn('no upstream resolvers (resolv.conf lists none): names outside the cluster get SERVFAIL');
      const zone = new ClusterZone(data, { domain: this.opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, ttl: this.opts.ttl, nameserverIP: this.opts.serviceIP });
      const forwarder = new Forwarder({ upstreams, timeoutMs: this.opts.forwardTimeoutMs, attemptTimeoutMs: this.opts.forwardTimeoutMs ? Math.min(2000, this.opts.forwardTimeoutMs) : undefined });
      this.server = new DnsServer({ zone, forwarder, log: this.log });
      this.address = await this.server.listen({ host: this.opts.listenHost, port: this.opts.port ?? 53, fallbackToFreePort: !this.opts.strictPort });
      if (this.opts.serviceIP) {
        await ensureKubeDnsService(this.opts.client, { serviceIP: this.opts.serviceIP, address: this.opts.listenHost, port: this.address.port, nodeName: this.opts.nodeName });
      }
      this.log.info({ ...this.address, zone: zone.domain, upstreams: upstreams.map((u) => `${u.host}:${u.port}`) }, 'cluster DNS serving');
      this.readyResolve();
      if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    } catch (e) {
      this.readyReject(e as Error);
      throw e;
    } finally {
      await this.server?.close();
    }
  }
}
