// Store contract, part 1: revisions, Range, Put, DeleteRange (etcd 3.4 semantics).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEnd, type RangeRequest } from './store.js';
import { buf, currentRevision, keysOf, putAll, rejectsWith, type ContractContext } from './contract-helpers.js';

export function kvContract(ctx: ContractContext): void {
  describe('revisions', () => {
    it('each put is one revision; the header reports the revision after the write', async () => {
      const p = ctx.prefix('rev-put');
      const before = await currentRevision(ctx.store);
      const r1 = await ctx.store.put({ key: buf(p + 'a'), value: buf('1') });
      assert.equal(r1.header.revision, before + 1);
      const r2 = await ctx.store.put({ key: buf(p + 'b'), value: buf('2') });
      assert.equal(r2.header.revision, before + 2);
      const g = await ctx.store.range({ key: buf(p + 'a') });
      assert.equal(g.header.revision, before + 2, 'a read reports the current revision');
    });

    it('create/mod revision and version: version counts writes, a delete resets it', async () => {
      const k = buf(ctx.prefix('rev-version') + 'k');
      const r1 = (await ctx.store.put({ key: k, value: buf('1') })).header.revision;
      const r2 = (await ctx.store.put({ key: k, value: buf('2') })).header.revision;
      let kv = (await ctx.store.range({ key: k })).kvs[0];
      assert.deepEqual(
        { c: kv.createRevision, m: kv.modRevision, v: kv.version, val: kv.value.toString(), lease: kv.lease },
        { c: r1, m: r2, v: 2, val: '2', lease: 0n },
      );
      const d = await ctx.store.deleteRange({ key: k });
      assert.equal(d.deleted, 1);
      assert.equal(d.header.revision, r2 + 1);
      assert.equal((await ctx.store.range({ key: k })).kvs.length, 0);
      const r4 = (await ctx.store.put({ key: k, value: buf('3') })).header.revision;
      assert.equal(r4, r2 + 2);
      kv = (await ctx.store.range({ key: k })).kvs[0];
      assert.deepEqual({ c: kv.createRevision, m: kv.modRevision, v: kv.version }, { c: r4, m: r4, v: 1 });
    });

    it('deleting nothing creates no revision', async () => {
      const p = ctx.prefix('rev-noop-delete');
      const before = await currentRevision(ctx.store);
      const d = await ctx.store.deleteRange({ key: buf(p + 'missing') });
      assert.equal(d.deleted, 0);
      assert.equal(d.header.revision, before);
      const d2 = await ctx.store.deleteRange({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.equal(d2.deleted, 0);
      assert.equal(await currentRevision(ctx.store), before);
    });
  });

  describe('range', () => {
    it('single key: the key only (not keys it prefixes); a missing key is an empty answer', async () => {
      const p = ctx.prefix('range-single');
      await putAll(ctx.store, [p + 'a', p + 'ab', p + 'b']);
      const r = await ctx.store.range({ key: buf(p + 'a') });
      assert.deepEqual(keysOf(r.kvs), [p + 'a']);
      assert.equal(r.kvs[0].value.toString(), `v-${p}a`);
      assert.equal(r.count, 1);
      assert.equal(r.more, false);
      const m = await ctx.store.range({ key: buf(p + 'zz') });
      assert.deepEqual(m.kvs, []);
      assert.equal(m.count, 0);
      assert.equal(m.more, false);
      // An empty range end is the same as none.
      assert.deepEqual(keysOf((await ctx.store.range({ key: buf(p + 'a'), rangeEnd: Buffer.alloc(0) })).kvs), [p + 'a']);
    });

    it('prefix, interval [key, rangeEnd) and from-key ranges, in key order', async () => {
      const p = ctx.prefix('range-interval');
      await putAll(ctx.store, [p + 'c', p + 'a', p + 'b', p + 'd', p + 'a/x']);
      const all = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.deepEqual(keysOf(all.kvs), [p + 'a', p + 'a/x', p + 'b', p + 'c', p + 'd']);
      assert.equal(all.count, 5);
      const iv = await ctx.store.range({ key: buf(p + 'b'), rangeEnd: buf(p + 'd') });
      assert.deepEqual(keysOf(iv.kvs), [p + 'b', p + 'c'], 'rangeEnd is exclusive');
      const pre = await ctx.store.range({ key: buf(p + 'a'), rangeEnd: prefixEnd(buf(p + 'a')) });
      assert.deepEqual(keysOf(pre.kvs), [p + 'a', p + 'a/x']);
      // From key: every key >= key (other tests' keys may follow ours).
      const from = await ctx.store.range({ key: buf(p + 'c'), rangeEnd: Buffer.from([0]) });
      assert.deepEqual(keysOf(from.kvs).slice(0, 2), [p + 'c', p + 'd']);
      assert.ok(from.kvs.every((kv) => Buffer.compare(kv.key, buf(p + 'c')) >= 0));
      assert.equal(from.count, from.kvs.length);
      // An empty interval (rangeEnd <= key) holds nothing.
      assert.deepEqual((await ctx.store.range({ key: buf(p + 'd'), rangeEnd: buf(p + 'a') })).kvs, []);
    });

    it('key "\\0" with rangeEnd "\\0" is every key', async () => {
      const p = ctx.prefix('range-all');
      await putAll(ctx.store, [p + 'x', p + 'y']);
      const r = await ctx.store.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) });
      const keys = keysOf(r.kvs);
      assert.ok(keys.includes(p + 'x') && keys.includes(p + 'y'));
      assert.equal(r.count, r.kvs.length);
      const sorted = [...r.kvs].sort((a, b) => Buffer.compare(a.key, b.key));
      assert.deepEqual(keysOf(r.kvs), keysOf(sorted), 'keys in byte order');
    });

    it('keys are ordered by unsigned bytes', async () => {
      const p = ctx.prefix('range-bytes');
      const ks = [Buffer.concat([buf(p), Buffer.from([0xff])]), Buffer.concat([buf(p), Buffer.from([0x01])]), buf(p + 'A')];
      for (const k of ks) await ctx.store.put({ key: k, value: buf('v') });
      const r = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.deepEqual(
        r.kvs.map((kv) => kv.key.subarray(p.length).toString('hex')),
        ['01', '41', 'ff'],
      );
    });

    it('limit: more and count (count is before the limit)', async () => {
      const p = ctx.prefix('range-limit');
      await putAll(ctx.store, ['a', 'b', 'c', 'd', 'e'].map((s) => p + s));
      const end = prefixEnd(buf(p));
      const r = await ctx.store.range({ key: buf(p), rangeEnd: end, limit: 2 });
      assert.deepEqual(keysOf(r.kvs), [p + 'a', p + 'b']);
      assert.equal(r.more, true);
      assert.equal(r.count, 5);
      const exact = await ctx.store.range({ key: buf(p), rangeEnd: end, limit: 5 });
      assert.equal(exact.kvs.length, 5);
      assert.equal(exact.more, false);
      assert.equal(exact.count, 5);
      const over = await ctx.store.range({ key: buf(p), rangeEnd: end, limit: 10 });
      assert.equal(over.more, false);
      // The next page as kube-apiserver asks for it: key = last key + "\0".
      const next = await ctx.store.range({ key: buf(p + 'b\0'), rangeEnd: end, limit: 2, revision: r.header.revision });
      assert.deepEqual(keysOf(next.kvs), [p + 'c', p + 'd']);
      assert.equal(next.more, true);
      assert.equal(next.count, 3);
    });

    it('at a past revision: the values and keys as they were', async () => {
      const p = ctx.prefix('range-past');
      const [r1] = await putAll(ctx.store, [p + 'a'], () => 'old');
      const r2 = (await ctx.store.put({ key: buf(p + 'a'), value: buf('new') })).header.revision;
      await ctx.store.put({ key: buf(p + 'b'), value: buf('b') });
      await ctx.store.deleteRange({ key: buf(p + 'a') });
      const at1 = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), revision: r1 });
      assert.deepEqual(keysOf(at1.kvs), [p + 'a']);
      assert.equal(at1.kvs[0].value.toString(), 'old');
      assert.equal(at1.kvs[0].modRevision, r1);
      assert.equal(at1.kvs[0].version, 1);
      const now = await currentRevision(ctx.store);
      assert.equal(at1.header.revision, now, 'the header has the current revision, not the requested one');
      const at2 = await ctx.store.range({ key: buf(p + 'a'), revision: r2 });
      assert.equal(at2.kvs[0].value.toString(), 'new');
      assert.equal(at2.kvs[0].version, 2);
      assert.equal(at2.kvs[0].createRevision, r1);
      const cur = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.deepEqual(keysOf(cur.kvs), [p + 'b']);
      // count at a past revision counts the keys of that revision.
      const c2 = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), revision: r2 + 1, countOnly: true });
      assert.equal(c2.count, 2);
      // serializable reads answer the same on a single member.
      const ser = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), serializable: true });
      assert.deepEqual(keysOf(ser.kvs), [p + 'b']);
      // The current revision itself is readable.
      assert.equal((await ctx.store.range({ key: buf(p + 'b'), revision: now })).kvs.length, 1);
    });

    it('a future revision fails with ErrFutureRev', async () => {
      const now = await currentRevision(ctx.store);
      await rejectsWith(ctx.store.range({ key: buf(ctx.prefix('range-future')), revision: now + 1 }), 'FutureRev');
      await rejectsWith(ctx.store.range({ key: buf(ctx.prefix('range-future')), revision: now + 1000 }), 'FutureRev');
    });

    it('keysOnly and countOnly', async () => {
      const p = ctx.prefix('range-keysonly');
      const revs = await putAll(ctx.store, [p + 'a', p + 'b', p + 'c']);
      const end = prefixEnd(buf(p));
      const ko = await ctx.store.range({ key: buf(p), rangeEnd: end, keysOnly: true });
      assert.deepEqual(keysOf(ko.kvs), [p + 'a', p + 'b', p + 'c']);
      assert.ok(ko.kvs.every((kv) => kv.value.length === 0), 'values are empty');
      assert.deepEqual(
        ko.kvs.map((kv) => [kv.createRevision, kv.modRevision, kv.version]),
        revs.map((r) => [r, r, 1]),
        'metadata is kept',
      );
      const co = await ctx.store.range({ key: buf(p), rangeEnd: end, countOnly: true });
      assert.deepEqual(co.kvs, []);
      assert.equal(co.count, 3);
      assert.equal(co.more, false);
      const col = await ctx.store.range({ key: buf(p), rangeEnd: end, countOnly: true, limit: 1 });
      assert.equal(col.count, 3);
      assert.deepEqual(col.kvs, []);
    });

    it('sorting by every target, before the limit', async () => {
      const p = ctx.prefix('range-sort');
      // Keys a..d with values and revisions in different orders.
      await ctx.store.put({ key: buf(p + 'c'), value: buf('1') });
      await ctx.store.put({ key: buf(p + 'a'), value: buf('3') });
      await ctx.store.put({ key: buf(p + 'd'), value: buf('2') });
      await ctx.store.put({ key: buf(p + 'b'), value: buf('4') });
      await ctx.store.put({ key: buf(p + 'd'), value: buf('0') }); // d: version 2, latest mod
      await ctx.store.put({ key: buf(p + 'd'), value: buf('5') }); // d: version 3
      await ctx.store.put({ key: buf(p + 'a'), value: buf('6') }); // a: version 2, latest mod
      const end = prefixEnd(buf(p));
      const q = async (o: Omit<RangeRequest, 'key'>) =>
        keysOf((await ctx.store.range({ key: buf(p), rangeEnd: end, ...o })).kvs).map((k) => k.slice(p.length)).join('');
      assert.equal(await q({ sortOrder: 'ASCEND', sortTarget: 'KEY' }), 'abcd');
      assert.equal(await q({ sortOrder: 'DESCEND', sortTarget: 'KEY' }), 'dcba');
      assert.equal(await q({ sortOrder: 'ASCEND', sortTarget: 'CREATE' }), 'cadb');
      assert.equal(await q({ sortOrder: 'DESCEND', sortTarget: 'CREATE' }), 'bdac');
      assert.equal(await q({ sortOrder: 'ASCEND', sortTarget: 'MOD' }), 'cbda');
      assert.equal(await q({ sortOrder: 'DESCEND', sortTarget: 'MOD' }), 'adbc');
      assert.equal(await q({ sortOrder: 'ASCEND', sortTarget: 'VALUE' }), 'cbda');
      assert.equal(await q({ sortOrder: 'DESCEND', sortTarget: 'VALUE' }), 'adbc');
      assert.equal((await q({ sortOrder: 'DESCEND', sortTarget: 'VERSION' })).slice(0, 1), 'd');
      // NONE with a target other than KEY sorts ascending (as etcd).
      assert.equal(await q({ sortOrder: 'NONE', sortTarget: 'VALUE' }), 'cbda');
      // Sorting happens before the limit.
      const lim = await ctx.store.range({ key: buf(p), rangeEnd: end, sortOrder: 'DESCEND', sortTarget: 'KEY', limit: 2 });
      assert.deepEqual(keysOf(lim.kvs), [p + 'd', p + 'c']);
      assert.equal(lim.more, true);
      assert.equal(lim.count, 4);
    });

    it('min/max mod and create revision filters (before the limit; count is not filtered, as etcd)', async () => {
      const p = ctx.prefix('range-filter');
      const [ra, rb, rc] = await putAll(ctx.store, [p + 'a', p + 'b', p + 'c']);
      const rb2 = (await ctx.store.put({ key: buf(p + 'b'), value: buf('again') })).header.revision;
      const end = prefixEnd(buf(p));
      const q = async (o: Omit<RangeRequest, 'key'>) => await ctx.store.range({ key: buf(p), rangeEnd: end, ...o });
      assert.deepEqual(keysOf((await q({ minModRevision: rc })).kvs), [p + 'b', p + 'c']);
      assert.deepEqual(keysOf((await q({ maxModRevision: rc })).kvs), [p + 'a', p + 'c']);
      assert.deepEqual(keysOf((await q({ minCreateRevision: rb })).kvs), [p + 'b', p + 'c']);
      assert.deepEqual(keysOf((await q({ maxCreateRevision: rb })).kvs), [p + 'a', p + 'b']);
      assert.deepEqual(keysOf((await q({ minModRevision: ra + 1, maxModRevision: rb2 - 1 })).kvs), [p + 'c']);
      const lim = await q({ minModRevision: rc, limit: 1 });
      assert.deepEqual(keysOf(lim.kvs), [p + 'b']);
      assert.equal(lim.more, true);
      assert.equal(lim.count, 3, 'count is the number of keys in the range, filters aside (as etcd)');
    });

    it('an empty key fails with ErrEmptyKey', async () => {
      await rejectsWith(ctx.store.range({ key: Buffer.alloc(0) }), 'EmptyKey');
    });
  });

  describe('put', () => {
    it('prevKv returns the previous key-value, none for a new key', async () => {
      const k = buf(ctx.prefix('put-prevkv') + 'k');
      const r1 = await ctx.store.put({ key: k, value: buf('1'), prevKv: true });
      assert.equal(r1.prevKv, undefined);
      const r2 = await ctx.store.put({ key: k, value: buf('2'), prevKv: true });
      assert.ok(r2.prevKv);
      assert.deepEqual(
        { key: r2.prevKv.key.toString(), value: r2.prevKv.value.toString(), mod: r2.prevKv.modRevision, v: r2.prevKv.version },
        { key: k.toString(), value: '1', mod: r1.header.revision, v: 1 },
      );
      const r3 = await ctx.store.put({ key: k, value: buf('3') });
      assert.equal(r3.prevKv, undefined, 'no prevKv unless asked');
    });

    it('an empty value is a value; binary keys and values are kept byte for byte', async () => {
      const k = Buffer.concat([buf(ctx.prefix('put-binary')), Buffer.from([0, 1, 0xfe, 0xff])]);
      const v = Buffer.from([0, 0xff, 0x80, 0x0a]);
      await ctx.store.put({ key: k, value: v });
      const r = await ctx.store.range({ key: k });
      assert.ok(r.kvs[0].key.equals(k));
      assert.ok(r.kvs[0].value.equals(v));
      await ctx.store.put({ key: k, value: Buffer.alloc(0) });
      const e = await ctx.store.range({ key: k });
      assert.equal(e.kvs.length, 1);
      assert.equal(e.kvs[0].value.length, 0);
      assert.equal(e.kvs[0].version, 2);
    });

    it('an empty key fails with ErrEmptyKey', async () => {
      await rejectsWith(ctx.store.put({ key: Buffer.alloc(0), value: buf('v') }), 'EmptyKey');
    });

    it('ignoreValue keeps the value; ignoreLease keeps the lease', async () => {
      const k = buf(ctx.prefix('put-ignore') + 'k');
      const lease = await ctx.store.leaseGrant(60);
      try {
        await ctx.store.put({ key: k, value: buf('orig'), lease: lease.id });
        const r = await ctx.store.put({ key: k, value: Buffer.alloc(0), ignoreValue: true, lease: lease.id, prevKv: true });
        assert.equal(r.prevKv?.value.toString(), 'orig');
        let kv = (await ctx.store.range({ key: k })).kvs[0];
        assert.equal(kv.value.toString(), 'orig');
        assert.equal(kv.version, 2);
        assert.equal(kv.modRevision, r.header.revision);
        assert.equal(kv.lease, lease.id);
        await ctx.store.put({ key: k, value: buf('new'), ignoreLease: true });
        kv = (await ctx.store.range({ key: k })).kvs[0];
        assert.equal(kv.value.toString(), 'new');
        assert.equal(kv.lease, lease.id, 'the lease is kept');
        // Without ignoreLease a put detaches the lease.
        await ctx.store.put({ key: k, value: buf('plain') });
        assert.equal((await ctx.store.range({ key: k })).kvs[0].lease, 0n);
      } finally {
        await ctx.store.leaseRevoke(lease.id);
      }
    });

    it('ignoreValue/ignoreLease errors: missing key, value or lease provided', async () => {
      const p = ctx.prefix('put-ignore-errors');
      await rejectsWith(ctx.store.put({ key: buf(p + 'missing'), value: Buffer.alloc(0), ignoreValue: true }), 'KeyNotFound');
      await rejectsWith(ctx.store.put({ key: buf(p + 'missing'), value: buf('v'), ignoreLease: true }), 'KeyNotFound');
      await ctx.store.put({ key: buf(p + 'k'), value: buf('v') });
      await rejectsWith(ctx.store.put({ key: buf(p + 'k'), value: buf('x'), ignoreValue: true }), 'ValueProvided');
      const lease = await ctx.store.leaseGrant(60);
      try {
        await rejectsWith(ctx.store.put({ key: buf(p + 'k'), value: buf('x'), lease: lease.id, ignoreLease: true }), 'LeaseProvided');
      } finally {
        await ctx.store.leaseRevoke(lease.id);
      }
      assert.equal((await ctx.store.range({ key: buf(p + 'k') })).kvs[0].version, 1, 'failed puts write nothing');
    });

    it('a put with an unknown lease fails with ErrLeaseNotFound', async () => {
      const k = buf(ctx.prefix('put-unknown-lease') + 'k');
      await rejectsWith(ctx.store.put({ key: k, value: buf('v'), lease: 0x7eadbeef12345n }), 'LeaseNotFound');
      assert.equal((await ctx.store.range({ key: k })).kvs.length, 0);
    });
  });

  describe('deleteRange', () => {
    it('single key, range and prefix deletes with count, in one revision', async () => {
      const p = ctx.prefix('delete');
      await putAll(ctx.store, ['a', 'b', 'c', 'd', 'e'].map((s) => p + s));
      const before = await currentRevision(ctx.store);
      const one = await ctx.store.deleteRange({ key: buf(p + 'a') });
      assert.equal(one.deleted, 1);
      assert.deepEqual(one.prevKvs, [], 'no prevKvs unless asked');
      assert.equal(one.header.revision, before + 1);
      const iv = await ctx.store.deleteRange({ key: buf(p + 'b'), rangeEnd: buf(p + 'd') });
      assert.equal(iv.deleted, 2);
      assert.equal(iv.header.revision, before + 2, 'a multi-key delete is one revision');
      const rest = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.deepEqual(keysOf(rest.kvs), [p + 'd', p + 'e']);
      // The keys deleted together share the delete's revision in history.
      const hist = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), revision: before + 1 });
      assert.deepEqual(keysOf(hist.kvs), [p + 'b', p + 'c', p + 'd', p + 'e']);
      const pre = await ctx.store.deleteRange({ key: buf(p), rangeEnd: prefixEnd(buf(p)) });
      assert.equal(pre.deleted, 2);
    });

    it('prevKv returns the deleted key-values in key order', async () => {
      const p = ctx.prefix('delete-prevkv');
      const revs = await putAll(ctx.store, [p + 'b', p + 'a']);
      const d = await ctx.store.deleteRange({ key: buf(p), rangeEnd: prefixEnd(buf(p)), prevKv: true });
      assert.equal(d.deleted, 2);
      assert.deepEqual(keysOf(d.prevKvs), [p + 'a', p + 'b']);
      assert.deepEqual(
        d.prevKvs.map((kv) => [kv.value.toString(), kv.modRevision, kv.version]),
        [
          [`v-${p}a`, revs[1], 1],
          [`v-${p}b`, revs[0], 1],
        ],
      );
    });

    it('an empty key fails with ErrEmptyKey', async () => {
      await rejectsWith(ctx.store.deleteRange({ key: Buffer.alloc(0) }), 'EmptyKey');
    });
  });
}
