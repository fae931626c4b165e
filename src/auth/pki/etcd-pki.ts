// The etcd certificates of a kubeadm cluster, under <data-dir>/pki/etcd with kubeadm's names:
//   ca.crt/key                  etcd CA (separate from the cluster CA)
//   server.crt/key              etcd serving cert: localhost, 127.0.0.1, the host's names/addresses
//   healthcheck-client.crt/key  a client cert for etcdctl (CN=kube-etcd-healthcheck-client)
// keelson serves its embedded store over TLS with client-certificate authentication with these,
// so `etcdctl --cacert pki/etcd/ca.crt --cert pki/etcd/healthcheck-client.crt --key
// pki/etcd/healthcheck-client.key` works as on a kubeadm control-plane node.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA } from './certs.js';
import { ensureLeafIn, readPair } from './cluster-pki.js';

export interface EtcdPki {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

export async function ensureEtcdPki(dataDir: string, hosts: string[]): Promise<EtcdPki> {
  const dir = join(dataDir, 'pki', 'etcd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = readPair(dir, 'ca');
  if (!ca) {
    ca = await createCA('etcd-ca');
    writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.crt'), ca.cert, { mode: 0o644 });
  }
  const renew = 90 * 86_400_000;
  await ensureLeafIn(dir, 'server', ca, { commonName: 'kube-etcd', hosts: ['localhost', '127.0.0.1', ...hosts], usage: 'both' }, renew);
  await ensureLeafIn(dir, 'healthcheck-client', ca, { commonName: 'kube-etcd-healthcheck-client', usage: 'client' }, renew);
  if (!existsSync(join(dir, 'server.crt'))) throw new Error(`etcd certificates missing in ${dir}`);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'healthcheck-client.crt'),
    clientKeyFile: join(dir, 'healthcheck-client.key'),
  };
}
