// The etcd3 npm client against `bin/keelson etcd`: kv, prefix ranges, txn, watch, leases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { startKeelsonEtcd, type KeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';

let k: KeelsonEtcd;
let client: Etcd3;

before(async () => {
  k = await startKeelsonEtcd();
  client = new Etcd3({ hosts: k.endpoint });
});

after(async () => {
  client?.close();
  await k?.stop();
});

test('etcd3 client: put, get, prefix, delete, txn', async () => {
  await client.put('/e3/a').value('1');
  await client.put('/e3/b').value('2');
  assert.equal(await client.get('/e3/a').string(), '1');
  assert.deepEqual(await client.getAll().prefix('/e3/').strings(), { '/e3/a': '1', '/e3/b': '2' });
  assert.equal(await client.getAll().prefix('/e3/').count(), 2);
  const r = await client.if('/e3/a', 'Value', '==', '1').then(client.put('/e3/c').value('3')).else(client.put('/e3/d').value('4')).commit();
  assert.equal(r.succeeded, true);
  assert.equal(await client.get('/e3/c').string(), '3');
  assert.equal(await client.get('/e3/d').string(), null);
  const del = await client.delete().prefix('/e3/');
  assert.equal(del.deleted, '3');
  assert.equal(await client.getAll().prefix('/e3/').count(), 0);
});

test('etcd3 client: watch delivers puts and deletes in order', async () => {
  const w = await client.watch().prefix('/e3w/').create();
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    w.on('put', (kv) => seen.push(`put ${kv.key.toString()}=${kv.value.toString()}`));
    w.on('delete', (kv) => {
      seen.push(`delete ${kv.key.toString()}`);
      resolve();
    });
  });
  await client.put('/e3w/x').value('1');
  await client.put('/e3w/x').value('2');
  await client.delete().key('/e3w/x');
  await done;
  await w.cancel();
  assert.deepEqual(seen, ['put /e3w/x=1', 'put /e3w/x=2', 'delete /e3w/x']);
});

test('etcd3 client: lease with keep-alive keeps its key; revoke removes it', async () => {
  const lease = client.lease(2);
  await lease.put('/e3l/k').value('v');
  const id = await lease.grant();
  assert.ok(id.length > 0);
  await new Promise((r) => setTimeout(r, 3500)); // past the TTL: kept alive by the client
  assert.equal(await client.get('/e3l/k').string(), 'v');
  await lease.revoke();
  assert.equal(await client.get('/e3l/k').string(), null);
});
