// Store contract, part 3: Watch (etcd 3.4 semantics).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEnd } from './store.js';
import { buf, currentRevision, putAll, Recorder, sleep, type ContractContext } from './contract-helpers.js';

export function watchContract(ctx: ContractContext): void {
  describe('watch', () => {
    it('a key watch sees puts and deletes of that key only, from the next write on', async () => {
      const p = ctx.prefix('watch-key');
      await ctx.store.put({ key: buf(p + 'k'), value: buf('before') });
      const w = await Recorder.start(ctx.store, { key: buf(p + 'k') });
      try {
        const r1 = (await ctx.store.put({ key: buf(p + 'k'), value: buf('1') })).header.revision;
        await ctx.store.put({ key: buf(p + 'k2'), value: buf('other') });
        const r3 = (await ctx.store.deleteRange({ key: buf(p + 'k') })).header.revision;
        await w.waitEvents(2);
        await sleep(50);
        const [put, del] = w.events;
        assert.equal(w.events.length, 2);
        assert.equal(put.type, 'PUT');
        assert.deepEqual(
          [put.kv.key.toString(), put.kv.value.toString(), put.kv.modRevision, put.kv.createRevision, put.kv.version],
          [p + 'k', '1', r1, r1 - 1, 2],
        );
        assert.equal(put.prevKv, undefined, 'no prevKv unless asked');
        assert.equal(del.type, 'DELETE');
        // A delete event carries the key and the delete's revision only.
        assert.deepEqual(del.kv, {
          key: buf(p + 'k'),
          createRevision: 0,
          modRevision: r3,
          version: 0,
          value: Buffer.alloc(0),
          lease: 0n,
        });
        for (const resp of w.responses) assert.ok(resp.header.revision >= resp.events[resp.events.length - 1].kv.modRevision);
      } finally {
        w.cancel();
      }
    });

    it('a prefix watch; the events of one revision arrive together, in the order the txn applied them', async () => {
      const p = ctx.prefix('watch-prefix');
      const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      try {
        await ctx.store.put({ key: buf(p + 'a'), value: buf('1') });
        await ctx.store.put({ key: buf(ctx.prefix('watch-prefix-not') + 'x'), value: buf('no') });
        const t = await ctx.store.txn({
          compare: [],
          success: [
            { requestPut: { key: buf(p + 'c'), value: buf('3') } },
            { requestPut: { key: buf(p + 'b'), value: buf('2') } },
            { requestDeleteRange: { key: buf(p + 'a') } },
          ],
          failure: [],
        });
        await w.waitEvents(4);
        await sleep(50);
        assert.equal(w.events.length, 4);
        const txnResp = w.responses.find((r) => r.events.some((e) => e.kv.modRevision === t.header.revision));
        assert.ok(txnResp);
        assert.equal(txnResp.events.length, 3, 'one revision is never split');
        assert.deepEqual(
          txnResp.events.map((e) => `${e.type} ${e.kv.key.toString().slice(p.length)}`),
          ['PUT c', 'PUT b', 'DELETE a'],
        );
      } finally {
        w.cancel();
      }
    });

    it('from a past revision: history is replayed in order, then live events follow', async () => {
      const p = ctx.prefix('watch-history');
      const [r1, r2] = await putAll(ctx.store, [p + 'a', p + 'b']);
      const r3 = (await ctx.store.deleteRange({ key: buf(p + 'a') })).header.revision;
      const r4 = (await ctx.store.put({ key: buf(p + 'b'), value: buf('again') })).header.revision;
      const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), startRevision: r2 });
      try {
        await w.waitEvents(3);
        const r5 = (await ctx.store.put({ key: buf(p + 'c'), value: buf('live') })).header.revision;
        await w.waitEvents(4);
        assert.deepEqual(
          w.events.map((e) => [e.type, e.kv.key.toString().slice(p.length), e.kv.modRevision]),
          [
            ['PUT', 'b', r2],
            ['DELETE', 'a', r3],
            ['PUT', 'b', r4],
            ['PUT', 'c', r5],
          ],
        );
        assert.ok(r1 < r2);
        const b2 = w.events[2].kv;
        assert.deepEqual([b2.version, b2.createRevision, b2.value.toString()], [2, r2, 'again']);
      } finally {
        w.cancel();
      }
    });

    it('from a future revision: nothing until that revision', async () => {
      const p = ctx.prefix('watch-future');
      const now = await currentRevision(ctx.store);
      const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), startRevision: now + 2 });
      try {
        await ctx.store.put({ key: buf(p + 'a'), value: buf('1') }); // now + 1
        const r2 = (await ctx.store.put({ key: buf(p + 'b'), value: buf('2') })).header.revision; // now + 2
        await w.waitEvents(1);
        await sleep(50);
        assert.deepEqual(
          w.events.map((e) => [e.kv.key.toString().slice(p.length), e.kv.modRevision]),
          [['b', r2]],
        );
      } finally {
        w.cancel();
      }
    });

    it('prevKv attaches the previous value to puts and deletes', async () => {
      const p = ctx.prefix('watch-prevkv');
      const r0 = (await ctx.store.put({ key: buf(p + 'k'), value: buf('0') })).header.revision;
      const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), prevKv: true });
      try {
        const r1 = (await ctx.store.put({ key: buf(p + 'k'), value: buf('1') })).header.revision;
        await ctx.store.deleteRange({ key: buf(p + 'k') });
        await ctx.store.put({ key: buf(p + 'n'), value: buf('new') });
        await w.waitEvents(3);
        const [e1, e2, e3] = w.events;
        assert.deepEqual([e1.prevKv?.value.toString(), e1.prevKv?.modRevision, e1.prevKv?.version], ['0', r0, 1]);
        assert.deepEqual([e2.type, e2.prevKv?.value.toString(), e2.prevKv?.modRevision], ['DELETE', '1', r1]);
        assert.equal(e3.prevKv, undefined, 'a created key has no previous value');
      } finally {
        w.cancel();
      }
    });

    it('filters drop puts or deletes', async () => {
      const p = ctx.prefix('watch-filters');
      const noPut = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), filters: ['NOPUT'] });
      const noDel = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), filters: ['NODELETE'] });
      try {
        await ctx.store.put({ key: buf(p + 'a'), value: buf('1') });
        await ctx.store.deleteRange({ key: buf(p + 'a') });
        await ctx.store.put({ key: buf(p + 'b'), value: buf('2') });
        await noPut.waitEvents(1);
        await noDel.waitEvents(2);
        await sleep(50);
        assert.deepEqual(
          noPut.events.map((e) => e.type),
          ['DELETE'],
        );
        assert.deepEqual(
          noDel.events.map((e) => `${e.type} ${e.kv.key.toString().slice(p.length)}`),
          ['PUT a', 'PUT b'],
        );
      } finally {
        noPut.cancel();
        noDel.cancel();
      }
    });

    it('requestProgress answers an empty response with the current revision', async () => {
      const p = ctx.prefix('watch-progress');
      const w = await Recorder.start(ctx.store, { key: buf(p) });
      try {
        const r = (await ctx.store.put({ key: buf(p), value: buf('1') })).header.revision;
        await w.waitEvents(1);
        await ctx.store.put({ key: buf(p + '-other'), value: buf('x') });
        const now = await currentRevision(ctx.store);
        w.watcher.requestProgress();
        await w.waitResponses(2);
        const prog = w.responses[1];
        assert.deepEqual(prog.events, []);
        assert.ok(!prog.canceled);
        assert.equal(prog.header.revision, now);
        assert.ok(now > r);
      } finally {
        w.cancel();
      }
    });

    it('a from-key watch (rangeEnd "\\0") sees every key at or after the key', async () => {
      const p = ctx.prefix('watch-fromkey');
      const w = await Recorder.start(ctx.store, { key: buf(p + 'm'), rangeEnd: Buffer.from([0]) });
      try {
        await ctx.store.put({ key: buf(p + 'a'), value: buf('before') });
        await ctx.store.put({ key: buf(p + 'm'), value: buf('at') });
        await ctx.store.put({ key: buf(p + 'z'), value: buf('after') });
        await w.waitEvents(2);
        await sleep(50);
        assert.deepEqual(
          w.events.map((e) => e.kv.key.toString().slice(p.length)),
          ['m', 'z'],
        );
      } finally {
        w.cancel();
      }
    });

    it('progressNotify: an idle watcher gets empty responses with the current revision', async (t) => {
      const interval = ctx.options.progressNotifyIntervalMs;
      if (!interval) {
        t.skip('the suite was not told the store\'s progress-notify interval');
        return;
      }
      const p = ctx.prefix('watch-progress-notify');
      const w = await Recorder.start(ctx.store, { key: buf(p), progressNotify: true });
      try {
        await ctx.store.put({ key: buf(p + '-elsewhere'), value: buf('x') });
        const now = await currentRevision(ctx.store);
        await w.until(() => w.responses.some((r) => r.events.length === 0 && r.header.revision >= now), 'a progress notification', interval * 3 + 1000);
        const prog = w.responses.find((r) => r.events.length === 0)!;
        assert.ok(!prog.canceled);
        assert.equal(w.events.length, 0);
      } finally {
        w.cancel();
      }
    });

    it('cancel stops delivery', async () => {
      const p = ctx.prefix('watch-cancel');
      const w = await Recorder.start(ctx.store, { key: buf(p) });
      const other = await Recorder.start(ctx.store, { key: buf(p) });
      try {
        await ctx.store.put({ key: buf(p), value: buf('1') });
        await w.waitEvents(1);
        w.cancel();
        await ctx.store.put({ key: buf(p), value: buf('2') });
        await other.waitEvents(2);
        await sleep(50);
        assert.equal(w.events.length, 1);
      } finally {
        other.cancel();
      }
    });

    it('many watchers on the same keys each get every event', async () => {
      const p = ctx.prefix('watch-many');
      const ws = await Promise.all(Array.from({ length: 20 }, () => Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)) })));
      try {
        await putAll(ctx.store, [p + 'a', p + 'b', p + 'c']);
        await Promise.all(ws.map((w) => w.waitEvents(3)));
        for (const w of ws) assert.deepEqual(w.events.map((e) => e.kv.key.toString().slice(p.length)), ['a', 'b', 'c']);
      } finally {
        for (const w of ws) w.cancel();
      }
    });
  });
}

/** Watch after compaction (run from the compaction part, which owns compacting the store). */
export async function checkWatchCompacted(ctx: ContractContext, p: string, compactedAt: number, olderRev: number): Promise<void> {
  const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), startRevision: olderRev });
  try {
    await w.waitResponses(1);
    await ctx.store.put({ key: buf(p + 'after'), value: buf('x') });
    await sleep(100);
    assert.equal(w.responses.length, 1, 'one response and nothing else');
    const [resp] = w.responses;
    assert.equal(resp.canceled, true);
    assert.equal(resp.compactRevision, compactedAt);
    assert.deepEqual(resp.events, []);
  } finally {
    w.cancel();
  }
  // From the compacted revision itself, history is still there.
  const ok = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), startRevision: compactedAt });
  try {
    await ok.waitEvents(1);
    assert.ok(!ok.responses.some((r) => r.canceled));
  } finally {
    ok.cancel();
  }
}
