// The certificates and kubeconfigs `keelson init` makes up front, as `kubeadm init` does in its
// certs and kubeconfig phases: the cluster PKI under <data-dir>/pki (cluster-pki.ts: CA,
// apiserver, apiserver-kubelet-client, front-proxy, sa key pair, admin), the etcd PKI under
// <data-dir>/pki/etcd (etcd-pki.ts) plus apiserver-etcd-client (signed by the etcd CA), and one
// kubeconfig per component with its own client certificate: admin, controller-manager,
// scheduler and kubelet (system:node:<node>, group system:nodes), named <data-dir>/<name>.kubeconfig
// (kubeadm: /etc/kubernetes/<name>.conf). Everything is reused on a second run.
import { join } from 'node:path';
import { ensureClientCert, ensureClusterPki, ensureLeafIn, readPair } from '../auth/pki/cluster-pki.js';
import { ensureEtcdPki } from '../auth/pki/etcd-pki.js';
import { writeKubeconfig } from '../auth/pki/kubeconfig-file.js';
import { hostAddresses } from '../apiserver/serving.js';
import { controllerManagerIdentity, kubeletIdentity, schedulerIdentity, type Identity } from './credentials.js';

export interface InitPkiOptions {
  dataDir: string;
  nodeName: string;
  /** https://<advertise address>:<port>: the server of every kubeconfig. */
  server: string;
  advertiseAddress: string;
  /** The kubernetes Service's ClusterIP (in the apiserver certificate). */
  serviceIP: string;
}

export interface InitPki {
  pkiDir: string;
  /** <data-dir>/<name>.kubeconfig of admin, controller-manager, scheduler, kubelet. */
  kubeconfigs: Record<'admin' | 'controller-manager' | 'scheduler' | 'kubelet', string>;
  etcd: { caFile: string; serverCertFile: string; serverKeyFile: string; clientCertFile: string; clientKeyFile: string; apiserverCertFile: string; apiserverKeyFile: string };
}

export async function ensureInitPki(o: InitPkiOptions): Promise<InitPki> {
  const hosts = [...new Set([...hostAddresses('0.0.0.0'), o.advertiseAddress])];
  const pki = await ensureClusterPki(o.dataDir, { hosts, serviceIP: o.serviceIP });
  const etcd = await ensureEtcdPki(o.dataDir, hosts);
  const etcdCa = readPair(etcd.dir, 'ca')!;
  await ensureLeafIn(pki.dir, 'apiserver-etcd-client', etcdCa, { commonName: 'kube-apiserver-etcd-client', usage: 'client' }, 90 * 86_400_000);
  const kubeconfig = async (id: Identity): Promise<string> => {
    const pair = await ensureClientCert(pki.dir, id.name, id.user, id.groups ?? []);
    const path = join(o.dataDir, `${id.name}.kubeconfig`);
    writeKubeconfig(path, { server: o.server, clusterName: 'keelson', userName: id.user, contextName: 'keelson', caCert: pki.ca.cert, clientCert: pair.cert, clientKey: pair.key });
    return path;
  };
  const admin = join(o.dataDir, 'admin.kubeconfig');
  writeKubeconfig(admin, { server: o.server, clusterName: 'keelson', userName: 'keelson-admin', contextName: 'keelson', caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key });
  return {
    pkiDir: pki.dir,
    kubeconfigs: {
      admin,
      'controller-manager': await kubeconfig(controllerManagerIdentity),
      scheduler: await kubeconfig(schedulerIdentity),
      kubelet: await kubeconfig(kubeletIdentity(o.nodeName)),
    },
    etcd: {
      caFile: etcd.caFile,
      serverCertFile: etcd.certFile,
      serverKeyFile: etcd.keyFile,
      clientCertFile: etcd.clientCertFile,
      clientKeyFile: etcd.clientKeyFile,
      apiserverCertFile: join(pki.dir, 'apiserver-etcd-client.crt'),
      apiserverKeyFile: join(pki.dir, 'apiserver-etcd-client.key'),
    },
  };
}
