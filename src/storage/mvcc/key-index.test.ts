import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanAt } from './key-index.js';
import { toKeyRange } from './key-range.js';
import { b, withStore } from './test-util.js';

test('past-revision reads through the index + log agree with history scans, also while writes are pending', () =>
  withStore(async (s) => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const op = () => {
      const key = b(`p/${rnd(40)}`);
      return rnd(4) === 0 ? s.deleteRange({ key }) : s.put({ key, value: b(String(rnd(1000))) });
    };
    const revs: number[] = [];
    for (let round = 0; round < 30; round++) {
      await Promise.all(Array.from({ length: 20 }, op));
      revs.push(s.appliedRev);
    }
    const r = toKeyRange(b('p/'), b('p0'));
    const checks: Array<Promise<void>> = [];
    for (const rev of revs) {
      // writes in flight while reading the past
      const pending = Array.from({ length: 10 }, op);
      checks.push(
        s.range({ key: b('p/'), rangeEnd: b('p0'), revision: rev }).then((got) => {
          const want = scanAt(s.be, r, rev);
          assert.deepEqual(
            got.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.modRevision, kv.createRevision, kv.version]),
            want.map((kv) => [kv.key.toString(), kv.value.toString(), kv.modRevision, kv.createRevision, kv.version]),
            `revision ${rev}`,
          );
          assert.equal(got.count, want.length);
        }),
      );
      await Promise.all(pending);
    }
    await Promise.all(checks);
  }));
