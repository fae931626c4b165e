// Store contract, part 2: Txn (etcd 3.4 semantics).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEnd, type Compare, type RequestOp, type TxnResponse } from './store.js';
import { buf, currentRevision, keysOf, rejectsWith, type ContractContext } from './contract-helpers.js';

const put = (key: string, value = 'v'): RequestOp => ({ requestPut: { key: buf(key), value: buf(value) } });
const get = (key: string, rangeEnd?: string): RequestOp => ({ requestRange: { key: buf(key), ...(rangeEnd ? { rangeEnd: buf(rangeEnd) } : {}) } });
const del = (key: string, rangeEnd?: string): RequestOp => ({
  requestDeleteRange: { key: buf(key), ...(rangeEnd ? { rangeEnd: buf(rangeEnd) } : {}) },
});

function rangeOf(r: TxnResponse, i: number) {
  const op = r.responses[i];
  assert.ok(op && 'responseRange' in op, `response ${i} is a range`);
  return op.responseRange;
}

export function txnContract(ctx: ContractContext): void {
  describe('txn', () => {
    it('a txn is atomic and takes one revision; nested responses carry the txn revision', async () => {
      const p = ctx.prefix('txn-one-rev');
      const before = await currentRevision(ctx.store);
      const r = await ctx.store.txn({ compare: [], success: [put(p + 'a'), put(p + 'b'), put(p + 'c', 'x')], failure: [] });
      assert.equal(r.succeeded, true);
      assert.equal(r.header.revision, before + 1);
      assert.equal(r.responses.length, 3);
      for (const op of r.responses) {
        assert.ok('responsePut' in op);
        assert.equal(op.responsePut.header.revision, before + 1);
      }
      const kvs = (await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) })).kvs;
      assert.deepEqual(
        kvs.map((kv) => kv.modRevision),
        [before + 1, before + 1, before + 1],
      );
    });

    it('a read-only txn (or an empty one) takes no revision', async () => {
      const p = ctx.prefix('txn-readonly');
      await ctx.store.put({ key: buf(p + 'a'), value: buf('1') });
      const before = await currentRevision(ctx.store);
      const r = await ctx.store.txn({ compare: [], success: [get(p + 'a')], failure: [] });
      assert.equal(r.header.revision, before);
      assert.equal(rangeOf(r, 0).header.revision, before);
      assert.equal(rangeOf(r, 0).kvs[0].value.toString(), '1');
      const e = await ctx.store.txn({ compare: [], success: [], failure: [] });
      assert.equal(e.succeeded, true);
      assert.deepEqual(e.responses, []);
      assert.equal(e.header.revision, before);
      const d = await ctx.store.txn({ compare: [], success: [del(p + 'missing')], failure: [] });
      assert.equal(d.header.revision, before, 'deleting nothing in a txn takes no revision');
    });

    it('every compare target and result on an existing key', async () => {
      const p = ctx.prefix('txn-compare');
      const lease = await ctx.store.leaseGrant(60);
      try {
        const k = p + 'k';
        const r1 = (await ctx.store.put({ key: buf(k), value: buf('m') })).header.revision;
        const r2 = (await ctx.store.put({ key: buf(k), value: buf('m'), lease: lease.id })).header.revision;
        // k: version 2, create r1, mod r2, value "m", lease lease.id
        const check = async (c: Omit<Compare, 'key'>, expected: boolean) => {
          const r = await ctx.store.txn({ compare: [{ key: buf(k), ...c }], success: [], failure: [] });
          assert.equal(r.succeeded, expected, `${c.target} ${c.result} ${JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        };
        for (const [result, v, exp] of [
          ['EQUAL', 2, true],
          ['EQUAL', 1, false],
          ['NOT_EQUAL', 1, true],
          ['NOT_EQUAL', 2, false],
          ['GREATER', 1, true],
          ['GREATER', 2, false],
          ['LESS', 3, true],
          ['LESS', 2, false],
        ] as const) {
          await check({ target: 'VERSION', result, version: v }, exp);
        }
        await check({ target: 'CREATE', result: 'EQUAL', createRevision: r1 }, true);
        await check({ target: 'CREATE', result: 'LESS', createRevision: r2 }, true);
        await check({ target: 'CREATE', result: 'GREATER', createRevision: r1 }, false);
        await check({ target: 'CREATE', result: 'NOT_EQUAL', createRevision: r1 }, false);
        await check({ target: 'MOD', result: 'EQUAL', modRevision: r2 }, true);
        await check({ target: 'MOD', result: 'GREATER', modRevision: r1 }, true);
        await check({ target: 'MOD', result: 'LESS', modRevision: r2 }, false);
        await check({ target: 'MOD', result: 'NOT_EQUAL', modRevision: r1 }, true);
        await check({ target: 'VALUE', result: 'EQUAL', value: buf('m') }, true);
        await check({ target: 'VALUE', result: 'GREATER', value: buf('l') }, true);
        await check({ target: 'VALUE', result: 'GREATER', value: buf('mm') }, false);
        await check({ target: 'VALUE', result: 'LESS', value: buf('n') }, true);
        await check({ target: 'VALUE', result: 'LESS', value: buf('m') }, false);
        await check({ target: 'VALUE', result: 'NOT_EQUAL', value: buf('x') }, true);
        await check({ target: 'VALUE', result: 'NOT_EQUAL', value: buf('m') }, false);
        await check({ target: 'LEASE', result: 'EQUAL', lease: lease.id }, true);
        await check({ target: 'LEASE', result: 'NOT_EQUAL', lease: 0n }, true);
        await check({ target: 'LEASE', result: 'GREATER', lease: 0n }, true);
        await check({ target: 'LEASE', result: 'LESS', lease: lease.id }, false);
      } finally {
        await ctx.store.leaseRevoke(lease.id);
      }
    });

    it('a missing key has version, create, mod and lease 0, and fails every VALUE compare', async () => {
      const k = buf(ctx.prefix('txn-missing') + 'nope');
      const ok = async (c: Omit<Compare, 'key'>) =>
        (await ctx.store.txn({ compare: [{ key: k, ...c }], success: [], failure: [] })).succeeded;
      assert.equal(await ok({ target: 'VERSION', result: 'EQUAL', version: 0 }), true);
      assert.equal(await ok({ target: 'CREATE', result: 'EQUAL', createRevision: 0 }), true);
      assert.equal(await ok({ target: 'MOD', result: 'EQUAL', modRevision: 0 }), true);
      assert.equal(await ok({ target: 'LEASE', result: 'EQUAL', lease: 0n }), true);
      assert.equal(await ok({ target: 'MOD', result: 'LESS', modRevision: 1 }), true);
      assert.equal(await ok({ target: 'VALUE', result: 'EQUAL', value: Buffer.alloc(0) }), false);
      assert.equal(await ok({ target: 'VALUE', result: 'NOT_EQUAL', value: buf('x') }), false);
      assert.equal(await ok({ target: 'VALUE', result: 'GREATER', value: Buffer.alloc(0) }), false);
      assert.equal(await ok({ target: 'VALUE', result: 'LESS', value: buf('zzz') }), false);
    });

    it('compares run the chosen branch; the create-if-absent and update-if-unchanged patterns', async () => {
      const p = ctx.prefix('txn-branches');
      const k = p + 'obj';
      const create = () =>
        ctx.store.txn({
          compare: [{ key: buf(k), target: 'MOD', result: 'EQUAL', modRevision: 0 }],
          success: [put(k, 'created')],
          failure: [get(k)],
        });
      const c1 = await create();
      assert.equal(c1.succeeded, true);
      const rev = c1.header.revision;
      assert.ok('responsePut' in c1.responses[0]);
      assert.equal(c1.responses[0].responsePut.header.revision, rev);
      const c2 = await create();
      assert.equal(c2.succeeded, false);
      assert.equal(c2.header.revision, rev, 'the failure branch only read');
      assert.equal(rangeOf(c2, 0).kvs[0].value.toString(), 'created');
      const upd = await ctx.store.txn({
        compare: [{ key: buf(k), target: 'MOD', result: 'EQUAL', modRevision: rev }],
        success: [{ requestPut: { key: buf(k), value: buf('updated'), prevKv: true } }],
        failure: [get(k)],
      });
      assert.equal(upd.succeeded, true);
      assert.ok('responsePut' in upd.responses[0]);
      assert.equal(upd.responses[0].responsePut.prevKv?.value.toString(), 'created');
      // All compares must hold.
      const both = await ctx.store.txn({
        compare: [
          { key: buf(k), target: 'VALUE', result: 'EQUAL', value: buf('updated') },
          { key: buf(k), target: 'VERSION', result: 'EQUAL', version: 1 },
        ],
        success: [put(k, 'never')],
        failure: [],
      });
      assert.equal(both.succeeded, false);
      assert.deepEqual(both.responses, []);
      assert.equal((await ctx.store.range({ key: buf(k) })).kvs[0].value.toString(), 'updated');
    });

    it('a compare with rangeEnd must hold for every key in the range', async () => {
      const p = ctx.prefix('txn-range-compare');
      await ctx.store.put({ key: buf(p + 'a'), value: buf('1') });
      await ctx.store.put({ key: buf(p + 'b'), value: buf('1') });
      const r = await ctx.store.put({ key: buf(p + 'c'), value: buf('2') });
      const ok = async (c: Omit<Compare, 'key' | 'rangeEnd'>, key = p, rangeEnd = prefixEnd(buf(p))) =>
        (await ctx.store.txn({ compare: [{ key: buf(key), rangeEnd, ...c }], success: [], failure: [] })).succeeded;
      assert.equal(await ok({ target: 'VALUE', result: 'EQUAL', value: buf('1') }), false);
      assert.equal(await ok({ target: 'VALUE', result: 'EQUAL', value: buf('1') }, p + 'a', buf(p + 'c')), true);
      assert.equal(await ok({ target: 'VERSION', result: 'EQUAL', version: 1 }), true);
      assert.equal(await ok({ target: 'MOD', result: 'LESS', modRevision: r.header.revision }), false);
      assert.equal(await ok({ target: 'MOD', result: 'LESS', modRevision: r.header.revision + 1 }), true);
      // An empty range compares like a missing key.
      const empty = buf(p + 'zz');
      assert.equal(await ok({ target: 'VERSION', result: 'EQUAL', version: 0 }, p + 'x', empty), true);
      assert.equal(await ok({ target: 'VALUE', result: 'NOT_EQUAL', value: buf('q') }, p + 'x', empty), false);
    });

    it('reads inside a txn see its earlier writes; later ops see earlier deletes', async () => {
      const p = ctx.prefix('txn-read-own');
      await ctx.store.put({ key: buf(p + 'old'), value: buf('o') });
      const r = await ctx.store.txn({
        compare: [],
        success: [put(p + 'a', '1'), get(p + 'a'), del(p + 'old'), get(p, prefixEnd(buf(p)).toString())],
        failure: [],
      });
      const rev = r.header.revision;
      const first = rangeOf(r, 1);
      assert.equal(first.kvs[0].value.toString(), '1');
      assert.equal(first.kvs[0].modRevision, rev);
      assert.equal(first.kvs[0].version, 1);
      assert.deepEqual(keysOf(rangeOf(r, 3).kvs), [p + 'a']);
      const del2 = r.responses[2];
      assert.ok('responseDeleteRange' in del2);
      assert.equal(del2.responseDeleteRange.deleted, 1);
      const kv = (await ctx.store.range({ key: buf(p + 'a') })).kvs[0];
      assert.deepEqual([kv.value.toString(), kv.version, kv.modRevision, kv.createRevision], ['1', 1, rev, rev]);
    });

    it('nested txns: every compare (nested ones too) sees the state before the txn; one revision for all', async () => {
      const p = ctx.prefix('txn-nested');
      await ctx.store.put({ key: buf(p + 'a'), value: buf('0') });
      const before = await currentRevision(ctx.store);
      const r = await ctx.store.txn({
        compare: [],
        success: [
          put(p + 'a', '1'),
          {
            requestTxn: {
              // a is "1" by the time this runs, but etcd 3.4 picks every branch up front.
              compare: [{ key: buf(p + 'a'), target: 'VALUE', result: 'EQUAL', value: buf('1') }],
              success: [put(p + 'b', 'inner-success')],
              failure: [put(p + 'c', 'inner-failure'), get(p + 'a')],
            },
          },
        ],
        failure: [],
      });
      assert.equal(r.succeeded, true);
      assert.equal(r.header.revision, before + 1);
      const inner = r.responses[1];
      assert.ok('responseTxn' in inner);
      assert.equal(inner.responseTxn.succeeded, false);
      // etcd 3.4 leaves a nested txn response's own header empty (revision 0); the txn revision is
      // accepted too. The ops inside carry the txn revision either way.
      assert.ok([0, before + 1].includes(inner.responseTxn.header.revision), `nested header ${inner.responseTxn.header.revision}`);
      assert.ok('responsePut' in inner.responseTxn.responses[0]);
      assert.equal(inner.responseTxn.responses[0].responsePut.header.revision, before + 1);
      assert.equal(rangeOf(inner.responseTxn, 1).kvs[0].value.toString(), '1', 'reads still see earlier writes');
      const keys = keysOf((await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)) })).kvs);
      assert.deepEqual(keys, [p + 'a', p + 'c']);
    });

    it('more than 128 operations per branch (nested ones included) fails with ErrTooManyOps', async () => {
      const p = ctx.prefix('txn-maxops');
      const puts = (n: number, tag: string) => Array.from({ length: n }, (_, i) => put(`${p}${tag}${i}`));
      const ok = await ctx.store.txn({ compare: [], success: puts(128, 's'), failure: [] });
      assert.equal(ok.responses.length, 128);
      await rejectsWith(ctx.store.txn({ compare: [], success: puts(129, 't'), failure: [] }), 'TooManyOps');
      await rejectsWith(ctx.store.txn({ compare: [], success: [], failure: puts(129, 'f') }), 'TooManyOps');
      const compares: Compare[] = Array.from({ length: 129 }, (_, i) => ({
        key: buf(`${p}c${i}`),
        target: 'VERSION',
        result: 'EQUAL',
        version: 0,
      }));
      await rejectsWith(ctx.store.txn({ compare: compares, success: [], failure: [] }), 'TooManyOps');
      // A nested txn gets what its parent has left: 64 + 64 is fine, 64 + 65 is not.
      const nested = (n: number, tag: string): RequestOp => ({ requestTxn: { compare: [], success: puts(n, tag), failure: [] } });
      const fits = await ctx.store.txn({ compare: [], success: [...puts(63, 'n'), nested(64, 'm')], failure: [] });
      assert.equal(fits.succeeded, true);
      await rejectsWith(ctx.store.txn({ compare: [], success: [...puts(63, 'o'), nested(65, 'q')], failure: [] }), 'TooManyOps');
      const written = await ctx.store.range({ key: buf(p), rangeEnd: prefixEnd(buf(p)), countOnly: true });
      assert.equal(written.count, 128 + 63 + 64, 'failed txns wrote nothing');
    });

    it('the same key written twice in a branch fails with ErrDuplicateKey (both branches are checked)', async () => {
      const p = ctx.prefix('txn-dup');
      const before = await currentRevision(ctx.store);
      await rejectsWith(ctx.store.txn({ compare: [], success: [put(p + 'a'), put(p + 'a')], failure: [] }), 'DuplicateKey');
      await rejectsWith(ctx.store.txn({ compare: [], success: [put(p + 'a'), del(p + 'a')], failure: [] }), 'DuplicateKey');
      await rejectsWith(ctx.store.txn({ compare: [], success: [del(p, p + 'z'), put(p + 'b')], failure: [] }), 'DuplicateKey');
      // In the branch that does not run, too.
      await rejectsWith(ctx.store.txn({ compare: [], success: [], failure: [put(p + 'a'), put(p + 'a')] }), 'DuplicateKey');
      // Nested: a put in the nested txn and one at the outer level, or a delete covering it.
      const inner = (ops: RequestOp[]): RequestOp => ({ requestTxn: { compare: [], success: ops, failure: [] } });
      await rejectsWith(ctx.store.txn({ compare: [], success: [put(p + 'a'), inner([put(p + 'a')])], failure: [] }), 'DuplicateKey');
      await rejectsWith(ctx.store.txn({ compare: [], success: [del(p + 'a'), inner([put(p + 'a')])], failure: [] }), 'DuplicateKey');
      await rejectsWith(ctx.store.txn({ compare: [], success: [put(p + 'a'), inner([del(p + 'a')])], failure: [] }), 'DuplicateKey');
      assert.equal(await currentRevision(ctx.store), before, 'nothing was written');
    });

    it('what etcd allows: overlapping deletes, reads of written keys, the same put in both branches', async () => {
      const p = ctx.prefix('txn-dup-allowed');
      await ctx.store.put({ key: buf(p + 'a'), value: buf('0') });
      const r1 = await ctx.store.txn({ compare: [], success: [del(p + 'a'), del(p, p + 'z')], failure: [] });
      assert.equal(r1.succeeded, true);
      const r2 = await ctx.store.txn({ compare: [], success: [put(p + 'a', '1'), get(p + 'a'), get(p + 'a')], failure: [put(p + 'a', 'x')] });
      assert.equal(rangeOf(r2, 2).kvs[0].value.toString(), '1');
      // A nested txn may put the same key in its success and failure branches (only one runs).
      const r3 = await ctx.store.txn({
        compare: [],
        success: [{ requestTxn: { compare: [], success: [put(p + 'b', 's')], failure: [put(p + 'b', 'f')] } }],
        failure: [],
      });
      assert.equal(r3.succeeded, true);
      assert.equal((await ctx.store.range({ key: buf(p + 'b') })).kvs[0].value.toString(), 's');
    });

    it('errors inside a txn: an empty key fails with ErrEmptyKey, an unknown lease with ErrLeaseNotFound', async () => {
      const p = ctx.prefix('txn-errors');
      await rejectsWith(ctx.store.txn({ compare: [], success: [put('')], failure: [] }), 'EmptyKey');
      await rejectsWith(
        ctx.store.txn({ compare: [{ key: Buffer.alloc(0), target: 'VERSION', result: 'EQUAL', version: 0 }], success: [], failure: [] }),
        'EmptyKey',
      );
      const before = await currentRevision(ctx.store);
      await rejectsWith(
        ctx.store.txn({
          compare: [],
          success: [put(p + 'a'), { requestPut: { key: buf(p + 'b'), value: buf('v'), lease: 0x7eadbeef1234n } }],
          failure: [],
        }),
        'LeaseNotFound',
      );
      assert.equal(await currentRevision(ctx.store), before, 'the failed txn wrote nothing');
      assert.equal((await ctx.store.range({ key: buf(p + 'a') })).kvs.length, 0);
    });

    it('a range at a future revision inside a txn fails the whole txn', async () => {
      const p = ctx.prefix('txn-future');
      const now = await currentRevision(ctx.store);
      await rejectsWith(
        ctx.store.txn({ compare: [], success: [put(p + 'a'), { requestRange: { key: buf(p + 'a'), revision: now + 5 } }], failure: [] }),
        'FutureRev',
      );
      assert.equal((await ctx.store.range({ key: buf(p + 'a') })).kvs.length, 0);
    });
  });
}
