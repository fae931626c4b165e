import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.js';
import { prefixEnd } from '../store.js';
import { b, withStore } from './test-util.js';

test('revisions: empty store is 1, each write one revision, delete of nothing none', () =>
  withStore(async (s) => {
    assert.equal((await s.range({ key: b('a') })).header.revision, 1);
    const p1 = await s.put({ key: b('a'), value: b('1') });
    assert.equal(p1.header.revision, 2);
    const p2 = await s.put({ key: b('a'), value: b('2'), prevKv: true });
    assert.equal(p2.header.revision, 3);
    assert.equal(p2.prevKv?.value.toString(), '1');
    const d0 = await s.deleteRange({ key: b('zzz') });
    assert.equal(d0.deleted, 0);
    assert.equal(d0.header.revision, 3);
    const r = await s.range({ key: b('a') });
    assert.equal(r.kvs.length, 1);
    assert.deepEqual(
      { c: r.kvs[0].createRevision, m: r.kvs[0].modRevision, v: r.kvs[0].version, val: r.kvs[0].value.toString() },
      { c: 2, m: 3, v: 2, val: '2' },
    );
    const d = await s.deleteRange({ key: b('a'), prevKv: true });
    assert.equal(d.deleted, 1);
    assert.equal(d.header.revision, 4);
    assert.equal(d.prevKvs[0].value.toString(), '2');
    await s.put({ key: b('a'), value: b('3') });
    const r2 = await s.range({ key: b('a') });
    assert.equal(r2.kvs[0].version, 1);
    assert.equal(r2.kvs[0].createRevision, 5);
    // past revisions
    const past = await s.range({ key: b('a'), revision: 3 });
    assert.equal(past.kvs[0].value.toString(), '2');
    assert.equal((await s.range({ key: b('a'), revision: 4 })).kvs.length, 0);
    await assert.rejects(s.range({ key: b('a'), revision: 99 }), (e) => isStoreError(e, 'FutureRev'));
  }));

test('range: prefix, from-key, all keys, limit/more/count, sort, filters, keysOnly, countOnly', () =>
  withStore(async (s) => {
    for (const k of ['a', 'b/1', 'b/2', 'b/3', 'c']) await s.put({ key: b(k), value: b('v' + k) });
    const p = await s.range({ key: b('b/'), rangeEnd: prefixEnd(b('b/')) });
    assert.deepEqual(p.kvs.map((kv) => kv.key.toString()), ['b/1', 'b/2', 'b/3']);
    assert.equal(p.count, 3);
    const lim = await s.range({ key: b('b/'), rangeEnd: prefixEnd(b('b/')), limit: 2 });
    assert.equal(lim.kvs.length, 2);
    assert.equal(lim.more, true);
    assert.equal(lim.count, 3);
    const all = await s.range({ key: b('\0'), rangeEnd: b('\0') });
    assert.equal(all.count, 5);
    const from = await s.range({ key: b('b/2'), rangeEnd: b('\0') });
    assert.deepEqual(from.kvs.map((kv) => kv.key.toString()), ['b/2', 'b/3', 'c']);
    const desc = await s.range({ key: b('\0'), rangeEnd: b('\0'), sortOrder: 'DESCEND', sortTarget: 'MOD', limit: 2 });
    assert.deepEqual(desc.kvs.map((kv) => kv.key.toString()), ['c', 'b/3']);
    assert.equal(desc.more, true);
    const ko = await s.range({ key: b('a'), keysOnly: true });
    assert.equal(ko.kvs[0].value.length, 0);
    const co = await s.range({ key: b('\0'), rangeEnd: b('\0'), countOnly: true });
    assert.equal(co.count, 5);
    assert.equal(co.kvs.length, 0);
    const f = await s.range({ key: b('\0'), rangeEnd: b('\0'), minModRevision: 4, maxModRevision: 5 });
    assert.deepEqual(f.kvs.map((kv) => kv.key.toString()), ['b/2', 'b/3']);
  }));

