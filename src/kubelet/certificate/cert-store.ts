// The kubelet's certificate file store (client-go's certificate FileStore): a rotated pair is
// written as <dir>/<prefix>-<YYYY-MM-DD-HH-MM-SS>.pem (certificate then key, 0600) and
// <prefix>-current.pem, a symlink to it, is swapped atomically (a new link renamed over the
// old), so a reader sees the old pair or the new one, never half of one. A kubelet starting
// with rotation on uses <prefix>-current.pem when it holds a valid pair.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;
const KEY_RE = /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:EC |RSA )?PRIVATE KEY-----\n?/;

/** The certificate's validity (epoch ms). */
export function validity(certPem: string): { notBefore: number; notAfter: number } {
  const x = new X509Certificate(certPem);
  return { notBefore: Date.parse(x.validFrom), notAfter: Date.parse(x.validTo) };
}

/** Splits a combined PEM (certificate chain and key) into its parts. */
export function splitPem(pem: string): CertPair | undefined {
  const certs = pem.match(CERT_RE);
  const key = pem.match(KEY_RE);
  if (!certs || !key) return undefined;
  return { cert: certs.join(''), key: key[0] };
}

export class CertFileStore {
  constructor(
    readonly dir: string,
    readonly prefix: string,
  ) {}

  get currentPath(): string {
    return join(this.dir, `${this.prefix}-current.pem`);
  }

  /** The current pair when present, parseable and not expired at `now`. */
  current(now = Date.now()): CertPair | undefined {
    let pem: string;
    try {
      pem = readFileSync(this.currentPath, 'utf8');
    } catch {
      return undefined;
    }
    const pair = splitPem(pem);
    if (!pair) return undefined;
    try {
      const v = validity(pair.cert);
      return now < v.notAfter ? pair : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes the pair under a timestamped name and points <prefix>-current.pem at it. */
  update(pair: CertPair, now = Date.now()): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const ts = new Date(now).toISOString().replace(/\.\d+Z$/, '').replace(/[T:]/g, '-');
    const name = `${this.prefix}-${ts}.pem`;
    const file = join(this.dir, name);
    const body = `${pair.cert.trimEnd()}\n${pair.key.trimEnd()}\n`;
    writeFileSync(`${file}.tmp`, body, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    const link = `${this.currentPath}.tmp`;
    rmSync(link, { force: true });
    symlinkSync(name, link);
    renameSync(link, this.currentPath);
    return file;
  }
}
