// The aescbc provider's cipher (kube's aes CBC transformer, deprecated upstream but still read):
// a random 16-byte IV, then AES-CBC ciphertext of the PKCS#7-padded plaintext. CBC carries no
// authentication, so the storage key is not bound to the value (as in Kubernetes).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Cipher } from './transformer.js';

const blockSize = 16;

export class AesCbc implements Cipher {
  private readonly algorithm: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';

  constructor(private readonly key: Buffer) {
    if (![16, 24, 32].includes(key.length)) throw new Error(`invalid AES key length ${key.length}`);
    this.algorithm = `aes-${key.length * 8}-cbc` as AesCbc['algorithm'];
  }

  seal(plain: Buffer): Buffer {
    const iv = randomBytes(blockSize);
    const c = createCipheriv(this.algorithm, this.key, iv);
    return Buffer.concat([iv, c.update(plain), c.final()]);
  }

  open(sealed: Buffer): Buffer {
    if (sealed.length < blockSize) throw new Error('the stored data was shorter than the required size');
    const body = sealed.subarray(blockSize);
    if (body.length === 0 || body.length % blockSize !== 0) throw new Error('the stored data is not a multiple of the block size');
    const d = createDecipheriv(this.algorithm, this.key, sealed.subarray(0, blockSize));
    try {
      return Buffer.concat([d.update(body), d.final()]);
    } catch {
      throw new Error('invalid PKCS7 data (empty or not padded)');
    }
  }
}
