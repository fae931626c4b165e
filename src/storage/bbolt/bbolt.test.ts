// The bbolt writer and reader against each other: trees several levels deep, values with
// overflow pages, inline and empty buckets, every page accounted for, the meta fallback when
// page 0 is damaged, and the errors for unsorted keys and foreign files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBoltFile, type BoltEntry } from './writer.js';
import { BoltReader } from './reader.js';
import { BRANCH_PAGE, ELEMENT_SIZE, PAGE_HEADER_SIZE, readPageHeader } from './page.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bbolt-unit-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function* bigBucket(n: number): Generator<BoltEntry> {
  for (let i = 0; i < n; i++) {
    const value = i % 997 === 5 ? Buffer.alloc(20_000 + i, i & 0xff) : Buffer.from(`keelson-value-${i}`);
    yield { key: Buffer.from(`k${String(i).padStart(7, '0')}`), value };
  }
}

async function collect(it: AsyncIterable<{ key: Buffer; value: Buffer }>): Promise<BoltEntry[]> {
  const out: BoltEntry[] = [];
  for await (const { key, value } of it) out.push({ key, value });
  return out;
}

/** Every page id reachable from the root, with its overflow pages. */
async function reachablePages(db: BoltReader): Promise<bigint[]> {
  const ids: bigint[] = [];
  const visit = async (id: bigint) => {
    const p = await db.page(id);
    const h = readPageHeader(p);
    for (let i = 0n; i <= BigInt(h.overflow); i++) ids.push(id + i);
    if (h.flags & BRANCH_PAGE) {
      for (let i = 0; i < h.count; i++) await visit(p.readBigUInt64LE(PAGE_HEADER_SIZE + i * ELEMENT_SIZE + 8));
    }
  };
  await visit(db.meta.root);
  for await (const b of db.root()) {
    const root = b.value.readBigUInt64LE(0);
    if (root !== 0n) await visit(root);
  }
  return ids;
}

test('a written file reads back bucket by bucket, every page accounted for', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'keelson.db');
    const n = 30_000;
    const small = [{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: Buffer.from('b'), value: Buffer.alloc(0) }];
    const size = await writeBoltFile(file, [
      { name: Buffer.from('zeta'), entries: bigBucket(n) },
      { name: Buffer.from('alpha'), entries: small },
      { name: Buffer.from('empty'), entries: [] },
    ]);
    const db = await BoltReader.open(file);
    try {
      assert.equal(size, Number(db.meta.pgid) * db.meta.pageSize);
      assert.equal(db.meta.txid, 2n);
      const names = (await collect(db.root())).map((e) => e.key.toString());
      assert.deepEqual(names, ['alpha', 'empty', 'zeta']);
      const rootItems = [];
      for await (const it of db.root()) rootItems.push(it);
      assert.ok(rootItems.every((it) => it.bucket));
      // Small buckets are inline (root 0), the big one has a tree several levels deep.
      assert.equal(rootItems[0]!.value.readBigUInt64LE(0), 0n);
      assert.equal(rootItems[1]!.value.readBigUInt64LE(0), 0n);
      const bigRoot = await db.page(rootItems[2]!.value.readBigUInt64LE(0));
      assert.ok(readPageHeader(bigRoot).flags & BRANCH_PAGE);
      assert.deepEqual(await collect(db.bucket('alpha')), small);
      assert.deepEqual(await collect(db.bucket('empty')), []);
      assert.deepEqual(await collect(db.bucket('missing')), []);
      let i = 0;
      const expected = bigBucket(n);
      for await (const e of db.bucket('zeta')) {
        const want = expected.next().value as BoltEntry;
        assert.ok(e.key.equals(want.key) && e.value.equals(want.value), `entry ${i}`);
        i++;
      }
      assert.equal(i, n);
      assert.equal((await db.last('zeta'))?.key.toString(), `k${String(n - 1).padStart(7, '0')}`);
      assert.equal((await db.last('alpha'))?.key.toString(), 'b');
      assert.equal(await db.last('empty'), undefined);
      assert.equal(await db.last('missing'), undefined);
      // Pages 0 and 1 (metas), the freelist, and the trees: each exactly once, nothing else.
      const pages = [0n, 1n, db.meta.freelist, ...(await reachablePages(db))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual(pages, Array.from({ length: Number(db.meta.pgid) }, (_, k) => BigInt(k)));
      assert.deepEqual(await db.freelist(), []);
    } finally {
      await db.close();
    }
  });
});

test('a damaged meta page 0 falls back to page 1; both damaged or a foreign file is refused', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'keelson.db');
    await writeBoltFile(file, [{ name: Buffer.from('b'), entries: [{ key: Buffer.from('k'), value: Buffer.from('v') }] }]);
    const fh = await open(file, 'r+');
    await fh.write(Buffer.from([0xff]), 0, 1, PAGE_HEADER_SIZE + 20); // inside meta 0's root field
    const db = await BoltReader.open(file);
    assert.equal(db.meta.txid, 1n);
    assert.deepEqual((await collect(db.bucket('b'))).map((e) => e.value.toString()), ['v']);
    await db.close();
    await fh.write(Buffer.from([0xff]), 0, 1, 4096 + PAGE_HEADER_SIZE + 20);
    await fh.close();
    await assert.rejects(BoltReader.open(file), /bbolt: checksum error/);
    const foreign = join(dir, 'foreign.db');
    await writeFile(foreign, Buffer.alloc(8192, 7));
    await assert.rejects(BoltReader.open(foreign), /bbolt: invalid database/);
  });
});

test('keys out of order are refused by the writer', async () => {
  await withDir(async (dir) => {
    const entries = [{ key: Buffer.from('b'), value: Buffer.alloc(0) }, { key: Buffer.from('a'), value: Buffer.alloc(0) }];
    await assert.rejects(writeBoltFile(join(dir, 'x.db'), [{ name: Buffer.from('keelson'), entries }]), /not in strictly ascending order/);
  });
});
