// The secretbox provider's cipher (kube's secretbox transformer, NaCl XSalsa20-Poly1305 from
// tweetnacl since Node's crypto has no XSalsa20): a random 24-byte nonce, then the box (16-byte
// Poly1305 tag followed by the ciphertext), as golang.org/x/crypto/nacl/secretbox.Seal writes it.
import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import type { Cipher } from './transformer.js';

const nonceSize = 24;

export class SecretBox implements Cipher {
  private readonly key: Uint8Array;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`invalid secretbox key length ${key.length}`);
    this.key = new Uint8Array(key);
  }

  seal(plain: Buffer): Buffer {
    const nonce = randomBytes(nonceSize);
    return Buffer.concat([nonce, nacl.secretbox(plain, nonce, this.key)]);
  }

  open(sealed: Buffer): Buffer {
    if (sealed.length < nonceSize + nacl.secretbox.overheadLength) throw new Error('the stored data was shorter than the required size');
    const out = nacl.secretbox.open(sealed.subarray(nonceSize), sealed.subarray(0, nonceSize), this.key);
    if (!out) throw new Error('secretbox: message authentication failed');
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }
}
