import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchResponse } from '../store.js';
import { SLOW_WATCHER_REASON } from './watch-hub.js';
import { b, withStore } from './test-util.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
};

test('a txn revision arrives as one response; a future start revision waits for it', () =>
  withStore(async (s) => {
    const got: WatchResponse[] = [];
    const w = await s.watch({ key: b('t/'), rangeEnd: b('t0'), startRevision: 3 }, (r) => got.push(r));
    await s.put({ key: b('t/a'), value: b('1') }); // rev 2: before the start
    await s.txn({
      compare: [],
      success: [{ requestPut: { key: b('t/b'), value: b('2') } }, { requestPut: { key: b('t/c'), value: b('3') } }, { requestDeleteRange: { key: b('t/a') } }],
      failure: [],
    });
    await until(() => got.length > 0);
    await sleep(20);
    assert.equal(got.length, 1);
    assert.equal(got[0].header.revision, 3);
    assert.deepEqual(
      got[0].events.map((e) => [e.type, e.kv.key.toString(), e.kv.modRevision]),
      [
        ['PUT', 't/b', 3],
        ['PUT', 't/c', 3],
        ['DELETE', 't/a', 3],
      ],
    );
    w.cancel();
  }));

test('progress notify after an idle interval, requestProgress on demand', () =>
  withStore(
    async (s) => {
      await s.put({ key: b('p'), value: b('1') });
      const got: WatchResponse[] = [];
      const w = await s.watch({ key: b('p'), progressNotify: true }, (r) => got.push(r));
      await until(() => got.length >= 1, 2000);
      assert.deepEqual(got[0].events, []);
      assert.equal(got[0].header.revision, 2);
      const quiet: WatchResponse[] = [];
      const w2 = await s.watch({ key: b('q') }, (r) => quiet.push(r));
      w2.requestProgress();
      await until(() => quiet.length === 1);
      assert.equal(quiet[0].header.revision, 2);
      await sleep(150);
      assert.equal(quiet.length, 1, 'no progress notifications without progressNotify');
      w.cancel();
      w2.cancel();
    },
    { progressNotifyIntervalMs: 50 },
  ));

test('a listener that applies backpressure and falls behind is canceled, memory stays bounded', () =>
  withStore(
    async (s) => {
      const got: WatchResponse[] = [];
      let release!: () => void;
      const stuck = new Promise<void>((r) => (release = r));
      await s.watch({ key: b('s/'), rangeEnd: b('s0') }, (r) => {
        got.push(r);
        return stuck; // never done until released
      });
      for (let i = 0; i < 30; i++) await s.put({ key: b(`s/${i}`), value: b('x') });
      release();
      await until(() => got.some((r) => r.canceled));
      const last = got[got.length - 1];
      assert.equal(last.canceled, true);
      assert.equal(last.cancelReason, SLOW_WATCHER_REASON);
      const n = got.length;
      await s.put({ key: b('s/after'), value: b('x') });
      await sleep(20);
      assert.equal(got.length, n, 'nothing after the cancel');
      assert.equal(s.hub.size, 0);
    },
    { maxWatcherQueuedEvents: 10 },
  ));

test('an unsynced watcher catches up across many revisions in order, then goes live', () =>
  withStore(async (s) => {
    for (let i = 0; i < 3000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => s.put({ key: b(`u/${(i + j) % 10}`), value: b(String(i + j)) })));
    }
    const revs: number[] = [];
    const w = await s.watch({ key: b('u/'), rangeEnd: b('u0'), startRevision: 2 }, (r) => {
      for (const e of r.events) revs.push(e.kv.modRevision);
    });
    await s.put({ key: b('u/live'), value: b('') });
    await until(() => revs.length === 3001);
    for (let i = 1; i < revs.length; i++) assert.equal(revs[i], revs[i - 1] + 1);
    w.cancel();
  }));

test('compaction cancels a watcher that has not caught up past it', () =>
  withStore(async (s) => {
    for (let i = 0; i < 10; i++) await s.put({ key: b('c'), value: b(String(i)) });
    await s.compact({ revision: 8 });
    const got: WatchResponse[] = [];
    await s.watch({ key: b('c'), startRevision: 5 }, (r) => got.push(r));
    await until(() => got.length === 1);
    assert.equal(got[0].canceled, true);
    assert.equal(got[0].compactRevision, 8);
  }));
