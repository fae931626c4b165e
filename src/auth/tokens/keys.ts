// Service-account token keys: the signing key (`--service-account-signing-key-file`, kube's
// `--service-account-private-key-file` in the controller manager) and the verifying keys
// (`--service-account-key-file`, repeatable; a file may hold several PEM blocks, and a private
// key stands for its public half, as in kube). The JWS algorithm follows the key: RS256 for RSA
// (kube's usual sa.key), ES256/384/512 for EC keys (keelson's generated sa.key is P-256). The
// `kid` header is kube's: base64url(sha256(DER SubjectPublicKeyInfo)).
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface SigningKey {
  key: KeyObject;
  alg: string;
  kid: string;
}

export interface VerifyingKey {
  key: KeyObject;
  alg: string;
  kid: string;
}

export function keyId(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

export function algorithmFor(k: KeyObject): string {
  if (k.asymmetricKeyType === 'rsa') return 'RS256';
  if (k.asymmetricKeyType === 'ec') {
    const curve = k.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
    if (curve === 'secp521r1' || curve === 'P-521') return 'ES512';
  }
  throw new Error(`unsupported service account key type ${k.asymmetricKeyType ?? 'unknown'} (want RSA or EC P-256/384/521)`);
}

const pemBlocks = (text: string): string[] => text.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g) ?? [];

/** The private key of a PEM file, ready to sign. */
export function signingKeyFromPem(pem: string): SigningKey {
  const block = pemBlocks(pem).find((b) => /PRIVATE KEY/.test(b.split('\n')[0]));
  if (!block) throw new Error('no private key in the service account signing key file');
  const key = createPrivateKey(block);
  return { key, alg: algorithmFor(key), kid: keyId(createPublicKey(key)) };
}

export function readSigningKey(file: string): SigningKey {
  return signingKeyFromPem(readFileSync(file, 'utf8'));
}

/** Every public key of a PEM text (public keys, certificates' keys, or private keys' public halves). */
export function verifyingKeysFromPem(pem: string): VerifyingKey[] {
  const out: VerifyingKey[] = [];
  for (const block of pemBlocks(pem)) {
    const head = block.split('\n')[0];
    let pub: KeyObject;
    if (/PRIVATE KEY/.test(head)) pub = createPublicKey(createPrivateKey(block));
    else if (/PUBLIC KEY|CERTIFICATE/.test(head)) pub = createPublicKey(block);
    else continue;
    out.push({ key: pub, alg: algorithmFor(pub), kid: keyId(pub) });
  }
  return out;
}

export function readVerifyingKeys(files: string[]): VerifyingKey[] {
  const out: VerifyingKey[] = [];
  for (const f of files) {
    const keys = verifyingKeysFromPem(readFileSync(f, 'utf8'));
    if (!keys.length) throw new Error(`no public keys in service account key file "${f}"`);
    out.push(...keys);
  }
  return out;
}
