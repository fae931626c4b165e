// LMDB follows the WAL in batches (etcd's --backend-batch-interval / --backend-batch-limit): a write
// is acknowledged on its WAL record alone, LMDB commits later, and whoever needs LMDB (past
// revisions, watch catch-up, close) makes it commit at once instead of waiting for the interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b, tempDir, withStore } from './test-util.js';
import { openMvccStore } from './index.js';
import { rm } from 'node:fs/promises';

const HOUR = 3_600_000;

test('writes are acknowledged before LMDB commits them; a past-revision read does not wait for the interval', () =>
  withStore(
    async (s) => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) await s.put({ key: b(`k/${i % 5}`), value: b(String(i)) });
      assert.equal(s.appliedRev, 21);
      // one LMDB transaction may have started with the first write; the others wait for the hour
      assert.ok(s.be.visibleRev < 21, `visible ${s.be.visibleRev}`);
      const past = await s.range({ key: b('k/'), rangeEnd: b('k0'), revision: 10 });
      assert.deepEqual(
        past.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.modRevision]),
        [
          ['k/0', '5', 7],
          ['k/1', '6', 8],
          ['k/2', '7', 9],
          ['k/3', '8', 10],
          ['k/4', '4', 6],
        ],
      );
      assert.equal(s.be.visibleRev, 21);
      assert.ok(performance.now() - t0 < 5000);
    },
    { backendBatchIntervalMs: HOUR },
  ));

test('a watch from an old revision catches up without waiting for the interval', () =>
  withStore(
    async (s) => {
      for (let i = 0; i < 6; i++) await s.put({ key: b('w'), value: b(String(i)) });
      const got: number[] = [];
      let done!: () => void;
      const all = new Promise<void>((r) => (done = r));
      const w = await s.watch({ key: b('w'), startRevision: 2 }, (r) => {
        for (const e of r.events) got.push(e.kv.modRevision);
        if (got.length >= 7) done();
      });
      await s.put({ key: b('w'), value: b('live') });
      await all;
      assert.deepEqual(got, [2, 3, 4, 5, 6, 7, 8]);
      w.cancel();
    },
    { backendBatchIntervalMs: HOUR },
  ));

test('--backend-batch-limit writes make LMDB commit without waiting for the interval', () =>
  withStore(
    async (s) => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => s.put({ key: b(`l/${i}`), value: b('v') })));
      const deadline = Date.now() + 5000;
      while (s.be.visibleRev < 51 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(s.be.visibleRev, 51);
    },
    { backendBatchIntervalMs: HOUR, backendBatchLimit: 10 },
  ));

test('close commits what waits for the interval; the reopened store has every write', async () => {
  const dir = await tempDir();
  try {
    const s = await openMvccStore({ dataDir: dir, backendBatchIntervalMs: HOUR });
    for (let i = 0; i < 10; i++) await s.put({ key: b(`c/${i}`), value: b(String(i)) });
    const t0 = performance.now();
    await s.close();
    assert.ok(performance.now() - t0 < 5000, 'close did not wait for the interval');
    const again = await openMvccStore({ dataDir: dir });
    const r = await again.range({ key: b('c/'), rangeEnd: b('c0') });
    assert.equal(r.count, 10);
    assert.equal(r.header.revision, 11);
    const old = await again.range({ key: b('c/0'), revision: 2 });
    assert.equal(old.kvs[0]?.value.toString(), '0');
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
