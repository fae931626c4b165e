// bcrypt as etcd (Go's x/crypto/bcrypt) stores passwords: a published $2a$ test vector verifies,
// hashes round-trip, and wrong passwords or malformed hashes do not match. (Hashes made by a real
// etcd are checked in test/e2e/etcd-snapshot-interop.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bcryptHash, bcryptVerify } from './bcrypt.js';

test('bcrypt: a known $2a$ vector verifies; hash and verify round-trip; wrong and malformed do not', async () => {
  const vector = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
  assert.equal(await bcryptVerify(vector, 'U*U'), true);
  assert.equal(await bcryptVerify(vector, 'U*V'), false);
  const salt = Buffer.from('keelson-salt-16b');
  const h = await bcryptHash('keelson-password', 4, salt);
  assert.match(h, /^\$2a\$04\$[./A-Za-z0-9]{53}$/);
  assert.equal(h, await bcryptHash('keelson-password', 4, salt), 'deterministic for a salt');
  assert.equal(await bcryptVerify(h, 'keelson-password'), true);
  assert.equal(await bcryptVerify(h, 'keelson-passwore'), false);
  assert.notEqual(await bcryptHash('keelson-password', 4), h, 'a fresh salt each time');
  assert.equal(await bcryptVerify(h.slice(0, -1), 'keelson-password'), false);
  assert.equal(await bcryptVerify('scrypt$abc$def', 'keelson-password'), false);
});
