// The store's snapshot is an etcd 3.4 snapshot file (rows in etcd's revision order, with
// sub-revisions inside a txn, leases, compaction state, the server tables passed in), restoring
// it gives the same store, the old keelson format still restores, and hashKV is etcd's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openEtcdSnapshot, type HistoryRow } from '../etcd-snapshot/index.js';
import { openMvccStore, restoreSnapshot } from './index.js';
import type { MvccStore } from './kv-store.js';
import { b, tempDir, withStore } from './test-util.js';

async function saveSnapshot(s: MvccStore, file: string, tables?: Parameters<MvccStore['snapshot']>[0]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of s.snapshot(tables)) chunks.push(c);
  await writeFile(file, Buffer.concat(chunks));
}

async function rowsOf(file: string): Promise<{ rows: HistoryRow[]; snap: Awaited<ReturnType<typeof openEtcdSnapshot>> }> {
  const snap = await openEtcdSnapshot(file);
  const rows: HistoryRow[] = [];
  for await (const r of snap.history()) rows.push(r);
  await snap.close();
  return { rows, snap };
}

test('hashKV of an empty store is etcd\'s (1084519789 at revision 1)', async () => {
  await withStore(async (s) => {
    const h = await s.hashKV();
    assert.equal(h.hash, 1084519789);
    assert.equal(h.compactRevision, -1);
  });
});

test('snapshot: etcd rows in (main, sub) order, leases, compaction, server tables; restore gives the same store', async () => {
  const dir = await tempDir();
  try {
    await withStore(async (s) => {
      const { id } = await s.leaseGrant(100);
      await s.put({ key: b('a'), value: b('1') }); // 2
      await s.put({ key: b('b'), value: b('1') }); // 3
      await s.put({ key: b('a'), value: b('2') }); // 4
      // one revision, three writes: sub-revisions 0, 1, 2 in request order
      await s.txn({
        compare: [],
        success: [{ requestPut: { key: b('z'), value: b('t') } }, { requestPut: { key: b('c'), value: b('t'), lease: id } }, { requestDeleteRange: { key: b('b') } }],
        failure: [],
      }); // 5
      await s.compact({ revision: 4, physical: true });
      await s.put({ key: b('a'), value: b('3') }); // 6
      const file = join(dir, 'snap.db');
      const users = [{ name: 'root', password: b('scrypt$x$y'), roles: ['root'], noPassword: false }];
      await saveSnapshot(s, file, { authEnabled: true, authRevision: 7, users, roles: [{ name: 'root', permissions: [] }] });
      const { rows, snap } = await rowsOf(file);
      assert.deepEqual(
        rows.map((r) => `${r.main}.${r.sub}${r.tombstone ? 't' : ''} ${r.key.toString()}`),
        // compaction at 4 kept a@4 (b@3 stays too: its delete is above 4)
        ['3.0 b', '4.0 a', '5.0 z', '5.1 c', '5.2t b', '6.0 a'],
      );
      const a6 = rows[rows.length - 1];
      assert.deepEqual([a6.createRevision, a6.modRevision, a6.version, a6.value.toString()], [2, 6, 3, '3']);
      assert.equal(rows[3].lease, id);
      assert.equal(snap.revision, 6);
      assert.equal(snap.tables.compactRevision, 4);
      assert.deepEqual(snap.tables.leases.map((l) => [l.id, l.ttl]), [[id, 100]]);
      assert.equal(snap.tables.authEnabled, true);
      assert.deepEqual(snap.tables.users.map((u) => [u.name, u.password.toString(), u.roles]), [['root', 'scrypt$x$y', ['root']]]);
      const h = await s.hashKV();

      const target = join(dir, 'restored');
      const server = await restoreSnapshot(file, target);
      assert.equal(server?.authEnabled, true);
      const r = await openMvccStore({ dataDir: target });
      try {
        const all = await r.range({ key: b('a'), rangeEnd: b('zz') });
        assert.deepEqual(all.kvs.map((kv) => `${kv.key.toString()}=${kv.value.toString()}@${kv.createRevision}/${kv.modRevision}/${kv.version}`), ['a=3@2/6/3', 'c=t@5/5/1', 'z=t@5/5/1']);
        assert.equal(all.header.revision, 6);
        assert.equal((await r.hashKV()).hash, h.hash);
        assert.equal((await r.hashKV(5)).hash, (await s.hashKV(5)).hash);
        const ttl = await r.leaseTimeToLive(id, true);
        assert.deepEqual(ttl.keys.map((k) => k.toString()), ['c']);
        await assert.rejects(r.range({ key: b('a'), revision: 3 }), /compacted/);
        assert.equal((await r.range({ key: b('a'), revision: 4 })).kvs[0].value.toString(), '2');
        assert.equal((await r.put({ key: b('n'), value: b('') })).header.revision, 7);
        // The restored store's own snapshot holds the same rows (plus the new one).
        await saveSnapshot(r, join(dir, 'again.db'));
        const again = await rowsOf(join(dir, 'again.db'));
        assert.deepEqual(again.rows.slice(0, rows.length), rows);
      } finally {
        await r.close();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('restore still takes the older keelson format (LMDB copy + sha256)', async () => {
  const dir = await tempDir();
  try {
    await withStore(async (s) => {
      for (let i = 0; i < 10; i++) await s.put({ key: b(`k${i}`), value: b(`v${i}`) });
      await s.be.applied();
      const copy = join(dir, 'copy.mdb');
      await s.be.env.backup(copy, true);
      const body = await readFile(copy);
      await writeFile(join(dir, 'old.db'), Buffer.concat([body, createHash('sha256').update(body).digest()]));
      const server = await restoreSnapshot(join(dir, 'old.db'), join(dir, 'r'));
      assert.equal(server, undefined);
      const r = await openMvccStore({ dataDir: join(dir, 'r') });
      try {
        const got = await r.range({ key: b('k'), rangeEnd: b('l') });
        assert.equal(got.count, 10);
        assert.equal(got.header.revision, 11);
      } finally {
        await r.close();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
