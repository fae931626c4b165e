// Encryption at rest under the generic store and the watch cache: values are ciphertext in the
// store and plaintext above it; key rotation by re-writing (key2 first, key1 second: old values
// read, an unchanged update re-seals with key2); a value no key opens answers an InternalError
// Status for that object, while lists, watches and the watch cache keep working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMvccStore } from '../../storage/mvcc/index.js';
import type { Store } from '../../storage/store.js';
import { Resources } from '../resources.js';
import { builtinStrategies } from '../registry/all.js';
import { newContext } from '../registry/generic/context.js';
import { listObjects } from '../registry/generic/list.js';
import { startWatch } from '../registry/generic/watch.js';
import { ApiError } from '../status.js';
import { GenericStore } from '../registry/generic/store.js';
import { until } from '../../../test/helpers/until.js';
import { parseEncryptionConfig } from './config.js';
import { EncryptionAtRest } from './at-rest.js';
import { aesgcmSecretsConfig } from '../../../test/helpers/encryption.js';

const key1 = Buffer.alloc(32, 1).toString('base64');
const key2 = Buffer.alloc(32, 2).toString('base64');
const cfg = aesgcmSecretsConfig;

let dir: string;
let raw: Store;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keelson-enc-store-'));
  raw = await openMvccStore({ dataDir: dir });
});
after(async () => {
  await raw.close();
  await rm(dir, { recursive: true, force: true });
});

/** An apiserver's view of the raw store with this encryption configuration. */
function apiserverView(config: string) {
  const enc = new EncryptionAtRest(parseEncryptionConfig(config));
  const resources = new Resources(enc.wrap(raw), { watchCache: true, consistentReadsFromCache: true });
  for (const s of builtinStrategies) resources.add(s, { silent: true });
  enc.bind(resources);
  const secrets = resources.lookup('', 'v1', 'secrets')!.store;
  const configmaps = resources.lookup('', 'v1', 'configmaps')!.store;
  return { resources, secrets, configmaps };
}

const stored = async (key: string) => (await raw.range({ key: Buffer.from(key) })).kvs[0]?.value.toString('latin1') ?? '';
const secret = (name: string, password: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { password: Buffer.from(password).toString('base64') } });

test('secrets are sealed in the store, plaintext through get/list/watch; other resources untouched', async () => {
  const v = apiserverView(cfg(['key1', key1]));
  try {
    const ctx = newContext('default');
    await v.secrets.create(ctx, secret('s1', 'hunter2'));
    await v.configmaps.create(ctx, { metadata: { name: 'c1' }, data: { a: 'visible' } });
    const value = await stored('/registry/secrets/default/s1');
    assert.ok(value.startsWith('k8s:enc:aesgcm:v1:key1:'), value.slice(0, 40));
    assert.ok(!value.includes('hunter2') && !value.includes(Buffer.from('hunter2').toString('base64')));
    assert.match(await stored('/registry/configmaps/default/c1'), /visible/);
    assert.equal((await v.secrets.get('default', 's1')).data.password, Buffer.from('hunter2').toString('base64'));
    const list = await listObjects(v.secrets, ctx, { resourceVersion: '0' });
    assert.deepEqual(list.items.map((o) => o.metadata!.name), ['s1']);
    const seen: string[] = [];
    const w = await startWatch(v.secrets, ctx, {}, { send: (ev) => seen.push(`${ev.type} ${ev.object.metadata?.name} ${ev.object.data?.password}`), error: (e) => seen.push(`error ${e.message}`) });
    await v.secrets.create(ctx, secret('s2', 'swordfish'));
    await until('two watch events', async () => seen.length >= 2);
    w.stop();
    assert.deepEqual(seen, [`ADDED s1 ${Buffer.from('hunter2').toString('base64')}`, `ADDED s2 ${Buffer.from('swordfish').toString('base64')}`]);
  } finally {
    v.resources.close();
  }
});

