// Each provider's on-disk format as Kubernetes writes it (prefix, nonce/IV sizes, padding, the
// key path as AES-GCM's authenticated data), checked by decrypting with Node's crypto directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { parseEncryptionConfig } from './config.js';

const key32 = randomBytes(32);
const b64 = key32.toString('base64');
const aad = Buffer.from('/registry/secrets/default/s1');
const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

function config(provider: string, name = 'key1'): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - ${provider}: {keys: [{name: ${name}, secret: ${b64}}]}
  - identity: {}
`;
}

test('aesgcm: k8s:enc:aesgcm:v1:<name>: + 12-byte nonce + ciphertext + 16-byte tag, key path authenticated', () => {
  const t = parseEncryptionConfig(config('aesgcm')).transformerFor('', 'secrets')!;
  const out = t.toStorage(plain, aad);
  const prefix = 'k8s:enc:aesgcm:v1:key1:';
  assert.equal(out.subarray(0, prefix.length).toString(), prefix);
  const body = out.subarray(prefix.length);
  assert.equal(body.length, 12 + plain.length + 16);
  const d = createDecipheriv('aes-256-gcm', key32, body.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(body.subarray(body.length - 16));
  assert.deepEqual(Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]), plain);
  assert.deepEqual(t.fromStorage(out, aad), { data: plain, stale: false });
  // The same value under another key does not open (the key is authenticated data).
  assert.throws(() => t.fromStorage(out, Buffer.from('/registry/secrets/default/other')), /message authentication failed/);
  // Nonces are random: the same plaintext never seals to the same bytes.
  assert.notDeepEqual(t.toStorage(plain, aad), out);
});

test('aescbc: k8s:enc:aescbc:v1:<name>: + 16-byte IV + PKCS#7-padded AES-CBC ciphertext', () => {
  const t = parseEncryptionConfig(config('aescbc')).transformerFor('', 'secrets')!;
  const out = t.toStorage(plain, aad);
  const prefix = 'k8s:enc:aescbc:v1:key1:';
  assert.equal(out.subarray(0, prefix.length).toString(), prefix);
  const body = out.subarray(prefix.length);
  assert.equal(body.length, 16 + (Math.floor(plain.length / 16) + 1) * 16);
  const d = createDecipheriv('aes-256-cbc', key32, body.subarray(0, 16));
  assert.deepEqual(Buffer.concat([d.update(body.subarray(16)), d.final()]), plain);
  assert.deepEqual(t.fromStorage(out, aad).data, plain);
  assert.throws(() => t.fromStorage(Buffer.concat([Buffer.from(prefix), body.subarray(0, 20)]), aad), /multiple of the block size/);
});

test('secretbox: k8s:enc:secretbox:v1:<name>: + 24-byte nonce + XSalsa20-Poly1305 box', () => {
  const t = parseEncryptionConfig(config('secretbox')).transformerFor('', 'secrets')!;
  const out = t.toStorage(plain, aad);
  const prefix = 'k8s:enc:secretbox:v1:key1:';
  assert.equal(out.subarray(0, prefix.length).toString(), prefix);
  const body = out.subarray(prefix.length);
  assert.equal(body.length, 24 + 16 + plain.length);
  const opened = nacl.secretbox.open(body.subarray(24), body.subarray(0, 24), new Uint8Array(key32));
  assert.ok(opened);
  assert.deepEqual(Buffer.from(opened), plain);
  const tampered = Buffer.from(out);
  tampered[tampered.length - 1] ^= 1;
  assert.throws(() => t.fromStorage(tampered, aad), /authentication failed/);
});

test('identity first: writes plaintext, still reads values sealed by a later provider (decrypting away)', () => {
  const sealed = parseEncryptionConfig(config('aesgcm')).transformerFor('', 'secrets')!.toStorage(plain, aad);
  const text = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - identity: {}
  - aesgcm: {keys: [{name: key1, secret: ${b64}}]}
`;
  const t = parseEncryptionConfig(text).transformerFor('', 'secrets')!;
  assert.deepEqual(t.toStorage(plain, aad), plain);
  assert.deepEqual(t.fromStorage(plain, aad), { data: plain, stale: false });
  assert.deepEqual(t.fromStorage(sealed, aad), { data: plain, stale: true });
});

test('a value no configured provider can read fails with a clear error', () => {
  const other = parseEncryptionConfig(config('aesgcm', 'key9')).transformerFor('', 'secrets')!.toStorage(plain, aad);
  const onlyGcm = parseEncryptionConfig(config('aesgcm').replace('  - identity: {}\n', '')).transformerFor('', 'secrets')!;
  assert.throws(() => onlyGcm.fromStorage(other, aad), /no matching prefix found/);
  assert.throws(() => onlyGcm.fromStorage(plain, aad), /no matching prefix found/);
  const withIdentity = parseEncryptionConfig(config('aesgcm')).transformerFor('', 'secrets')!;
  assert.throws(() => withIdentity.fromStorage(other, aad), /identity transformer tried to read encrypted data/);
});
