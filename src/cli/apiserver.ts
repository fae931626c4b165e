// `keelson apiserver`: the Kubernetes API server, with kube-apiserver's flag names.
import { InvalidArgumentError, type Command } from 'commander';
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
  advertiseAddress?: string;
  etcdServers?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  watchCache: string | boolean;
  insecurePort: number;
  writeKubeconfig?: string;
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
  mergeKubeconfig?: boolean;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  tlsSan: string[];
  anonymousAuth: string | boolean;
  tokenAuthFile?: string;
  enableBootstrapTokenAuth: string | boolean;
  serviceAccountKeyFile: string[];
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuer: string;
  apiAudiences?: string;
  serviceAccountMaxTokenExpiration: string;
  authorizationMode: string;
  enableAdmissionPlugins?: string;
  disableAdmissionPlugins?: string;
  encryptionProviderConfig?: string;
  auditLogPath?: string;
  auditPolicyFile?: string;
  auditLogFormat: 'json' | 'legacy';
  auditLogMaxsize: number;
  auditLogMaxbackup: number;
  auditLogMaxage: number;
  admissionControlConfigFile?: string;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
const collect = (v: string, acc: string[]) => [...acc, ...list(v)];

/** A Go-style duration ("48h", "1h30m", "3600s") or plain seconds, in seconds. */
export function durationSeconds(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let total = 0;
  let seen = '';
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * ({ h: 3600, m: 60, s: 1, ms: 0.001 } as Record<string, number>)[m[2]];
    seen += m[0];
  }
  if (seen !== v) throw new Error(`not a duration: ${v}`);
  return total;
}

/** Add the apiserver's flags to a command (shared with `keelson server`). */
export function apiserverFlags(cmd: Command, defaultPort: number): Command {
  return cmd
    .option('--data-dir <dir>', 'directory for the embedded store and admin.kubeconfig', '.keelson')
    .option('--secure-port <port>', 'port to serve the API on', int, defaultPort)
    .option('--bind-address <ip>', 'address the secure port listens on', defaultOptions.bindAddress)
    .option('--advertise-address <ip>', "address published as the kubernetes Service's endpoint (default: the bind address, or this host's IPv4)")
    .option('--etcd-servers <urls>', 'comma-separated etcd URLs (default: the embedded store)')
    .option('--etcd-cafile <file>', 'CA to verify etcd')
    .option('--etcd-certfile <file>', 'client certificate for etcd')
    .option('--etcd-keyfile <file>', 'client key for etcd')
    .option('--service-cluster-ip-range <cidr>', 'CIDR for Service ClusterIPs', defaultOptions.serviceClusterIPRange)
    .option('--service-node-port-range <range>', 'port range for NodePorts', defaultOptions.serviceNodePortRange)
    .option('--max-requests-inflight <n>', 'limit of non-mutating requests in flight (0 = none)', int, defaultOptions.maxRequestsInflight)
    .option('--max-mutating-requests-inflight <n>', 'limit of mutating requests in flight (0 = none)', int, defaultOptions.maxMutatingRequestsInflight)
    .option('--watch-cache [bool]', 'serve lists and watches from memory', true)
    .option('--write-kubeconfig <file>', "write the admin's kubeconfig here (default: <data-dir>/admin.kubeconfig)")
    .option('--merge-kubeconfig', "also merge the admin's credentials into $KUBECONFIG or ~/.kube/config (context \"keelson\")")
    .option('--insecure-port <port>', 'also serve plain HTTP on 127.0.0.1:<port> without authentication or authorization (debugging only; 0 = off)', int, 0)
    .option('--tls-cert-file <file>', 'serving certificate (default: <data-dir>/pki/apiserver.crt, generated)')
    .option('--tls-private-key-file <file>', 'serving key (default: <data-dir>/pki/apiserver.key)')
    .option('--tls-san <host>', 'extra name or IP for the generated serving certificate (repeatable)', collect, [] as string[])
    .option('--client-ca-file <file>', 'CA for client certificates (default: <data-dir>/pki/ca.crt)')
    .option('--anonymous-auth [bool]', 'treat requests without credentials as system:anonymous', true)
    .option('--token-auth-file <file>', "static bearer tokens, kube's CSV format: token,user,uid,\"group1,group2\"")
    .option('--enable-bootstrap-token-auth [bool]', 'accept bootstrap tokens (kube-system secrets of type bootstrap.kubernetes.io/token)', true)
    .option('--service-account-key-file <file>', 'public key that verifies service account tokens (repeatable; default: <data-dir>/pki/sa.pub)', collect, [] as string[])
    .option('--service-account-signing-key-file <file>', 'private key that signs service account tokens (default: <data-dir>/pki/sa.key)')
    .option('--service-account-issuer <iss>', 'issuer of service account tokens', defaultOptions.serviceAccountIssuer)
    .option('--api-audiences <list>', 'audiences of the API (default: the issuer)')
    .option('--service-account-max-token-expiration <duration>', 'longest lifetime of a requested token', '48h')
    .option('--authorization-mode <modes>', 'ordered authorizers: Node, RBAC, AlwaysAllow, AlwaysDeny', defaultOptions.authorizationMode.join(','))
    .option('--enable-admission-plugins <list>', 'admission plugins to enable besides the defaults')
    .option('--disable-admission-plugins <list>', 'default admission plugins to disable')
    .option('--admission-control-config-file <file>', 'AdmissionConfiguration with per-plugin configuration (PodSecurity defaults and exemptions)')
    .option('--encryption-provider-config <file>', 'EncryptionConfiguration for data at rest')
    .option('--audit-log-path <file>', 'write audit events as JSON lines here ("-" = stdout)')
    .option('--kubelet-client-certificate <file>', 'client certificate to kubelets (default: <data-dir>/pki/apiserver-kubelet-client.crt)')
    .option('--kubelet-client-key <file>', 'client key to kubelets')
    .option('--kubelet-certificate-authority <file>', "CA to verify kubelets' serving certificates (default: not verified, as kube)")
    .option('--audit-policy-file <file>', 'audit Policy (levels None, Metadata, Request, RequestResponse)')
    .option('--audit-log-format <format>', 'format of the audit log: json or legacy (one text line per event)', auditLogFormat, 'json' as const)
    .option('--audit-log-maxsize <mb>', 'rotate the audit log when it reaches this many megabytes (0 = 100, the default of the rotation kube uses)', int, 0)
    .option('--audit-log-maxbackup <n>', 'rotated audit logs to keep (0 = all, subject to --audit-log-maxage)', int, 0)
    .option('--audit-log-maxage <days>', 'days to keep rotated audit logs (0 = forever)', int, 0);
}

