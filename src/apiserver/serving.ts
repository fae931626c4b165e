// How the apiserver serves: TLS on --secure-port with the cluster's certificates (generated
// under <data-dir>/pki on first start, as kubeadm lays them out, reused and renewed after), or
// the files given by --tls-cert-file/--tls-private-key-file/--client-ca-file. The serving
// certificate names localhost, 127.0.0.1, this host's names and addresses, the kubernetes
// Service IP and DNS names, and any --tls-san.
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { ensureClusterPki, type ClusterPki } from '../auth/pki/cluster-pki.js';
import type { ApiServerOptions } from './options.js';

export interface ServingConfig {
  cert: string;
  key: string;
  /** CA(s) that sign client certificates. */
  clientCa: string;
  /** The CA clients verify the server with (for kubeconfigs). */
  serverCa?: string;
  /** The generated cluster PKI (absent when every file was given). */
  pki?: ClusterPki;
}

/** This host's names and addresses, for the serving certificate. */
export function hostAddresses(bindAddress: string): string[] {
  const out = new Set<string>([hostname().toLowerCase()]);
  if (bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::') out.add(bindAddress);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') out.add(a.address);
  return [...out];
}

/** The address other hosts and pods reach this apiserver at. */
export function advertiseAddress(o: Pick<ApiServerOptions, 'bindAddress' | 'advertiseAddress'>): string {
  if (o.advertiseAddress) return o.advertiseAddress;
  if (o.bindAddress && o.bindAddress !== '0.0.0.0' && o.bindAddress !== '::') return o.bindAddress === 'localhost' ? '127.0.0.1' : o.bindAddress;
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  return '127.0.0.1';
}

export async function servingConfig(o: ApiServerOptions, serviceIP: string): Promise<ServingConfig> {
  const needPki = !o.tlsCertFile || !o.tlsPrivateKeyFile || !o.clientCaFile;
  const pki = needPki ? await ensureClusterPki(o.dataDir, { hosts: [...hostAddresses(o.bindAddress), advertiseAddress(o), ...o.tlsSanHosts], serviceIP }) : undefined;
  const cert = o.tlsCertFile ? readFileSync(o.tlsCertFile, 'utf8') : pki!.apiserver.cert;
  const key = o.tlsPrivateKeyFile ? readFileSync(o.tlsPrivateKeyFile, 'utf8') : pki!.apiserver.key;
  const clientCa = o.clientCaFile ? readFileSync(o.clientCaFile, 'utf8') : pki!.ca.cert;
  return { cert, key, clientCa, serverCa: o.tlsCertFile ? undefined : pki?.ca.cert, pki };
}
