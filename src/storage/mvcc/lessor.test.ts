import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { isStoreError } from '../errors.js';
import type { WatchResponse } from '../store.js';
import { openMvccStore } from './index.js';
import { b, tempDir, withStore } from './test-util.js';

class FakeClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('grant: minimum TTL 2, chosen ids, ErrLeaseExist, unknown lease errors', () =>
  withStore(async (s) => {
    const g = await s.leaseGrant(1);
    assert.equal(g.ttl, 2);
    assert.ok(g.id > 0n);
    const g2 = await s.leaseGrant(60, 42n);
    assert.equal(g2.id, 42n);
    await assert.rejects(s.leaseGrant(60, 42n), (e) => isStoreError(e, 'LeaseExist'));
    await assert.rejects(s.leaseRevoke(7n), (e) => isStoreError(e, 'LeaseNotFound'));
    await assert.rejects(s.put({ key: b('k'), value: b('v'), lease: 7n }), (e) => isStoreError(e, 'LeaseNotFound'));
    const ttl = await s.leaseTimeToLive(7n);
    assert.equal(ttl.ttl, -1);
    assert.equal((await s.leaseKeepAlive(7n)).ttl, 0);
    assert.deepEqual((await s.leaseLeases()).leases.sort(), [g.id, 42n].sort());
    // granting takes no revision
    assert.equal(g2.header.revision, 1);
  }));

test('revoke deletes attached keys in one revision as delete events', () =>
  withStore(async (s) => {
    const { id } = await s.leaseGrant(60);
    await s.put({ key: b('l/a'), value: b('1'), lease: id });
    await s.put({ key: b('l/b'), value: b('2'), lease: id });
    await s.put({ key: b('l/c'), value: b('3') });
    const t = await s.leaseTimeToLive(id, true);
    assert.deepEqual(t.keys.map((k) => k.toString()), ['l/a', 'l/b']);
    assert.equal(t.grantedTtl, 60);
    assert.ok(t.ttl >= 59 && t.ttl <= 60);
    const got: WatchResponse[] = [];
    await s.watch({ key: b('l/'), rangeEnd: b('l0') }, (r) => got.push(r));
    const r = await s.leaseRevoke(id);
    assert.equal(r.header.revision, 5);
    await until(() => got.length > 0);
    assert.equal(got.length, 1);
    assert.deepEqual(
      got[0].events.map((e) => [e.type, e.kv.key.toString(), e.kv.modRevision]),
      [
        ['DELETE', 'l/a', 5],
        ['DELETE', 'l/b', 5],
      ],
    );
    assert.equal((await s.range({ key: b('l/'), rangeEnd: b('l0') })).count, 1);
    assert.equal((await s.leaseTimeToLive(id)).ttl, -1);
  }));

test('expiry (injectable clock) deletes the keys; keep-alive postpones it; a put moves a key between leases', async () => {
  const clock = new FakeClock();
  await withStore(
    async (s) => {
      const a = await s.leaseGrant(10);
      const k = await s.leaseGrant(10);
      await s.put({ key: b('e/1'), value: b('x'), lease: a.id });
      await s.put({ key: b('e/2'), value: b('y'), lease: k.id });
      await s.put({ key: b('e/3'), value: b('z'), lease: a.id });
      await s.put({ key: b('e/3'), value: b('z2'), lease: k.id }); // moves to k
      clock.t += 6000;
      assert.equal((await s.leaseTimeToLive(a.id)).ttl, 4);
      await s.leaseKeepAlive(k.id);
      clock.t += 5000; // a expired, k has 5 s left
      await until(() => s.lessor.lookup(a.id) === undefined);
      const left = await s.range({ key: b('e/'), rangeEnd: b('e0') });
      assert.deepEqual(left.kvs.map((kv) => kv.key.toString()), ['e/2', 'e/3']);
      clock.t += 6000;
      await until(() => s.lessor.lookup(k.id) === undefined);
      assert.equal((await s.range({ key: b('e/'), rangeEnd: b('e0') })).count, 0);
    },
    { clock, leaseCheckIntervalMs: 20 },
  );
});

test('leases survive a restart with their TTL refreshed, keys still attached', async () => {
  const dir = await tempDir();
  const clock = new FakeClock();
  try {
    let s = await openMvccStore({ dataDir: dir, clock });
    const { id } = await s.leaseGrant(30);
    await s.put({ key: b('r/1'), value: b('v'), lease: id });
    clock.t += 25_000;
    await s.close();
    s = await openMvccStore({ dataDir: dir, clock });
    const t = await s.leaseTimeToLive(id, true);
    assert.equal(t.ttl, 30);
    assert.deepEqual(t.keys.map((k) => k.toString()), ['r/1']);
    await s.leaseRevoke(id);
    assert.equal((await s.range({ key: b('r/1') })).count, 0);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