test('txn: compares, success/failure, own writes visible, one revision, errors', () =>
  withStore(async (s) => {
    const create = await s.txn({
      compare: [{ key: b('k'), target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
      success: [
        { requestPut: { key: b('k'), value: b('1') } },
        { requestPut: { key: b('k2'), value: b('2') } },
        { requestRange: { key: b('k') } },
      ],
      failure: [],
    });
    assert.equal(create.succeeded, true);
    assert.equal(create.header.revision, 2);
    const rr = create.responses[2];
    assert.ok('responseRange' in rr);
    assert.equal(rr.responseRange.kvs[0].value.toString(), '1');
    const again = await s.txn({
      compare: [{ key: b('k'), target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
      success: [{ requestPut: { key: b('k'), value: b('x') } }],
      failure: [{ requestRange: { key: b('k') } }],
    });
    assert.equal(again.succeeded, false);
    assert.equal(again.header.revision, 2);
    await assert.rejects(
      s.txn({ compare: [], success: [{ requestPut: { key: b('d'), value: b('') } }, { requestPut: { key: b('d'), value: b('') } }], failure: [] }),
      (e) => isStoreError(e, 'DuplicateKey'),
    );
    const many = Array.from({ length: 129 }, (_, i) => ({ requestPut: { key: b('m' + i), value: b('') } }));
    await assert.rejects(s.txn({ compare: [], success: many, failure: [] }), (e) => isStoreError(e, 'TooManyOps'));
    // value compare on a missing key fails
    const vc = await s.txn({ compare: [{ key: b('nope'), target: 'VALUE', result: 'NOT_EQUAL', value: b('x') }], success: [], failure: [] });
    assert.equal(vc.succeeded, false);
  }));

test('watch: live events, history replay, prevKv, filters', () =>
  withStore(async (s) => {
    await s.put({ key: b('w/a'), value: b('1') });
    await s.put({ key: b('w/a'), value: b('2') });
    const got: Array<{ rev: number; types: string[]; prev?: string }> = [];
    const w = await s.watch({ key: b('w/'), rangeEnd: prefixEnd(b('w/')), startRevision: 2, prevKv: true }, (r) => {
      for (const e of r.events) got.push({ rev: e.kv.modRevision, types: [e.type], prev: e.prevKv?.value.toString() });
    });
    await s.deleteRange({ key: b('w/a') });
    await s.put({ key: b('other'), value: b('x') });
    const dels: string[] = [];
    const w2 = await s.watch({ key: b('w/b'), filters: ['NOPUT'] }, (r) => {
      for (const e of r.events) dels.push(e.type);
    });
    await s.put({ key: b('w/b'), value: b('3') });
    await s.deleteRange({ key: b('w/b') });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      got.map((g) => [g.rev, g.types[0], g.prev]),
      [
        [2, 'PUT', undefined],
        [3, 'PUT', '1'],
        [4, 'DELETE', '2'],
        [6, 'PUT', undefined],
        [7, 'DELETE', '3'],
      ],
    );
    assert.deepEqual(dels, ['DELETE']);
    w.cancel();
    w2.cancel();
  }));

test('durable across reopen', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openMvccStore } = await import('./index.js');
  const dir = await mkdtemp(join(tmpdir(), 'keelson-mvcc-'));
  try {
    let s = await openMvccStore({ dataDir: dir });
    await Promise.all(Array.from({ length: 100 }, (_, i) => s.put({ key: b('k' + i), value: b('v' + i) })));
    await s.close();
    s = await openMvccStore({ dataDir: dir });
    const r = await s.range({ key: b('k'), rangeEnd: b('l') });
    assert.equal(r.count, 100);
    assert.equal(r.header.revision, 101);
    // values load on demand after a restart; mixed with new writes and deletes
    await s.put({ key: b('k5'), value: b('new'), prevKv: true });
    await s.deleteRange({ key: b('k50') });
    const r2 = await s.range({ key: b('k'), rangeEnd: b('l') });
    assert.equal(r2.count, 99);
    const byKey = new Map(r2.kvs.map((kv) => [kv.key.toString(), kv]));
    assert.equal(byKey.get('k5')?.value.toString(), 'new');
    assert.equal(byKey.get('k5')?.version, 2);
    assert.equal(byKey.get('k7')?.value.toString(), 'v7');
    assert.equal(byKey.has('k50'), false);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('keys the backend cannot hold and requests over 1.5 MiB fail with ErrRequestTooLarge; the store keeps working', () =>
  withStore(async (s) => {
    await assert.rejects(s.put({ key: Buffer.alloc(3000, 97), value: b('') }), (e) => isStoreError(e, 'RequestTooLarge'));
    await assert.rejects(s.put({ key: b('big'), value: Buffer.alloc(2 * 1024 * 1024) }), (e) => isStoreError(e, 'RequestTooLarge'));
    const ok = await s.put({ key: Buffer.alloc(1900, 98), value: Buffer.alloc(1024 * 1024) });
    assert.equal(ok.header.revision, 2);
    const r = await s.range({ key: Buffer.alloc(1900, 98) });
    assert.equal(r.kvs[0].value.length, 1024 * 1024);
  }));

test('txn: ignoreValue/ignoreLease errors, prevKv, lease compare, range compares', () =>
  withStore(async (s) => {
    await assert.rejects(s.put({ key: b('x'), value: b(''), ignoreValue: true }), (e) => isStoreError(e, 'KeyNotFound'));
    await assert.rejects(s.put({ key: b('x'), value: b('v'), ignoreValue: true }), (e) => isStoreError(e, 'ValueProvided'));
    await assert.rejects(s.put({ key: b('x'), value: b(''), ignoreLease: true, lease: 5n }), (e) => isStoreError(e, 'LeaseProvided'));
    const { id } = await s.leaseGrant(100);
    await s.put({ key: b('x'), value: b('v1'), lease: id });
    const p = await s.put({ key: b('x'), value: b(''), ignoreValue: true, prevKv: true });
    assert.equal(p.prevKv?.value.toString(), 'v1');
    const cur = (await s.range({ key: b('x') })).kvs[0];
    assert.equal(cur.value.toString(), 'v1');
    assert.equal(cur.lease, 0n, 'a put without ignoreLease detaches the lease');
    await s.put({ key: b('x'), value: b('v2'), ignoreLease: true });
    const lc = await s.txn({ compare: [{ key: b('x'), target: 'LEASE', result: 'EQUAL', lease: 0n }], success: [], failure: [] });
    assert.equal(lc.succeeded, true);
    await s.put({ key: b('r/1'), value: b('a') });
    await s.put({ key: b('r/2'), value: b('a') });
    const rc = await s.txn({ compare: [{ key: b('r/'), rangeEnd: b('r0'), target: 'VALUE', result: 'EQUAL', value: b('a') }], success: [], failure: [] });
    assert.equal(rc.succeeded, true);
    await s.put({ key: b('r/3'), value: b('b') });
    const rc2 = await s.txn({ compare: [{ key: b('r/'), rangeEnd: b('r0'), target: 'VALUE', result: 'EQUAL', value: b('a') }], success: [], failure: [] });
    assert.equal(rc2.succeeded, false);
  }));

test('LMDB trails the log: reads of history right after an acknowledgement see every acknowledged revision', () =>
  withStore(async (s) => {
    // Many writers: several batches, LMDB's transaction of one still running as the next is
    // acknowledged. Each check below runs right after a burst (no wait for LMDB).
    const burst = async (n: number): Promise<number> => {
      const revs = await Promise.all(
        Array.from({ length: n }, async (_, i) => (await s.put({ key: b(`t/${i % 7}`), value: b(String(i)) })).header.revision),
      );
      return Math.max(...revs);
    };
    let last = await burst(300);
    assert.equal(last, 301);
    const inTxn = await s.txn({ compare: [], success: [{ requestRange: { key: b('t/'), rangeEnd: b('t0'), revision: last - 1 } }], failure: [] });
    const r = inTxn.responses[0];
    assert.ok(r && 'responseRange' in r);
    assert.equal(r.responseRange.kvs.length, 7);
    assert.ok(r.responseRange.kvs.every((kv) => kv.modRevision <= last - 1));

    last = await burst(300);
    const at = await s.range({ key: b('t/'), rangeEnd: b('t0'), revision: last - 1 });
    assert.equal(at.kvs.length, 7);
    assert.deepEqual(
      at.kvs.map((kv) => kv.modRevision).sort((x, y) => y - x)[0],
      last - 1,
    );

    last = await burst(300);
    const events: number[] = [];
    const w = await s.watch({ key: b('t/'), rangeEnd: b('t0'), startRevision: 2 }, (resp) => {
      for (const e of resp.events) events.push(e.kv.modRevision);
    });
    try {
      for (let i = 0; i < 300 && events.length < last - 1; i++) await new Promise((res) => setTimeout(res, 10));
      assert.deepEqual(
        events,
        Array.from({ length: last - 1 }, (_, i) => i + 2),
      );
    } finally {
      w.cancel();
    }

    last = await burst(300);
    const h1 = await s.hashKV(last);
    await s.put({ key: b('t/x'), value: b('later') });
    assert.equal((await s.hashKV(last)).hash, h1.hash, 'the hash at a revision does not change with later writes');
  }));

test('compacting at revision 0 succeeds once on a store never compacted, as etcd (compacted revision -1)', () =>
  withStore(async (s) => {
    await s.put({ key: b('k'), value: b('1') });
    const c = await s.compact({ revision: 0 });
    assert.equal(c.header.revision, 2);
    await assert.rejects(s.compact({ revision: 0 }), (e) => isStoreError(e, 'Compacted'));
    assert.equal((await s.range({ key: b('k'), revision: 1 })).count, 0);
    await s.compact({ revision: 2 });
    await assert.rejects(s.compact({ revision: 0 }), (e) => isStoreError(e, 'Compacted'));
  }));
