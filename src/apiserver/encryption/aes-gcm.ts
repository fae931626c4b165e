// The aesgcm provider's cipher (kube's aes GCM transformer): a random 12-byte nonce, then the
// AES-GCM ciphertext with its 16-byte tag appended; the storage key is the additional
// authenticated data, so a value copied under another key does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Cipher } from './transformer.js';

const nonceSize = 12;
const tagSize = 16;

export class AesGcm implements Cipher {
  private readonly algorithm: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';

  constructor(private readonly key: Buffer) {
    if (![16, 24, 32].includes(key.length)) throw new Error(`invalid AES key length ${key.length}`);
    this.algorithm = `aes-${key.length * 8}-gcm` as AesGcm['algorithm'];
  }

  seal(plain: Buffer, authData: Buffer): Buffer {
    const nonce = randomBytes(nonceSize);
    const c = createCipheriv(this.algorithm, this.key, nonce, { authTagLength: tagSize });
    c.setAAD(authData);
    return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
  }

  open(sealed: Buffer, authData: Buffer): Buffer {
    if (sealed.length < nonceSize + tagSize) throw new Error('the stored data was shorter than the required size');
    const nonce = sealed.subarray(0, nonceSize);
    const tag = sealed.subarray(sealed.length - tagSize);
    const d = createDecipheriv(this.algorithm, this.key, nonce, { authTagLength: tagSize });
    d.setAAD(authData);
    d.setAuthTag(tag);
    try {
      return Buffer.concat([d.update(sealed.subarray(nonceSize, sealed.length - tagSize)), d.final()]);
    } catch {
      throw new Error('cipher: message authentication failed');
    }
  }
}
