// The certificates a kubeadm cluster has, under <data-dir>/pki with kubeadm's file names:
//   ca.crt/key                      cluster CA (10 years)
//   apiserver.crt/key               apiserver serving cert: localhost, 127.0.0.1, the node's
//                                   names and addresses, the kubernetes service IP and DNS names
//   apiserver-kubelet-client.crt/key  apiserver -> kubelet client (O=system:masters)
//   front-proxy-ca.crt/key, front-proxy-client.crt/key
//   sa.key/sa.pub                   service-account token signing key pair
//   admin.crt/key                   cluster admin (CN=kubernetes-admin, O=system:masters)
// Created on first start, reused after, keys written 0600. Leaf certificates that expire within
// `renewBeforeDays` or whose SANs no longer cover the requested hosts are re-issued on start
// (k3s users suffer from certificates that silently expire).
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, chmodSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { createCA, inspectCert, issueCert, type CertSpec, type KeyPairPem } from './certs.js';

export interface ClusterPkiOptions {
  /** Extra DNS names / IPs for the apiserver cert (node hostname and addresses). */
  hosts?: string[];
  /** The kubernetes Service's ClusterIP (first address of the service range). */
  serviceIP?: string;
  dnsDomain?: string;
  renewBeforeDays?: number;
}

export interface ClusterPki {
  dir: string;
  ca: KeyPairPem;
  apiserver: KeyPairPem;
  apiserverKubeletClient: KeyPairPem;
  frontProxyCa: KeyPairPem;
  frontProxyClient: KeyPairPem;
  admin: KeyPairPem;
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** Names of the certificates created or renewed by this call. */
  issued: string[];
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export function readPair(dir: string, name: string): KeyPairPem | undefined {
  const c = join(dir, `${name}.crt`);
  const k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
}

function writePair(dir: string, name: string, p: KeyPairPem): void {
  writeAtomic(join(dir, `${name}.key`), p.key, 0o600);
  writeAtomic(join(dir, `${name}.crt`), p.cert, 0o644);
}

export async function ensureLeafIn(dir: string, name: string, ca: KeyPairPem, spec: CertSpec, renewBefore: number): Promise<{ pair: KeyPairPem; issued: boolean }> {
  const have = readPair(dir, name);
  if (have) {
    const info = inspectCert(have.cert);
    const coversHosts = (spec.hosts ?? []).every((h) => info.sans.includes(h));
    const sameSubject = subjectKey(info.subject) === subjectKey(subjectOf(spec));
    if (info.notAfter.getTime() - Date.now() > renewBefore && coversHosts && sameSubject && info.issuedBy(ca.cert)) return { pair: have, issued: false };
  }
  const pair = await issueCert(ca, spec);
  writePair(dir, name, pair);
  return { pair, issued: true };
}

const subjectOf = (spec: CertSpec) => [`CN=${spec.commonName}`, ...(spec.organizations ?? []).map((o) => `O=${o}`)].join('\n');
/** CN and O attributes of a subject in Node's form ("CN=x\nO=y"), order-independent. */
const subjectKey = (s: string) =>
  s
    .split('\n')
    .filter((l) => /^(CN|O)=/.test(l))
    .sort()
    .join('\n');

/**
 * A client certificate signed by the cluster CA for a component or user (kubeadm's
 * scheduler.conf, controller-manager.conf, kubelet.conf): <dataDir>/pki/<name>.{crt,key},
 * reused while valid and of the same subject.
 */
export async function ensureClientCert(pkiDir: string, name: string, commonName: string, organizations: string[] = []): Promise<KeyPairPem> {
  const ca = readPair(pkiDir, 'ca');
  if (!ca) throw new Error(`no cluster CA in ${pkiDir}`);
  const r = await ensureLeafIn(pkiDir, name, ca, { commonName, organizations, usage: 'client' }, 90 * 86_400_000);
  return r.pair;
}

/** A serving certificate signed by the cluster CA (a kubelet's, in `keelson server`). */
export async function ensureServingCert(pkiDir: string, name: string, commonName: string, hosts: string[]): Promise<KeyPairPem> {
  const ca = readPair(pkiDir, 'ca');
  if (!ca) throw new Error(`no cluster CA in ${pkiDir}`);
  return (await ensureLeafIn(pkiDir, name, ca, { commonName, hosts, usage: 'server' }, 90 * 86_400_000)).pair;
}

export async function ensureClusterPki(dataDir: string, opts: ClusterPkiOptions = {}): Promise<ClusterPki> {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const renewBefore = (opts.renewBeforeDays ?? 90) * 86_400_000;
  const issued: string[] = [];

  const ensureCA = async (name: string, cn: string): Promise<KeyPairPem> => {
    const have = readPair(dir, name);
    if (have) return have;
    const ca = await createCA(cn);
    writePair(dir, name, ca);
    issued.push(name);
    return ca;
  };
  const ensureLeaf = async (name: string, ca: KeyPairPem, spec: CertSpec): Promise<KeyPairPem> => {
    const r = await ensureLeafIn(dir, name, ca, spec, renewBefore);
    if (r.issued) issued.push(name);
    return r.pair;
  };

  const ca = await ensureCA('ca', 'kubernetes-ca');
  const frontProxyCa = await ensureCA('front-proxy-ca', 'kubernetes-front-proxy-ca');
  const domain = opts.dnsDomain ?? 'cluster.local';
  const apiserverHosts = [
    'localhost',
    '127.0.0.1',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${domain}`,
    ...(opts.serviceIP ? [opts.serviceIP] : []),
    ...(opts.hosts ?? []),
  ];
  const apiserver = await ensureLeaf('apiserver', ca, { commonName: 'kube-apiserver', hosts: apiserverHosts, usage: 'server' });
  const apiserverKubeletClient = await ensureLeaf('apiserver-kubelet-client', ca, {
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const frontProxyClient = await ensureLeaf('front-proxy-client', frontProxyCa, { commonName: 'front-proxy-client', usage: 'client' });
  const admin = await ensureLeaf('admin', ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });

  const saKeyPath = join(dir, 'sa.key');
  const saPubPath = join(dir, 'sa.pub');
  if (!existsSync(saKeyPath) || !existsSync(saPubPath)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    writeAtomic(saKeyPath, privateKey, 0o600);
    writeAtomic(saPubPath, publicKey, 0o644);
    issued.push('sa');
  }
  return {
    dir,
    ca,
    apiserver,
    apiserverKubeletClient,
    frontProxyCa,
    frontProxyClient,
    admin,
    serviceAccountKey: readFileSync(saKeyPath, 'utf8'),
    serviceAccountPub: readFileSync(saPubPath, 'utf8'),
    issued,
  };
}
