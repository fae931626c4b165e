// SyncRunner: two quick syncs, then bursts coalesce, runs are at least the min interval apart, the
// max interval forces a periodic run, failures back off, and runs that changed nothing are free.
// Assertions are on order and lower bounds only (timers never fire early; a loaded machine may
// make them late), and every test aborts its runner even when an assertion fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../util/sleep.js';
import { SyncRunner } from './sync-runner.js';

async function waitRuns(runs: unknown[], n: number, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; runs.length < n && Date.now() < end; ) await sleep(5);
  assert.equal(runs.length, n);
}

/** Runs `fn` as a SyncRunner's sync for the test's body, and always stops it. */
async function withRunner(fn: () => Promise<void | boolean>, minMs: number, maxMs: number, body: (r: SyncRunner) => Promise<void>, onError: (e: Error) => void = () => {}) {
  const r = new SyncRunner(fn, minMs, maxMs, onError);
  const ac = new AbortController();
  const done = r.run(ac.signal);
  try {
    await body(r);
  } finally {
    ac.abort();
    await done;
  }
}

test('two syncs may run back to back (burst 2), then requests coalesce into one run per min interval', async () => {
  const runs: number[] = [];
  await withRunner(async () => void runs.push(Date.now()), 1000, 60_000, async (r) => {
    await waitRuns(runs, 1); // the initial run
    r.request();
    await waitRuns(runs, 2); // a change right after a sync is not held back
    for (let i = 0; i < 20; i++) r.request();
    await sleep(100);
    assert.equal(runs.length, 2, 'the bucket is empty: the burst waits');
    await waitRuns(runs, 3); // the 20 requests coalesced into one run
    assert.ok(runs[2] - runs[1] >= 800, `runs ${runs[2] - runs[1]} ms apart`);
    await sleep(200);
    assert.equal(runs.length, 3, 'nothing more was requested');
  });
});

test('the max interval forces periodic runs', async () => {
  const runs: number[] = [];
  await withRunner(async () => void runs.push(Date.now()), 10, 150, async () => {
    await waitRuns(runs, 3);
    assert.ok(runs[2] - runs[1] >= 140, `${runs[2] - runs[1]} ms apart`);
  });
});

test('a failing sync is retried with a growing delay', async () => {
  const runs: number[] = [];
  const errors: string[] = [];
  const fail = async () => {
    runs.push(Date.now());
    throw new Error('nft failed');
  };
  await withRunner(
    fail,
    40,
    10_000,
    async () => {
      await waitRuns(runs, 3);
      // 0, +80, +160 ... rather than every 40 ms.
      assert.ok(runs[1] - runs[0] >= 75, `first retry after ${runs[1] - runs[0]} ms`);
      assert.ok(runs[2] - runs[1] >= 155, `second retry after ${runs[2] - runs[1]} ms`);
    },
    (e: Error) => void errors.push(e.message),
  );
  assert.equal(errors[0], 'nft failed');
});

test('a run that changed nothing gives its token back: it does not hold back the next change', async () => {
  const runs: number[] = [];
  let changed = false;
  const sync = async () => {
    runs.push(Date.now());
    return changed;
  };
  // A consumed token would hold the next run back for a minute.
  await withRunner(sync, 60_000, 120_000, async (r) => {
    await waitRuns(runs, 1);
    for (let n = 2; n <= 6; n++) {
      r.request();
      await waitRuns(runs, n);
    }
    changed = true;
    r.request();
    await waitRuns(runs, 7);
    r.request();
    await waitRuns(runs, 8); // the burst's second token
    r.request();
    await sleep(200);
    assert.equal(runs.length, 8, 'two changing runs used the burst: the next waits for the min interval');
  });
});
