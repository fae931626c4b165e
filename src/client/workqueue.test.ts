import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, runWorkers } from './workqueue.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter } from './rate-limiter.js';

test('an item is queued once however often it is added', async () => {
  const q = new WorkQueue<string>({ name: 'test-dedup' });
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('an item added while processing is queued again only after done', async () => {
  const q = new WorkQueue<string>({ name: 'test-processing' });
  q.add('a');
  const a = await q.get();
  q.add('a'); // while processing
  assert.equal(q.len(), 0, 'not handed to a second worker');
  q.done(a!);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
});

test('get waits for an item and shutDown wakes waiters with undefined', async () => {
  const q = new WorkQueue<string>({ name: 'test-wait' });
  const pending = q.get();
  setTimeout(() => q.add('x'), 5);
  assert.equal(await pending, 'x');
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  q.add('y');
  assert.equal(q.len(), 0, 'no adds after shutdown');
});

test('addAfter delays and keeps the earliest pending time', async () => {
  const q = new WorkQueue<string>({ name: 'test-after' });
  const t0 = Date.now();
  q.addAfter('a', 200);
  q.addAfter('a', 20);
  assert.equal(await q.get(), 'a');
  const waited = Date.now() - t0;
  assert.ok(waited >= 15 && waited < 150, `waited ${waited} ms`);
  q.shutDown();
});

test('exponential failure limiter doubles per item and forget resets', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 100);
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('b')], [5, 10, 20, 5]);
  assert.equal(l.numRequeues('a'), 3);
  for (let i = 0; i < 10; i++) l.when('a');
  assert.equal(l.when('a'), 100, 'capped');
  l.forget('a');
  assert.equal(l.when('a'), 5);
});

test('bucket limiter allows a burst then spaces items at qps', () => {
  let now = 0;
  const l = new BucketRateLimiter<string>(10, 2, { now: () => now });
  assert.equal(l.when('a'), 0);
  assert.equal(l.when('b'), 0);
  assert.equal(Math.round(l.when('c')), 100);
  now = 1000;
  assert.equal(l.when('d'), 0, 'refilled');
  const max = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(5, 1000), new BucketRateLimiter<string>(1000, 1000));
  assert.equal(max.when('x'), 5);
});

test('runWorkers retries failures with backoff, forgets on success, honours requeueAfter', async () => {
  const q = new WorkQueue<string>({ name: 'test-workers', rateLimiter: new ItemExponentialFailureRateLimiter<string>(1, 10) });
  const seen: string[] = [];
  let failures = 0;
  let requeued = false;
  const running = runWorkers(q, 2, async (item) => {
    seen.push(item);
    if (item === 'flaky' && failures < 2) {
      failures++;
      throw new Error('transient');
    }
    if (item === 'again' && !requeued) {
      requeued = true;
      return { requeueAfter: 5 };
    }
    if (seen.filter((s) => s !== 'x').length >= 5) q.shutDown();
  });
  q.add('flaky');
  q.add('again');
  await running;
  assert.deepEqual(seen.filter((s) => s === 'flaky').length, 3);
  assert.deepEqual(seen.filter((s) => s === 'again').length, 2);
  assert.equal(q.numRequeues('flaky'), 0, 'forgotten after success');
});

test('two workers never process the same item at once', async () => {
  const q = new WorkQueue<string>({ name: 'test-exclusive' });
  const active = new Set<string>();
  let overlaps = 0;
  let processed = 0;
  const running = runWorkers(q, 4, async (item) => {
    if (active.has(item)) overlaps++;
    active.add(item);
    await new Promise((r) => setTimeout(r, 2));
    active.delete(item);
    if (++processed >= 20) q.shutDown();
  });
  for (let i = 0; i < 40; i++) {
    q.add(`k${i % 3}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  setTimeout(() => q.shutDown(), 500);
  await running;
  assert.equal(overlaps, 0);
  assert.ok(processed > 3);
});
