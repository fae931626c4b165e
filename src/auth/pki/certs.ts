// Certificates with @peculiar/x509 (no hand-written ASN.1): a self-signed CA and leaf
// certificates signed by it, ECDSA P-256 keys (as k3s uses; kubectl and Node accept them),
// PEM in and out.
import * as x509 from '@peculiar/x509';
import { webcrypto, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface KeyPairPem {
  cert: string;
  key: string;
}

export interface CertSpec {
  commonName: string;
  organizations?: string[];
  /** DNS names and IP addresses for subjectAltName. */
  hosts?: string[];
  usage: 'server' | 'client' | 'both';
  days?: number;
}

function subject(cn: string, orgs: string[] = []): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${esc(cn)}`, ...orgs.map((o) => `O=${esc(o)}`)].join(', ');
}

const serial = () => {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
};

async function exportKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey), 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return (await webcrypto.subtle.importKey('pkcs8', der, alg, true, ['sign'])) as unknown as CryptoKey;
}

/** A self-signed CA certificate and key (10 years by default). */
export async function createCA(commonName: string, days = 3650): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subject(commonName),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** A leaf certificate signed by `ca` (1 year by default). */
export async function issueCert(ca: KeyPairPem, spec: CertSpec): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.cert);
  const now = Date.now();
  const eku =
    spec.usage === 'server'
      ? [x509.ExtendedKeyUsage.serverAuth]
      : spec.usage === 'client'
        ? [x509.ExtendedKeyUsage.clientAuth]
        : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  const hosts = [...new Set(spec.hosts ?? [])];
  if (hosts.length) extensions.push(new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subject(spec.commonName, spec.organizations),
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (spec.days ?? 365) * DAY),
    signingKey: await importKey(ca.key),
    publicKey: keys.publicKey,
    signingAlgorithm: alg,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** Facts about a PEM certificate, via Node's own parser. */
export function inspectCert(pem: string): { subject: string; notAfter: Date; sans: string[]; issuedBy(ca: string): boolean } {
  const c = new X509Certificate(pem);
  return {
    subject: c.subject,
    notAfter: new Date(c.validTo),
    sans: (c.subjectAltName ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.replace(/^(DNS|IP Address):/, '')),
    issuedBy: (ca: string) => c.checkIssued(new X509Certificate(ca)) && c.verify(new X509Certificate(ca).publicKey),
  };
}