function auditLogFormat(v: string): 'json' | 'legacy' {
  if (v !== 'json' && v !== 'legacy') throw new InvalidArgumentError(`invalid audit log format ${v}, allowed formats are "json,legacy"`);
  return v;
}

export function startOptions(f: ApiserverFlags) {
  return {
    dataDir: resolve(f.dataDir),
    securePort: f.securePort,
    bindAddress: f.bindAddress,
    advertiseAddress: f.advertiseAddress,
    etcdServers: f.etcdServers ? f.etcdServers.split(',').map((s) => s.trim()).filter(Boolean) : [],
    etcdCaFile: f.etcdCafile,
    etcdCertFile: f.etcdCertfile,
    etcdKeyFile: f.etcdKeyfile,
    serviceClusterIPRange: f.serviceClusterIpRange,
    serviceNodePortRange: f.serviceNodePortRange,
    maxRequestsInflight: f.maxRequestsInflight,
    maxMutatingRequestsInflight: f.maxMutatingRequestsInflight,
    watchCache: parseBool(f.watchCache),
    insecurePort: f.insecurePort,
    writeKubeconfigPath: f.writeKubeconfig && resolve(f.writeKubeconfig),
    mergeKubeconfig: !!f.mergeKubeconfig,
    kubeletClientCertificate: f.kubeletClientCertificate && resolve(f.kubeletClientCertificate),
    kubeletClientKey: f.kubeletClientKey && resolve(f.kubeletClientKey),
    kubeletCertificateAuthority: f.kubeletCertificateAuthority && resolve(f.kubeletCertificateAuthority),
    tlsCertFile: f.tlsCertFile && resolve(f.tlsCertFile),
    tlsPrivateKeyFile: f.tlsPrivateKeyFile && resolve(f.tlsPrivateKeyFile),
    clientCaFile: f.clientCaFile && resolve(f.clientCaFile),
    tlsSanHosts: f.tlsSan,
    anonymousAuth: parseBool(f.anonymousAuth),
    tokenAuthFile: f.tokenAuthFile && resolve(f.tokenAuthFile),
    enableBootstrapTokenAuth: parseBool(f.enableBootstrapTokenAuth),
    serviceAccountKeyFiles: f.serviceAccountKeyFile.map((p) => resolve(p)),
    serviceAccountSigningKeyFile: f.serviceAccountSigningKeyFile && resolve(f.serviceAccountSigningKeyFile),
    serviceAccountIssuer: f.serviceAccountIssuer,
    apiAudiences: list(f.apiAudiences),
    serviceAccountMaxTokenExpirationSeconds: durationSeconds(f.serviceAccountMaxTokenExpiration),
    authorizationMode: list(f.authorizationMode),
    enableAdmissionPlugins: list(f.enableAdmissionPlugins),
    disableAdmissionPlugins: list(f.disableAdmissionPlugins),
    encryptionProviderConfig: f.encryptionProviderConfig && resolve(f.encryptionProviderConfig),
    auditLogPath: f.auditLogPath && f.auditLogPath !== '-' ? resolve(f.auditLogPath) : f.auditLogPath,
    auditPolicyFile: f.auditPolicyFile && resolve(f.auditPolicyFile),
    auditLogFormat: f.auditLogFormat,
    auditLogMaxSize: f.auditLogMaxsize,
    auditLogMaxBackup: f.auditLogMaxbackup,
    auditLogMaxAge: f.auditLogMaxage,
    admissionControlConfigFile: f.admissionControlConfigFile && resolve(f.admissionControlConfigFile),
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
