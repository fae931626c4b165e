// Store contract, part 4: leases (etcd 3.4 semantics).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEnd } from './store.js';
import { buf, currentRevision, keysOf, Recorder, rejectsWith, sleep, type ContractContext } from './contract-helpers.js';

const UNKNOWN = 0x5eadbeef0001n;

export function leaseContract(ctx: ContractContext): void {
  describe('leases', () => {
    it('grant answers an id and the TTL; a chosen id is kept; an id in use fails with ErrLeaseExist', async () => {
      const g = await ctx.store.leaseGrant(60);
      const chosen = 0x4b45454c534f4e00n + BigInt(Math.floor(Math.random() * 0xffff));
      try {
        assert.ok(g.id > 0n);
        assert.equal(g.ttl, 60);
        const before = await currentRevision(ctx.store);
        assert.equal(g.header.revision, before, 'a grant takes no revision');
        const c = await ctx.store.leaseGrant(30, chosen);
        assert.equal(c.id, chosen);
        assert.equal(c.ttl, 30);
        await rejectsWith(ctx.store.leaseGrant(30, chosen), 'LeaseExist');
        const list = await ctx.store.leaseLeases();
        assert.ok(list.leases.includes(g.id) && list.leases.includes(chosen));
      } finally {
        await ctx.store.leaseRevoke(g.id);
        await ctx.store.leaseRevoke(chosen).catch(() => undefined);
      }
      const after = await ctx.store.leaseLeases();
      assert.ok(!after.leases.includes(g.id), 'a revoked lease is no longer listed');
    });

    it('a TTL below the minimum is raised to it (2 s with default raft timing); above the maximum fails', async () => {
      const g = await ctx.store.leaseGrant(1);
      try {
        assert.equal(g.ttl, 2);
        assert.equal((await ctx.store.leaseTimeToLive(g.id)).grantedTtl, 2);
      } finally {
        await ctx.store.leaseRevoke(g.id);
      }
      await rejectsWith(ctx.store.leaseGrant(9_000_000_001), 'LeaseTTLTooLarge');
    });

    it('timeToLive: remaining and granted TTL, attached keys; -1 for an unknown lease', async () => {
      const p = ctx.prefix('lease-ttl');
      const g = await ctx.store.leaseGrant(100);
      try {
        await ctx.store.put({ key: buf(p + 'b'), value: buf('1'), lease: g.id });
        await ctx.store.put({ key: buf(p + 'a'), value: buf('2'), lease: g.id });
        const t = await ctx.store.leaseTimeToLive(g.id, true);
        assert.equal(t.id, g.id);
        assert.equal(t.grantedTtl, 100);
        assert.ok(t.ttl > 95 && t.ttl <= 100, `remaining ttl ${t.ttl}`);
        assert.deepEqual(t.keys.map((k) => k.toString()).sort(), [p + 'a', p + 'b']);
        const noKeys = await ctx.store.leaseTimeToLive(g.id);
        assert.deepEqual(noKeys.keys, [], 'keys only when asked');
        const kv = (await ctx.store.range({ key: buf(p + 'a') })).kvs[0];
        assert.equal(kv.lease, g.id);
      } finally {
        await ctx.store.leaseRevoke(g.id);
      }
      const u = await ctx.store.leaseTimeToLive(UNKNOWN, true);
      assert.equal(u.ttl, -1);
      assert.equal(u.id, UNKNOWN);
      assert.deepEqual(u.keys, []);
    });

    it('revoke deletes the keys in one revision with delete events; unknown leases fail with ErrLeaseNotFound', async () => {
      const p = ctx.prefix('lease-revoke');
      const g = await ctx.store.leaseGrant(60);
      await ctx.store.put({ key: buf(p + 'a'), value: buf('1'), lease: g.id });
      await ctx.store.put({ key: buf(p + 'b'), value: buf('2'), lease: g.id });
      await ctx.store.put({ key: buf(p + 'c'), value: buf('3') });
      const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)), prevKv: true });
      try {
        const before = await currentRevision(ctx.store);
        const r = await ctx.store.leaseRevoke(g.id);
        assert.equal(r.header.revision, before + 1, 'one revision for all the keys');
        await w.waitEvents(2);
        assert.equal(w.responses[0].events.length, 2, 'in one response');
        assert.deepEqual(
          w.events.map((e) => [e.type, e.kv.key.toString().slice(p.length), e.kv.modRevision, e.prevKv?.value.toString()]),
          [
            ['DELETE', 'a', before + 1, '1'],
            ['DELETE', 'b', before + 1, '2'],
          ],
        );
        // Delete events carry the key and the revoke's revision only.
        assert.deepEqual(
          w.events.map((e) => [e.kv.createRevision, e.kv.version, e.kv.value.length, e.kv.lease]),
          [
            [0, 0, 0, 0n],
            [0, 0, 0, 0n],
          ],
        );
        assert.deepEqual(keysOf((await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) })).kvs), [p + 'c']);
        assert.equal((await ctx.store.leaseTimeToLive(g.id)).ttl, -1);
      } finally {
        w.cancel();
      }
      await rejectsWith(ctx.store.leaseRevoke(g.id), 'LeaseNotFound');
      await rejectsWith(ctx.store.leaseRevoke(UNKNOWN), 'LeaseNotFound');
      // Revoking a lease without keys takes no revision.
      const empty = await ctx.store.leaseGrant(60);
      const before = await currentRevision(ctx.store);
      const r = await ctx.store.leaseRevoke(empty.id);
      assert.equal(r.header.revision, before);
    });

    it('keepAlive renews to the granted TTL; an unknown lease answers TTL 0', async () => {
      const g = await ctx.store.leaseGrant(50);
      try {
        const k = await ctx.store.leaseKeepAlive(g.id);
        assert.equal(k.id, g.id);
        assert.equal(k.ttl, 50);
        const ks = await Promise.all([ctx.store.leaseKeepAlive(g.id), ctx.store.leaseKeepAlive(g.id)]);
        assert.deepEqual(
          ks.map((x) => x.ttl),
          [50, 50],
        );
      } finally {
        await ctx.store.leaseRevoke(g.id);
      }
      const u = await ctx.store.leaseKeepAlive(UNKNOWN);
      assert.equal(u.id, UNKNOWN);
      assert.equal(u.ttl, 0);
    });

    it('expiry deletes the keys (one delete event each, at one new revision); keepAlive holds it off', async () => {
      const p = ctx.prefix('lease-expiry');
      const short = await ctx.store.leaseGrant(2);
      const kept = await ctx.store.leaseGrant(2);
      await ctx.store.put({ key: buf(p + 'a'), value: buf('1'), lease: short.id });
      await ctx.store.put({ key: buf(p + 'b'), value: buf('2'), lease: short.id });
      await ctx.store.put({ key: buf(p + 'k'), value: buf('3'), lease: kept.id });
      const w = await Recorder.start(ctx.store, { key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      const ka = setInterval(() => void ctx.store.leaseKeepAlive(kept.id).catch(() => undefined), 500);
      try {
        await w.waitEvents(2, 6000);
        await sleep(100);
        assert.deepEqual(
          w.events.map((e) => [e.type, e.kv.key.toString().slice(p.length)]),
          [
            ['DELETE', 'a'],
            ['DELETE', 'b'],
          ],
        );
        assert.equal(w.events[0].kv.modRevision, w.events[1].kv.modRevision);
        assert.deepEqual(keysOf((await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) })).kvs), [p + 'k']);
        assert.equal((await ctx.store.leaseTimeToLive(short.id)).ttl, -1);
        assert.ok(!(await ctx.store.leaseLeases()).leases.includes(short.id));
      } finally {
        clearInterval(ka);
        w.cancel();
        await ctx.store.leaseRevoke(kept.id).catch(() => undefined);
      }
    });
  });
}
