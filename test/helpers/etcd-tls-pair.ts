// A `keelson etcd` and a real etcd served with the same TLS certificates and client-certificate
// authentication, for differential suites: the same etcdctl flags reach both.
import { makeCerts, startKeelsonEtcd, tempDir, type KeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';
import { startEtcd, type StartedEtcd } from './etcd.js';

export interface EtcdTlsPair {
  keelson: KeelsonEtcd;
  etcd: StartedEtcd;
  certs: Awaited<ReturnType<typeof makeCerts>>;
  /** etcdctl's TLS flags (CA, client certificate and key). */
  flags: string[];
  stop(): Promise<void>;
}

export async function startEtcdTlsPair(prefix: string): Promise<EtcdTlsPair> {
  const d = await tempDir(prefix);
  const c = await makeCerts(d.dir);
  const k = await startKeelsonEtcd({ tls: { certFile: c.serverCert, keyFile: c.serverKey, caFile: c.ca, clientCertAuth: true } });
  let e: StartedEtcd;
  try {
    e = await startEtcd({ tls: { certFile: c.serverCert, keyFile: c.serverKey, clientCaFile: c.ca, probe: { caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey } } });
  } catch (err) {
    await k.stop();
    await d.remove();
    throw err;
  }
  return {
    keelson: k,
    etcd: e,
    certs: c,
    flags: ['--cacert', c.ca, '--cert', c.clientCert, '--key', c.clientKey],
    stop: async () => {
      await k.stop();
      await e.stop();
      await d.remove();
    },
  };
}
