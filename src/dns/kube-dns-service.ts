// How pods reach cluster DNS: the `kube-dns` Service in kube-system (as kubeadm and k3s name it,
// ports dns/53 UDP and dns-tcp/53 TCP) at the tenth address of the service range (10.96.0.10 for
// 10.96.0.0/12, the kubelet's --cluster-dns), without a selector, plus an EndpointSlice of our own
// pointing at where the DNS server listens (the node's address and port). The service proxy then
// carries pod queries from the ClusterIP to the server.
// Divergence: in Kubernetes the endpoints are CoreDNS pods picked by the selector k8s-app=kube-dns;
// here the server runs inside `keelson server`, so the slice is written by it (managed-by
// cluster-dns.keelson.io, which the EndpointSlice controller leaves alone).
import { ApiError, isAlreadyExists, isNotFound, type KObject, type RestClient } from '../client/rest-client.js';

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_SERVICE = 'kube-dns';
export const DNS_MANAGED_BY = 'cluster-dns.keelson.io';

function parseV4(s: string): number | undefined {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

/** The cluster DNS address of a service range: its tenth address (10.96.0.0/12 -> 10.96.0.10). */
export function clusterDnsIP(serviceCIDR: string): string {
  const [ip, bits] = serviceCIDR.split('/');
  const n = parseV4(ip);
  const b = Number(bits);
  if (n === undefined || !Number.isInteger(b) || b < 1 || b > 28) throw new Error(`invalid service cluster IP range "${serviceCIDR}": an IPv4 CIDR of /28 or wider is expected`);
  const net = (n & ((0xffffffff << (32 - b)) >>> 0)) >>> 0;
  const x = net + 10;
  return [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
}

export interface KubeDnsEndpoint {
  serviceIP: string;
  /** Where the DNS server listens (the node's InternalIP) and on which port. */
  address: string;
  port: number;
  nodeName?: string;
}

const base = `/api/v1/namespaces/${KUBE_DNS_NAMESPACE}`;
const sliceBase = `/apis/discovery.k8s.io/v1/namespaces/${KUBE_DNS_NAMESPACE}/endpointslices`;

export function kubeDnsService(serviceIP: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE,
      namespace: KUBE_DNS_NAMESPACE,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KubeDNS' },
    },
    spec: {
      clusterIP: serviceIP,
      clusterIPs: [serviceIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

export function kubeDnsSlice(ep: KubeDnsEndpoint): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${KUBE_DNS_SERVICE}-${(ep.nodeName ?? 'server').replace(/[^a-z0-9-.]/g, '-')}`.slice(0, 63),
      namespace: KUBE_DNS_NAMESPACE,
      labels: { 'kubernetes.io/service-name': KUBE_DNS_SERVICE, 'endpointslice.kubernetes.io/managed-by': DNS_MANAGED_BY },
    },
    addressType: ep.address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ep.address], conditions: { ready: true, serving: true, terminating: false }, ...(ep.nodeName ? { nodeName: ep.nodeName } : {}) }],
    ports: [
      { name: 'dns', port: ep.port, protocol: 'UDP' },
      { name: 'dns-tcp', port: ep.port, protocol: 'TCP' },
    ],
  };
}

/** Creates the kube-dns Service if missing (keeping a user's changes to an existing one) and
 * writes this server's EndpointSlice (replacing a stale port or address). */
export async function ensureKubeDnsService(client: RestClient, ep: KubeDnsEndpoint): Promise<void> {
  // Read first: creating it again when it exists fails with 422 (its ClusterIP is already
  // allocated, checked before the name, as in Kubernetes), not AlreadyExists.
  try {
    await client.get(`${base}/services/${KUBE_DNS_SERVICE}`);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.post(`${base}/services`, kubeDnsService(ep.serviceIP)).catch((err) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
  const slice = kubeDnsSlice(ep);
  const path = `${sliceBase}/${slice.metadata!.name}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const cur = await client.get<KObject>(path);
      await client.put(path, { ...slice, metadata: { ...slice.metadata, resourceVersion: cur.metadata?.resourceVersion } });
      return;
    } catch (e) {
      if (isNotFound(e)) {
        try {
          await client.post(sliceBase, slice);
          return;
        } catch (e2) {
          if (!isAlreadyExists(e2)) throw e2;
          continue;
        }
      }
      if (e instanceof ApiError && e.code === 409) continue;
      throw e;
    }
  }
}
