// Credentials of the components `keelson server` runs, as kubeadm gives each its own kubeconfig
// (scheduler.conf, controller-manager.conf, kubelet.conf): a client certificate signed by the
// cluster CA naming the component's user, so RBAC and the Node authorizer see who is asking.
// The files are written under the data dir too (<name>.kubeconfig) for running a component as
// its own process. Simulated nodes share the admin's credentials (as kwok does): one certificate
// per simulated node would not scale to thousands, and they are a test device.
import { join } from 'node:path';
import type { ApiServer } from '../apiserver/index.js';
import { ensureClientCert } from '../auth/pki/cluster-pki.js';
import { writeKubeconfig } from '../auth/pki/kubeconfig-file.js';
import { loadKubeconfig, type ClientConfig } from '../client/kubeconfig.js';

export interface Identity {
  /** File stem: <dataDir>/<name>.kubeconfig and pki/<name>.{crt,key}. */
  name: string;
  user: string;
  groups?: string[];
}

export const schedulerIdentity: Identity = { name: 'scheduler', user: 'system:kube-scheduler' };
export const controllerManagerIdentity: Identity = { name: 'controller-manager', user: 'system:kube-controller-manager' };
export const kubeletIdentity = (node: string): Identity => ({ name: 'kubelet', user: `system:node:${node}`, groups: ['system:nodes'] });

/** A client config (and kubeconfig file) for `id`; the admin's when the PKI is not ours. */
export async function componentConfig(api: ApiServer, dataDir: string, id: Identity): Promise<ClientConfig> {
  if (!api.pkiDir || !api.caCert) return api.kubeconfigPath ? loadKubeconfig(api.kubeconfigPath) : { server: api.url };
  const pair = await ensureClientCert(api.pkiDir, id.name, id.user, id.groups ?? []);
  writeKubeconfig(join(dataDir, `${id.name}.kubeconfig`), { server: api.url, clusterName: 'keelson', userName: id.user, contextName: 'keelson', caCert: api.caCert, clientCert: pair.cert, clientKey: pair.key });
  return { server: api.url, ca: Buffer.from(api.caCert), cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) };
}