test('rotation: key2 first reads key1 values; rewriting an unchanged object re-seals it with key2', async () => {
  const v = apiserverView(cfg(['key2', key2], ['key1', key1]));
  try {
    const ctx = newContext('default');
    assert.ok((await stored('/registry/secrets/default/s1')).startsWith('k8s:enc:aesgcm:v1:key1:'));
    const current = await v.secrets.get('default', 's1');
    assert.equal(current.data.password, Buffer.from('hunter2').toString('base64'));
    // kubectl get -o json | kubectl replace -f -: the same object, written back.
    const r = await v.secrets.update(ctx, 's1', current);
    assert.notEqual(r.obj.metadata!.resourceVersion, current.metadata!.resourceVersion);
    assert.ok((await stored('/registry/secrets/default/s1')).startsWith('k8s:enc:aesgcm:v1:key2:'));
    // Now fresh (written by the first key): an unchanged update is a no-op again.
    const again = await v.secrets.update(ctx, 's1', r.obj);
    assert.equal(again.obj.metadata!.resourceVersion, r.obj.metadata!.resourceVersion);
  } finally {
    v.resources.close();
  }
  // A configuration without key1 any more still reads key2 values but not the remaining key1 one (s2).
  const only2 = apiserverView(cfg(['key2', key2]));
  try {
    assert.equal((await only2.secrets.get('default', 's1')).data.password, Buffer.from('hunter2').toString('base64'));
    await assert.rejects(only2.secrets.get('default', 's2'), (e: unknown) => e instanceof ApiError && e.code === 500 && e.reason === 'InternalError' && /identity transformer tried to read encrypted data/.test(e.message));
  } finally {
    only2.resources.close();
  }
});

test('a wrong key or a corrupt value is an InternalError for that object, never a crash', async () => {
  await raw.put({ key: Buffer.from('/registry/secrets/default/s3'), value: Buffer.from('k8s:enc:aesgcm:v1:key1:garbage-that-is-long-enough-to-open') });
  const v = apiserverView(cfg(['key1', Buffer.alloc(32, 9).toString('base64')]));
  try {
    const ctx = newContext('default');
    const internal = (re: RegExp) => (e: unknown) => e instanceof ApiError && e.code === 500 && e.toStatus().reason === 'InternalError' && re.test(e.message);
    // s3: sealed under key1's prefix but not by this key1; s1: sealed with key2, which this configuration lacks.
    await assert.rejects(v.secrets.get('default', 's3'), internal(/^Internal error occurred: cipher: message authentication failed$/));
    await assert.rejects(v.secrets.get('default', 's1'), internal(/identity transformer tried to read encrypted data/));
    // A list read from the store fails as a whole (kube's behaviour) with the same Status.
    await assert.rejects(listObjects(v.secrets, ctx, { limit: 10 }), (e: unknown) => e instanceof ApiError && e.code === 500);
    // The watch cache leaves undecryptable objects out and keeps serving (and new secrets work).
    await v.secrets.create(ctx, secret('s4', 'fresh'));
    const cached = await listObjects(v.secrets, ctx, { resourceVersion: '0' });
    assert.ok(cached.items.some((o) => o.metadata!.name === 's4'));
    assert.ok(!cached.items.some((o) => o.metadata!.name === 's3'));
    // A store watch that meets an undecryptable value ends with the InternalError, not a crash.
    const rv = Number(cached.resourceVersion);
    await raw.put({ key: Buffer.from('/registry/secrets/default/s5'), value: Buffer.from('k8s:enc:aesgcm:v1:key1:also-garbage-of-a-decent-length!!') });
    const errors: string[] = [];
    const w = await startWatch(new GenericStore(v.secrets.strategy, v.secrets.store), ctx, { resourceVersion: String(rv) }, { send: () => {}, error: (e) => errors.push(`${e.code} ${e.message}`) });
    await until('the watch error', async () => errors.length > 0);
    w.stop();
    assert.match(errors[0], /^500 Internal error occurred: cipher: message authentication failed/);
  } finally {
    v.resources.close();
  }
});
