// apiserver options with kube-apiserver's flag names and defaults.
export interface ApiServerOptions {
  /** Embedded store directory (also where admin.kubeconfig is written). */
  dataDir: string;
  bindAddress: string;
  /** 0 = pick a free port. */
  securePort: number;
  /** External etcd (`--etcd-servers`); empty = embedded store. */
  etcdServers: string[];
  etcdCaFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  watchCache: boolean;
  /** Write <dataDir>/admin.kubeconfig (default true). */
  writeKubeconfig: boolean;
  /** Watch timeout when a client gives none: random in [min, max) seconds (kube: 30-60 min). */
  minRequestTimeout: number;
  /** Interval of watch bookmarks (ms). */
  bookmarkIntervalMs: number;
  /** Compact the store every N seconds to the revision seen N seconds earlier (0 = never; kube: 300). */
  compactionIntervalSeconds: number;
}

export const defaultOptions: ApiServerOptions = {
  dataDir: '.keelson',
  bindAddress: '127.0.0.1',
  securePort: 6443,
  etcdServers: [],
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  watchCache: true,
  writeKubeconfig: true,
  minRequestTimeout: 1800,
  bookmarkIntervalMs: 60_000,
  compactionIntervalSeconds: 300,
};
