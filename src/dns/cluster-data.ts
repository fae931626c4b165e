// What cluster DNS knows about the cluster: Services and their EndpointSlices, read from shared
// informers with the indexes the lookups need (slices by service, services and named endpoints by
// IP). Pods are not watched: pod records are answered as CoreDNS' `pods insecure` mode (kubeadm's
// default) does, from the name alone, which keeps memory flat on big clusters. Lookups are synchronous reads of the informer caches, so an
// answer reflects the latest event the informers delivered.
import type { KObject, RestClient } from '../client/rest-client.js';
import { SharedInformerFactory, namespaceIndex, type Informer } from '../client/informer.js';
import { Resources } from '../client/resources.js';

export type K = KObject;

export interface ReadyAddress {
  ip: string;
  /** The endpoint's hostname (StatefulSet pods, spec.hostname + subdomain), or undefined. */
  hostname?: string;
}

const serviceIPs = (s: K): string[] => {
  const ips: string[] = s.spec?.clusterIPs?.length ? s.spec.clusterIPs : s.spec?.clusterIP ? [s.spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
};

export class ClusterData {
  readonly services: Informer<K>;
  readonly slices: Informer<K>;

  constructor(factory: SharedInformerFactory) {
    this.services = factory.informerFor<K>(Resources.services, {
      indexers: { namespace: namespaceIndex, ip: (s) => serviceIPs(s) },
    });
    this.slices = factory.informerFor<K>(Resources.endpointslices, {
      indexers: {
        service: (s) => {
          const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
          return svc ? [`${s.metadata?.namespace}/${svc}`] : [];
        },
        ip: (s) => (s.endpoints ?? []).flatMap((e: K) => (e.hostname ? (e.addresses ?? []) : [])),
      },
    });
  }

  /** A factory of its own (the indexes above need informers no one else configured). */
  static forClient(client: RestClient): { data: ClusterData; factory: SharedInformerFactory } {
    const factory = new SharedInformerFactory(client);
    return { data: new ClusterData(factory), factory };
  }

  get synced(): Promise<void> {
    return Promise.all([this.services.synced, this.slices.synced]).then(() => undefined);
  }

  service(ns: string, name: string): K | undefined {
    return this.services.get(`${ns}/${name}`);
  }

  /** Whether any service lives in the namespace (`<ns>.svc.<zone>` exists then). */
  hasServicesIn(ns: string): boolean {
    return this.services.byIndex('namespace', ns).length > 0;
  }

  clusterIPs(svc: K): string[] {
    return serviceIPs(svc);
  }

  isHeadless(svc: K): boolean {
    return svc.spec?.type !== 'ExternalName' && (svc.spec?.clusterIP === 'None' || (svc.spec?.clusterIPs ?? [])[0] === 'None');
  }

  /** The service's EndpointSlices. */
  slicesOf(svc: K): K[] {
    return this.slices.byIndex('service', `${svc.metadata?.namespace}/${svc.metadata?.name}`);
  }

  /** Ready endpoint addresses of a service (all of them when it publishes not-ready addresses),
   * deduplicated by IP, in a stable order. */
  readyAddresses(svc: K): ReadyAddress[] {
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true || svc.metadata?.annotations?.['service.alpha.kubernetes.io/tolerate-unready-endpoints'] === 'true';
    const seen = new Map<string, ReadyAddress>();
    for (const slice of this.slicesOf(svc)) {
      for (const ep of slice.endpoints ?? []) {
        // A nil ready condition means ready (discovery.k8s.io/v1).
        if (!publishNotReady && ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) if (!seen.has(ip)) seen.set(ip, { ip, hostname: ep.hostname || undefined });
      }
    }
    return [...seen.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }

  /** The port number endpoints of a service serve a named port on (headless SRV targets). */
  endpointPort(svc: K, name: string, protocol: string): number | undefined {
    for (const slice of this.slicesOf(svc))
      for (const p of slice.ports ?? []) if ((p.name ?? '') === name && (p.protocol ?? 'TCP') === protocol && p.port) return p.port;
    return undefined;
  }

  servicesWithIP(ip: string): K[] {
    return this.services.byIndex('ip', ip);
  }

  /** Named endpoints (with a hostname) of headless services that have this IP. */
  namedEndpointsWithIP(ip: string): Array<{ svc: K; hostname: string }> {
    const out: Array<{ svc: K; hostname: string }> = [];
    for (const slice of this.slices.byIndex('ip', ip)) {
      const name = slice.metadata?.labels?.['kubernetes.io/service-name'];
      const svc = name ? this.service(slice.metadata?.namespace, name) : undefined;
      if (!svc || !this.isHeadless(svc)) continue;
      for (const ep of slice.endpoints ?? []) if (ep.hostname && (ep.addresses ?? []).includes(ip)) out.push({ svc, hostname: ep.hostname });
    }
    return out;
  }
}
