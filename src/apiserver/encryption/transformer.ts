// The value transformer of the storage layer (apiserver's storage/value.Transformer): bytes on
// their way into the store are sealed by the first configured provider, bytes coming out are
// opened by whichever provider's prefix they carry. The authenticated data is the storage key
// (kube's etcd3 store passes the full key, e.g. /registry/secrets/default/s1).

export interface Transformer {
  /** Plaintext -> stored bytes. */
  toStorage(data: Buffer, authData: Buffer): Buffer;
  /**
   * Stored bytes -> plaintext; `stale` says another provider than the writing one read it (a
   * rewrite would re-encrypt it: key rotation). Throws on data it cannot open.
   */
  fromStorage(data: Buffer, authData: Buffer): { data: Buffer; stale: boolean };
}

/** One provider key: seals and opens raw bytes (no prefix). */
export interface Cipher {
  seal(plain: Buffer, authData: Buffer): Buffer;
  open(sealed: Buffer, authData: Buffer): Buffer;
}

export interface PrefixedCipher {
  /** `k8s:enc:<provider>:v1:<keyname>:`, or empty for identity. */
  prefix: Buffer;
  /** Undefined for identity. */
  cipher?: Cipher;
}

const encryptedMarker = Buffer.from('k8s:enc:');

/**
 * Providers in configuration order, each key its own prefix (kube's PrefixTransformers): the
 * first writes; reads try every matching prefix. Identity (empty prefix) refuses data that looks
 * encrypted, so an identity-first configuration still reads values sealed by a later provider.
 */
export class PrefixTransformers implements Transformer {
  constructor(private readonly list: PrefixedCipher[]) {
    if (!list.length) throw new Error('at least one provider is required');
  }

  toStorage(data: Buffer, authData: Buffer): Buffer {
    const first = this.list[0];
    if (!first.cipher) return data;
    return Buffer.concat([first.prefix, first.cipher.seal(data, authData)]);
  }

  fromStorage(data: Buffer, authData: Buffer): { data: Buffer; stale: boolean } {
    const errors: string[] = [];
    for (let i = 0; i < this.list.length; i++) {
      const t = this.list[i];
      if (!startsWith(data, t.prefix)) continue;
      if (!t.cipher) {
        if (startsWith(data, encryptedMarker)) {
          errors.push('identity transformer tried to read encrypted data');
          continue;
        }
        return { data, stale: i !== 0 };
      }
      return { data: t.cipher.open(data.subarray(t.prefix.length), authData), stale: i !== 0 };
    }
    throw new Error(errors.length ? errors.join(', ') : 'no matching prefix found');
  }
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

export function providerPrefix(provider: string, keyName: string): Buffer {
  return Buffer.from(`k8s:enc:${provider}:v1:${keyName}:`);
}
