// The kubelet server's TLS: its serving certificate and the CA it verifies clients (the
// apiserver) with. Given files (--tls-cert-file, --tls-private-key-file, --client-ca-file) are
// used as they are; otherwise, as the real kubelet, a self-signed certificate for the node's
// names and addresses is made once under <root-dir>/pki (kubelet.crt/key), and the client CA
// defaults to the CA of the kubelet's kubeconfig (the cluster CA, which also signs the
// apiserver's kubelet client certificate; a keelson default).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, inspectCert, issueCert } from '../../auth/pki/certs.js';

export interface KubeletTls {
  cert: string;
  key: string;
  clientCa: string;
}

export interface KubeletTlsOptions {
  rootDir: string;
  nodeName: string;
  hosts: string[];
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  /** The CA of the kubelet's kubeconfig (default client CA). */
  kubeconfigCa?: Buffer;
  /** A serving certificate made elsewhere (keelson server issues one from the cluster CA). */
  serving?: { cert: string; key: string };
}

/** The TLS of the kubelet server; undefined when there is no CA to verify clients with (a
 * kubeconfig for the apiserver's plain-HTTP debugging port): the server then serves plain
 * HTTP without authentication, for debugging only. */
export async function kubeletTls(o: KubeletTlsOptions): Promise<KubeletTls | undefined> {
  const clientCa = o.clientCaFile ? readFileSync(o.clientCaFile, 'utf8') : o.kubeconfigCa?.toString('utf8');
  if (!clientCa) return undefined;
  if (o.serving) return { ...o.serving, clientCa };
  if (o.tlsCertFile && o.tlsPrivateKeyFile) return { cert: readFileSync(o.tlsCertFile, 'utf8'), key: readFileSync(o.tlsPrivateKeyFile, 'utf8'), clientCa };
  const dir = join(o.rootDir, 'pki');
  const crt = join(dir, 'kubelet.crt');
  const keyPath = join(dir, 'kubelet.key');
  const hosts = [...new Set([o.nodeName, ...o.hosts])];
  if (existsSync(crt) && existsSync(keyPath)) {
    const have = readFileSync(crt, 'utf8');
    const info = inspectCert(have);
    if (info.notAfter.getTime() > Date.now() + 86_400_000 && hosts.every((h) => info.sans.includes(h))) return { cert: have, key: readFileSync(keyPath, 'utf8'), clientCa };
  }
  const ca = await createCA(`${o.nodeName}-ca@${Math.floor(Date.now() / 1000)}`, 365);
  const pair = await issueCert(ca, { commonName: `${o.nodeName}@${Math.floor(Date.now() / 1000)}`, hosts, usage: 'server' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  // The chain: the leaf, then the CA that signed it (PEM blocks each on their own lines).
  const chain = `${pair.cert.trimEnd()}\n${ca.cert.trimEnd()}\n`;
  writeFileSync(crt, chain, { mode: 0o644 });
  return { cert: chain, key: pair.key, clientCa };
}
