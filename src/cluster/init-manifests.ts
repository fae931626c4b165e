// The control plane `keelson init` lays out, as `kubeadm init` writes /etc/kubernetes/manifests:
// one component each for etcd, kube-apiserver, kube-controller-manager and kube-scheduler, with
// kubeadm's flags and file layout, as an argv (`<keelson> <component> --flag=value ...`) that
// becomes both a static pod (hostNetwork, kube-system, labels component/tier=control-plane,
// priorityClassName system-node-critical) and a systemd unit (init-systemd.ts).
// Diverges from kubeadm: the container command is the keelson binary on the host (the process
// runtime ignores the image), the data dir replaces /etc/kubernetes and /var/lib/etcd, there are
// no liveness/startup probes yet, and the etcd container carries ETCDCTL_* variables so that
// `kubectl exec etcd-<node> -n kube-system -- etcdctl ...` reaches the TLS endpoint as-is.
import { join } from 'node:path';
import type { InitPki } from './init-pki.js';

export interface ControlPlaneOptions {
  /** Absolute path of the keelson executable. */
  keelson: string;
  dataDir: string;
  nodeName: string;
  advertiseAddress: string;
  apiserverPort: number;
  etcdPort: number;
  controllerManagerPort: number;
  schedulerPort: number;
  pki: InitPki;
}

export interface ControlPlaneComponent {
  /** The static pod's (and systemd unit's) name: etcd, kube-apiserver, ... */
  name: string;
  /** keelson's subcommand. */
  command: string;
  description: string;
  argv: string[];
  env: Record<string, string>;
  /** Units this one comes after (systemd). */
  after: string[];
}

export function controlPlaneComponents(o: ControlPlaneOptions): ControlPlaneComponent[] {
  const pki = o.pki.pkiDir;
  const etcdUrl = `https://127.0.0.1:${o.etcdPort}`;
  const e = o.pki.etcd;
  return [
    {
      name: 'etcd',
      command: 'etcd',
      description: 'etcd (keelson etcd: the etcd v3 API over the embedded store)',
      argv: [o.keelson, 'etcd', `--name=${o.nodeName}`, `--data-dir=${join(o.dataDir, 'etcd')}`, `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`, `--cert-file=${e.serverCertFile}`, `--key-file=${e.serverKeyFile}`, `--trusted-ca-file=${e.caFile}`, '--client-cert-auth=true'],
      env: { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: etcdUrl, ETCDCTL_CACERT: e.caFile, ETCDCTL_CERT: e.clientCertFile, ETCDCTL_KEY: e.clientKeyFile },
      after: [],
    },
    {
      name: 'kube-apiserver',
      command: 'apiserver',
      description: 'Kubernetes API server (keelson apiserver)',
      argv: [
        o.keelson,
        'apiserver',
        `--data-dir=${o.dataDir}`,
        `--advertise-address=${o.advertiseAddress}`,
        `--secure-port=${o.apiserverPort}`,
        `--etcd-servers=${etcdUrl}`,
        `--etcd-cafile=${e.caFile}`,
        `--etcd-certfile=${e.apiserverCertFile}`,
        `--etcd-keyfile=${e.apiserverKeyFile}`,
        `--service-account-key-file=${join(pki, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
        `--kubelet-client-certificate=${join(pki, 'apiserver-kubelet-client.crt')}`,
        `--kubelet-client-key=${join(pki, 'apiserver-kubelet-client.key')}`,
        '--authorization-mode=Node,RBAC',
        '--enable-bootstrap-token-auth=true',
      ],
      env: {},
      after: ['etcd'],
    },
    {
      name: 'kube-controller-manager',
      command: 'controller-manager',
      description: 'Kubernetes controller manager (keelson controller-manager)',
      argv: [
        o.keelson,
        'controller-manager',
        `--kubeconfig=${o.pki.kubeconfigs['controller-manager']}`,
        `--secure-port=${o.controllerManagerPort}`,
        '--controllers=*,bootstrapsigner,tokencleaner',
        '--leader-elect=true',
        `--service-account-private-key-file=${join(pki, 'sa.key')}`,
        `--cluster-signing-cert-file=${join(pki, 'ca.crt')}`,
        `--cluster-signing-key-file=${join(pki, 'ca.key')}`,
        `--root-ca-file=${join(pki, 'ca.crt')}`,
        `--local-path-dir=${join(o.dataDir, 'storage')}`,
      ],
      env: {},
      after: ['kube-apiserver'],
    },
    {
      name: 'kube-scheduler',
      command: 'scheduler',
      description: 'Kubernetes scheduler (keelson scheduler)',
      argv: [o.keelson, 'scheduler', `--kubeconfig=${o.pki.kubeconfigs.scheduler}`, `--secure-port=${o.schedulerPort}`, '--leader-elect=true'],
      env: {},
      after: ['kube-apiserver'],
    },
  ];
}

/** The static pod manifest of a component (kubeadm's layout). */
export function staticPodManifest(c: ControlPlaneComponent, dataDir: string): Record<string, unknown> {
  const env = Object.entries(c.env).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: c.name, namespace: 'kube-system', labels: { component: c.name, tier: 'control-plane' } },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      containers: [
        {
          name: c.name,
          image: 'keelson',
          imagePullPolicy: 'Never',
          command: c.argv,
          ...(env.length ? { env } : {}),
          volumeMounts: [{ name: 'keelson-data', mountPath: dataDir }],
        },
      ],
      volumes: [{ name: 'keelson-data', hostPath: { path: dataDir, type: 'DirectoryOrCreate' } }],
    },
  };
}

/** The kubelet that runs these static pods (printed by `keelson init`, and its systemd unit). */
export function kubeletArgv(o: { keelson: string; dataDir: string; nodeName: string; kubeconfig: string; manifests?: string }): string[] {
  return [o.keelson, 'kubelet', '--runtime=process', `--kubeconfig=${o.kubeconfig}`, `--hostname-override=${o.nodeName}`, `--data-dir=${o.dataDir}`, ...(o.manifests ? [`--pod-manifest-path=${o.manifests}`] : [])];
}
