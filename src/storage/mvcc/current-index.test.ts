import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CurrentIndex } from './current-index.js';
import type { KeyValue } from '../store.js';

const kvOf = (ks: string, rev: number): KeyValue => ({
  key: Buffer.from(ks, 'latin1'),
  createRevision: rev,
  modRevision: rev,
  version: 1,
  value: Buffer.from(String(rev)),
  lease: 0n,
});

test('current index: random inserts/deletes across many chunks match a sorted model', () => {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const idx = new CurrentIndex(() => {
    throw new Error('no lazy keys in this test');
  });
  const model = new Map<string, KeyValue>();
  const keyOf = () => String.fromCharCode(rnd(3)) + 'k' + rnd(6000).toString(36) + (rnd(4) === 0 ? '\xff' : '');
  for (let i = 0; i < 20000; i++) {
    const ks = keyOf();
    if (rnd(3) === 0) {
      idx.delete(ks);
      model.delete(ks);
    } else {
      const kv = kvOf(ks, i);
      idx.set(ks, kv);
      model.set(ks, kv);
    }
  }
  const sorted = [...model.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.equal(idx.size, model.size);
  const all = idx.range('\0', null, 0, false);
  assert.deepEqual(
    all.kvs.map((kv) => kv.key.toString('latin1')),
    sorted.filter((k) => k >= '\0'),
  );
  for (let i = 0; i < 200; i++) {
    let a = keyOf();
    let b = keyOf();
    if (a > b) [a, b] = [b, a];
    const limit = rnd(3) === 0 ? 0 : rnd(50) + 1;
    const want = sorted.filter((k) => k >= a && k < b);
    const got = idx.range(a, b, limit, false);
    assert.equal(got.count, want.length);
    assert.deepEqual(
      got.kvs.map((kv) => kv.key.toString('latin1')),
      limit ? want.slice(0, limit) : want,
    );
    assert.equal(idx.range(a, b, 0, true).count, want.length);
    const open = idx.range(a, null, 5, false);
    assert.equal(open.count, sorted.filter((k) => k >= a).length);
  }
});

test('current index: keys loaded at open are read on first use only', () => {
  const loads: string[] = [];
  const idx = new CurrentIndex((ks) => {
    loads.push(ks);
    return kvOf(ks, 7);
  });
  for (const k of ['a', 'b', 'c']) idx.loadSortedKey(k);
  assert.equal(idx.range('a', 'c', 0, true).count, 2);
  assert.deepEqual(loads, []);
  assert.equal(idx.get('b')?.modRevision, 7);
  assert.deepEqual(
    idx.range('a', null, 0, false).kvs.map((kv) => kv.key.toString()),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(loads.sort(), ['a', 'b', 'c']);
  idx.range('a', null, 0, false);
  assert.equal(loads.length, 3, 'loaded once');
});
