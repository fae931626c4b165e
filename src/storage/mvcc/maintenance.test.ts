import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStoreError } from '../errors.js';
import { openMvccStore, restoreSnapshot } from './index.js';
import { b, tempDir, withStore } from './test-util.js';

test('quota: a write past quotaBackendBytes raises NOSPACE and fails; reads and deletes work; disarm after room', async () => {
  await withStore(
    async (s) => {
      const big = Buffer.alloc(64 * 1024, 1);
      let i = 0;
      let err: unknown;
      for (; i < 200; i++) {
        try {
          await s.put({ key: b(`q/${i}`), value: big });
        } catch (e) {
          err = e;
          break;
        }
      }
      assert.ok(isStoreError(err, 'NoSpace'), `expected ErrNoSpace, got ${String(err)}`);
      assert.equal((err as Error).message, 'etcdserver: mvcc: database space exceeded');
      assert.deepEqual(
        (await s.alarms()).map((a) => a.alarm),
        ['NOSPACE'],
      );
      // Even a small put fails while the alarm is on; a lease grant too.
      await assert.rejects(s.put({ key: b('small'), value: b('x') }), (e) => isStoreError(e, 'NoSpace'));
      await assert.rejects(s.leaseGrant(10), (e) => isStoreError(e, 'NoSpace'));
      // reads and deletes still work; nothing written so far is lost
      assert.equal((await s.range({ key: b('q/'), rangeEnd: b('q0'), countOnly: true })).count, i);
      const st = await s.status();
      assert.equal(st.errors.length, 1);
      const d = await s.deleteRange({ key: b('q/'), rangeEnd: b('q0') });
      assert.equal(d.deleted, i);
      await s.compact({ revision: d.header.revision, physical: true });
      await s.defragment();
      assert.deepEqual(
        (await s.alarmDisarm('NOSPACE')).map((a) => a.alarm),
        ['NOSPACE'],
      );
      assert.deepEqual(await s.alarms(), []);
      await s.put({ key: b('after'), value: big });
      assert.equal((await s.range({ key: b('after') })).kvs[0].value.length, big.length);
    },
    { quotaBackendBytes: 2 * 1024 * 1024 },
  );
});

test('compaction physically removes history; defragment reclaims space; data intact', () =>
  withStore(async (s) => {
    const v = Buffer.alloc(4096, 2);
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => s.put({ key: b(`c/${i}`), value: v })));
    }
    // LMDB's own rows: wait until it holds every acknowledged write (it trails the log a little).
    const histRows = async () => {
      await s.be.applied();
      return s.be.hist.getKeysCount({ start: Buffer.from([0]) });
    };
    const before = await histRows();
    assert.equal(before, 1000);
    const rev = s.appliedRev;
    const past = await s.range({ key: b('c/0'), revision: rev - 60 });
    assert.equal(past.kvs.length, 1);
    await s.compact({ revision: rev, physical: true });
    assert.equal(await histRows(), 50, 'only the rows at or below the compaction that are still current remain');
    await assert.rejects(s.range({ key: b('c/0'), revision: rev - 60 }), (e) => isStoreError(e, 'Compacted'));
    const atRev = await s.range({ key: b('c/'), rangeEnd: b('c0'), revision: rev });
    assert.equal(atRev.count, 50);
    const sizeBefore = (await s.status()).dbSize;
    await s.defragment();
    const st = await s.status();
    assert.ok(st.dbSize < sizeBefore, `defragment shrinks the file (${sizeBefore} -> ${st.dbSize})`);
    assert.ok(st.dbSizeInUse <= st.dbSize);
    const cur = await s.range({ key: b('c/'), rangeEnd: b('c0') });
    assert.equal(cur.count, 50);
    assert.equal(cur.kvs[0].version, 20);
    const w = await s.put({ key: b('c/0'), value: b('x') });
    assert.equal(w.header.revision, rev + 1);
  }));

test('compaction resumes after restart; deleted keys leave no history', async () => {
  const dir = await tempDir();
  try {
    let s = await openMvccStore({ dataDir: dir });
    for (let i = 0; i < 30; i++) await s.put({ key: b(`d/${i % 3}`), value: b(String(i)) });
    await s.deleteRange({ key: b('d/0') });
    // A tombstone at the compaction revision itself stays (a watch from that revision sees it).
    await s.put({ key: b('x'), value: b('') });
    const rev = s.appliedRev;
    await s.compact({ revision: rev });
    await s.close();
    s = await openMvccStore({ dataDir: dir });
    await s.compactor.schedule(rev);
    const rows = [...(s.be.hist.getKeys({ start: Buffer.from([0]) }) as Iterable<Buffer>)].length;
    assert.equal(rows, 3, 'd/1, d/2 and x latest rows; d/0 gone');
    await assert.rejects(s.compact({ revision: rev }), (e) => isStoreError(e, 'Compacted'));
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('snapshot: stream, restore into a new data dir, integrity checked', async () => {
  const dir = await tempDir();
  try {
    await withStore(async (s) => {
      for (let i = 0; i < 100; i++) await s.put({ key: b(`s/${i}`), value: b(`v${i}`) });
      const { id } = await s.leaseGrant(100);
      await s.put({ key: b('s/leased'), value: b('l'), lease: id });
      const chunks: Buffer[] = [];
      for await (const c of s.snapshot()) chunks.push(c);
      await writeFile(join(dir, 'snap.db'), Buffer.concat(chunks));
      const h = await s.hashKV();
      const target = join(dir, 'restored');
      await restoreSnapshot(join(dir, 'snap.db'), target);
      const r = await openMvccStore({ dataDir: target });
      try {
        const all = await r.range({ key: b('s/'), rangeEnd: b('s0') });
        assert.equal(all.count, 101);
        assert.equal(all.header.revision, s.appliedRev);
        assert.equal((await r.hashKV(h.header.revision)).hash, h.hash);
        assert.deepEqual((await r.leaseLeases()).leases, [id]);
        assert.equal((await r.put({ key: b('s/new'), value: b('') })).header.revision, s.appliedRev + 1);
      } finally {
        await r.close();
      }
      // refuses to overwrite, and detects corruption
      await assert.rejects(restoreSnapshot(join(dir, 'snap.db'), target), /already holds a store/);
      const bytes = await readFile(join(dir, 'snap.db'));
      bytes[100] ^= 0xff;
      await writeFile(join(dir, 'bad.db'), bytes);
      await assert.rejects(restoreSnapshot(join(dir, 'bad.db'), join(dir, 'bad')), /integrity/);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
