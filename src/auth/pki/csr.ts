// Certificate signing requests (PKCS#10) with @peculiar/x509: what a kubelet's TLS bootstrap
// sends (a new ECDSA P-256 key, CN/O as the user and groups) and what the csrsigning
// controller does with it (read the subject and SANs, issue a certificate with the CA for the
// usages granted). Also kubeadm's CA pin: "sha256:" + the hex SHA-256 of the CA's
// SubjectPublicKeyInfo (DER), as `kubeadm join --discovery-token-ca-cert-hash` takes it.
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import type { KeyPairPem } from './certs.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface CsrPem {
  /** PEM "CERTIFICATE REQUEST". */
  csr: string;
  /** PEM "PRIVATE KEY" (PKCS#8) of the key the request is for. */
  key: string;
}

function subject(cn: string, orgs: string[] = []): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${esc(cn)}`, ...orgs.map((o) => `O=${esc(o)}`)].join(', ');
}

/** A new key and a PKCS#10 request for CN=`commonName`, O=`organizations`, with DNS and IP
 * subject alternative names when given (a serving certificate's). */
export async function createCsr(commonName: string, organizations: string[] = [], sans: { dnsNames?: string[]; ipAddresses?: string[] } = {}): Promise<CsrPem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const names = [...(sans.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(sans.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const extensions = names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [];
  const req = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject(commonName, organizations), keys, signingAlgorithm: alg, extensions });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey), 'PRIVATE KEY');
  return { csr: req.toString('pem'), key };
}

const SAN_OID = '2.5.29.17';
const subjectAltNames = (req: x509.Pkcs10CertificateRequest) => {
  const e = req.getExtension(SAN_OID);
  return e ? new x509.SubjectAlternativeNameExtension(e.rawData) : undefined;
};

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The request's self-signature checks out. */
  signatureValid: boolean;
}

/** Reads a PEM (or DER) certificate request; throws when it is not one. */
export async function parseCsr(pem: string | Buffer): Promise<ParsedCsr> {
  const req = new x509.Pkcs10CertificateRequest(typeof pem === 'string' ? pem : new Uint8Array(pem));
  const out: ParsedCsr = { commonName: req.subjectName.getField('CN')[0] ?? '', organizations: req.subjectName.getField('O'), dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], signatureValid: await req.verify() };
  const san = subjectAltNames(req);
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') out.dnsNames.push(n.value);
    else if (n.type === 'ip') out.ipAddresses.push(n.value);
    else if (n.type === 'email') out.emailAddresses.push(n.value);
    else if (n.type === 'url') out.uris.push(n.value);
  }
  return out;
}

export interface SignOptions {
  /** Kubernetes key usages ("digital signature", "client auth", ...). */
  usages: string[];
  /** Lifetime; cut to the CA's own expiry, as kube's signer does. */
  durationMs: number;
  now?: number;
}

const keyUsageBits: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const extKeyUsages: Record<string, string> = {
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
};

async function importCaKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return (await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign'])) as unknown as CryptoKey;
}

/** Issues the certificate a request asks for, signed by `ca` (kube's local signer; the CA key
 * must be ECDSA P-256, as keelson's PKI makes it). */
export async function signCsr(ca: KeyPairPem, csrPem: string, o: SignOptions): Promise<string> {
  const req = new x509.Pkcs10CertificateRequest(csrPem);
  const caCert = new x509.X509Certificate(ca.cert);
  const now = o.now ?? Date.now();
  // kube backdates by 5 minutes for clock skew and never outlives the CA.
  const notAfter = Math.min(now + o.durationMs, caCert.notAfter.getTime());
  let bits = 0;
  for (const u of o.usages) bits |= keyUsageBits[u] ?? 0;
  const eku = o.usages.map((u) => extKeyUsages[u]).filter(Boolean);
  // As Go's x509: no keyUsage extension at all when no key usage was asked for.
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true), await x509.AuthorityKeyIdentifierExtension.create(caCert, false)];
  if (bits) extensions.push(new x509.KeyUsagesExtension(bits, true));
  if (eku.length) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  const san = subjectAltNames(req);
  if (san) extensions.push(new x509.SubjectAlternativeNameExtension(san.names.toJSON()));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: req.subjectName,
    issuer: caCert.subject,
    notBefore: new Date(now - 5 * 60_000),
    notAfter: new Date(notAfter),
    signingKey: await importCaKey(ca.key),
    publicKey: req.publicKey,
    signingAlgorithm: alg,
    extensions,
  });
  return cert.toString('pem');
}

/** kubeadm's CA pin: "sha256:<hex of SHA-256 over the CA's SubjectPublicKeyInfo>". */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
