// apiserver options with kube-apiserver's flag names and defaults.
export interface ApiServerOptions {
  /** Embedded store directory (also where admin.kubeconfig is written). */
  dataDir: string;
  /** Where the secure port listens (kube default 0.0.0.0: all interfaces). */
  bindAddress: string;
  /** The address published in the `kubernetes` Service's endpoints (`--advertise-address`);
   * default: the bind address, or this host's first non-loopback IPv4 when binding all. */
  advertiseAddress?: string;
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
  /** Where to write it (`--write-kubeconfig`; default <dataDir>/admin.kubeconfig). */
  writeKubeconfigPath?: string;
  /** Also merge it into $KUBECONFIG (its first file) or ~/.kube/config (`--merge-kubeconfig`). */
  mergeKubeconfig: boolean;
  /** Watch timeout when a client gives none: random in [min, max) seconds (kube: 30-60 min). */
  minRequestTimeout: number;
  /** Interval of watch bookmarks (ms). */
  bookmarkIntervalMs: number;
  /** Compact the store every N seconds to the revision seen N seconds earlier (0 = never; kube: 300). */
  compactionIntervalSeconds: number;

  // --- Security (TLS, authentication, authorization, admission, encryption, audit) ---
  /** Also serve plain HTTP on 127.0.0.1:<port> for debugging (`--insecure-port`, kube's old flag; 0 = off):
   * no authentication or authorization there, every request acts as the cluster admin. */
  insecurePort: number;
  /** Serving certificate and key (`--tls-cert-file`, `--tls-private-key-file`); default: <dataDir>/pki/apiserver.{crt,key}. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** CA that signs client certificates (`--client-ca-file`); default: <dataDir>/pki/ca.crt. */
  clientCaFile?: string;
  /** Extra SANs (names/IPs) for the generated serving certificate. */
  tlsSanHosts: string[];
  /** Requests without credentials are system:anonymous (kube default true). */
  anonymousAuth: boolean;
  /** Static token file in kube's CSV format: token,user,uid,"group1,group2". */
  tokenAuthFile?: string;
  /** Bootstrap tokens (kube-system secrets of type bootstrap.kubernetes.io/token). */
  enableBootstrapTokenAuth: boolean;
  /** Public keys that verify service account tokens; default: <dataDir>/pki/sa.pub. */
  serviceAccountKeyFiles: string[];
  /** Private key that signs service account tokens; default: <dataDir>/pki/sa.key. */
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuer: string;
  /** Audiences of the API (tokens must carry one); default: [serviceAccountIssuer]. */
  apiAudiences: string[];
  /** Longest lifetime of a requested token, seconds (kube: --service-account-max-token-expiration). */
  serviceAccountMaxTokenExpirationSeconds: number;
  /** Authorizers in order: Node, RBAC, AlwaysAllow, AlwaysDeny. */
  authorizationMode: string[];
  /** Admission plugins on top of the defaults (`--enable-admission-plugins`) and ones taken off. */
  enableAdmissionPlugins: string[];
  disableAdmissionPlugins: string[];
  /** kube's AdmissionConfiguration (`--admission-control-config-file`): per-plugin configuration (PodSecurity's defaults and exemptions). */
  admissionControlConfigFile?: string;
  /** kube's EncryptionConfiguration file (`--encryption-provider-config`). */
  encryptionProviderConfig?: string;
  /** Audit log as JSON lines (`--audit-log-path`, "-" = stdout) and its policy (`--audit-policy-file`). */
  auditLogPath?: string;
  auditPolicyFile?: string;
  /** `--audit-log-format`: json (default) or legacy (one text line per event). */
  auditLogFormat?: 'json' | 'legacy';
  /** Rotation (`--audit-log-maxsize` MB, 0 = lumberjack's 100 MB as kube; `--audit-log-maxbackup` files and `--audit-log-maxage` days, 0 = no limit). */
  auditLogMaxSize?: number;
  auditLogMaxBackup?: number;
  auditLogMaxAge?: number;
  /** The apiserver's client certificate to kubelets (default: <dataDir>/pki/apiserver-kubelet-client.{crt,key}). */
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  /** CA to verify kubelets' serving certificates (default: none, not verified, as kube). */
  kubeletCertificateAuthority?: string;
}

export const defaultOptions: ApiServerOptions = {
  dataDir: '.keelson',
  bindAddress: '0.0.0.0',
  securePort: 6443,
  etcdServers: [],
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  watchCache: true,
  writeKubeconfig: true,
  mergeKubeconfig: false,
  minRequestTimeout: 1800,
  bookmarkIntervalMs: 60_000,
  compactionIntervalSeconds: 300,
  insecurePort: 0,
  tlsSanHosts: [],
  anonymousAuth: true,
  enableBootstrapTokenAuth: true,
  serviceAccountKeyFiles: [],
  serviceAccountIssuer: 'https://kubernetes.default.svc.cluster.local',
  apiAudiences: [],
  serviceAccountMaxTokenExpirationSeconds: 48 * 3600,
  authorizationMode: ['Node', 'RBAC'],
  enableAdmissionPlugins: [],
  disableAdmissionPlugins: [],
};
