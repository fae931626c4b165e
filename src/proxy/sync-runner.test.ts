// SyncRunner: two quick syncs, then bursts coalesce, runs are at least the min interval apart, the max interval forces
// a periodic run, and failures back off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../util/sleep.js';
import { SyncRunner } from './sync-runner.js';

test('two syncs may run back to back (burst 2), then one per min interval; the max interval forces resyncs', async () => {
  const runs: number[] = [];
  const r = new SyncRunner(async () => void runs.push(Date.now()), 100, 400, () => {});
  const ac = new AbortController();
  const done = r.run(ac.signal);
  await sleep(30);
  assert.equal(runs.length, 1, 'the initial run');
  r.request();
  await sleep(30);
  assert.equal(runs.length, 2, 'a change right after a sync is not held back');
  for (let i = 0; i < 20; i++) r.request();
  await sleep(30);
  assert.equal(runs.length, 2, 'the bucket is empty: the burst waits');
  await sleep(120);
  assert.equal(runs.length, 3, 'the burst coalesced into one run');
  assert.ok(runs[2] - runs[1] >= 60, `runs ${runs[2] - runs[1]} ms apart`);
  await sleep(450);
  assert.ok(runs.length >= 4, 'a periodic run after the max interval');
  ac.abort();
  await done;
});

test('a failing sync is retried with a growing delay', async () => {
  const runs: number[] = [];
  const errors: string[] = [];
  const r = new SyncRunner(
    async () => {
      runs.push(Date.now());
      throw new Error('nft failed');
    },
    40,
    10_000,
    (e) => errors.push(e.message),
  );
  const ac = new AbortController();
  const done = r.run(ac.signal);
  await sleep(400);
  ac.abort();
  await done;
  // 0, 80, 240 (+160) ... rather than every 40 ms.
  assert.ok(runs.length >= 2 && runs.length <= 4, `${runs.length} runs`);
  assert.ok(runs[2] === undefined || runs[2] - runs[1] > runs[1] - runs[0] - 5);
  assert.equal(errors[0], 'nft failed');
});
