// Store contract, part 5: compaction, status, hashKV, snapshot, defragment, alarms.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEnd } from './store.js';
import { buf, currentRevision, rejectsWith, type ContractContext } from './contract-helpers.js';
import { checkWatchCompacted } from './contract-watch.js';

export function maintenanceContract(ctx: ContractContext): void {
  describe('compaction', () => {
    it('compact(N): reads below N fail with ErrCompacted, N and later are kept; watches before N are canceled', async () => {
      const p = ctx.prefix('compact');
      const r1 = (await ctx.store.put({ key: buf(p + 'a'), value: buf('1') })).header.revision;
      const r2 = (await ctx.store.put({ key: buf(p + 'a'), value: buf('2') })).header.revision;
      const r3 = (await ctx.store.put({ key: buf(p + 'b'), value: buf('3') })).header.revision;
      const c = await ctx.store.compact({ revision: r2 });
      assert.equal(c.header.revision, r3, 'compaction takes no revision');
      await rejectsWith(ctx.store.range({ key: buf(p + 'a'), revision: r1 }), 'Compacted');
      await rejectsWith(ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), revision: r2 - 1 }), 'Compacted');
      const at = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), revision: r2 });
      assert.deepEqual(
        at.kvs.map((kv) => [kv.key.toString().slice(p.length), kv.value.toString(), kv.version]),
        [['a', '2', 2]],
      );
      // Compaction never changes the current values.
      const cur = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.equal(cur.kvs.length, 2);
      assert.equal(cur.kvs[0].createRevision, r1, 'create revisions survive compaction');
      await checkWatchCompacted(ctx, p, r2, r1);
      const h = await ctx.store.hashKV();
      assert.equal(h.compactRevision, r2);
      await rejectsWith(ctx.store.hashKV(r1), 'Compacted');
    });

    it('compacting at or below the compacted revision fails with ErrCompacted; beyond the current one with ErrFutureRev', async () => {
      const p = ctx.prefix('compact-errors');
      const r = (await ctx.store.put({ key: buf(p + 'a'), value: buf('1') })).header.revision;
      await ctx.store.compact({ revision: r });
      await rejectsWith(ctx.store.compact({ revision: r }), 'Compacted');
      await rejectsWith(ctx.store.compact({ revision: r - 1 }), 'Compacted');
      const now = await currentRevision(ctx.store);
      await rejectsWith(ctx.store.compact({ revision: now + 1 }), 'FutureRev');
      await ctx.store.put({ key: buf(p + 'b'), value: buf('2') });
      const physical = await ctx.store.compact({ revision: now + 1, physical: true });
      assert.equal(physical.header.revision, now + 1);
      await rejectsWith(ctx.store.range({ key: buf(p + 'a'), revision: now }), 'Compacted');
    });
  });

  describe('maintenance', () => {
    it('status: current revision, version, database size', async () => {
      const p = ctx.prefix('status');
      const r = (await ctx.store.put({ key: buf(p), value: buf('x') })).header.revision;
      const s = await ctx.store.status();
      assert.equal(s.header.revision, r);
      assert.match(s.version, /^\d+\.\d+\.\d+/);
      assert.ok(s.dbSize > 0, 'dbSize');
      assert.ok(s.dbSizeInUse > 0 && s.dbSizeInUse <= s.dbSize, 'dbSizeInUse');
      assert.deepEqual(s.errors, []);
      assert.equal(s.isLearner, false);
    });

    it('hashKV: the hash at a revision does not change with later writes; the current one does', async () => {
      const p = ctx.prefix('hashkv');
      const r = (await ctx.store.put({ key: buf(p + 'a'), value: buf('1') })).header.revision;
      const h1 = await ctx.store.hashKV(r);
      const cur1 = await ctx.store.hashKV();
      assert.equal(cur1.hash, h1.hash, 'revision 0 = the current revision');
      await ctx.store.put({ key: buf(p + 'a'), value: buf('2') });
      const h2 = await ctx.store.hashKV(r);
      assert.equal(h2.hash, h1.hash);
      assert.notEqual((await ctx.store.hashKV()).hash, h1.hash);
      assert.equal(typeof h1.hash, 'number');
      assert.ok(h1.hash >= 0 && h1.hash <= 0xffffffff);
      await rejectsWith(ctx.store.hashKV((await currentRevision(ctx.store)) + 10), 'FutureRev');
    });

    it('snapshot streams the whole store; defragment and alarms answer', async () => {
      let size = 0;
      let chunks = 0;
      for await (const chunk of ctx.store.snapshot()) {
        assert.ok(Buffer.isBuffer(chunk));
        size += chunk.length;
        chunks++;
      }
      assert.ok(size > 0 && chunks > 0, 'snapshot has bytes');
      await ctx.store.defragment();
      assert.deepEqual(await ctx.store.alarms(), []);
      assert.deepEqual(await ctx.store.alarmDisarm('NOSPACE'), []);
    });
  });
}
