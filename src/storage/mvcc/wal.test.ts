// The write-ahead log: record framing (torn and corrupt records end the log), segment rotation
// and recycling, and a store replaying the records its LMDB file lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openMvccStore } from './index.js';
import { b, tempDir } from './test-util.js';
import { open as openLmdb } from 'lmdb';
import { decodeWrites, frameRecord, HIST_TABLE, KV_TABLE, kvWriteSize, putKvWrite, putWrite, RECORD_HEADER, scanSegment, writeSize } from './wal-record.js';
import { encodeKv, encodeLog, histKey, HIST_TOMBSTONE, readU64, revKey } from './codec.js';
import { readWal, Wal, WAL_DIR } from './wal.js';
import { DATA_FILE } from './backend.js';

function record(seq: number, key: string, value: string | undefined): Buffer {
  const k = b(key);
  const v = value === undefined ? undefined : b(value);
  return frameRecord(seq, writeSize(k, v), (buf, at) => putWrite(buf, at, 1, k, v));
}

test('records round-trip; a zero length, a torn tail or a bad checksum ends the scan', () => {
  const recs = [record(1, 'a', 'one'), record(2, 'b', undefined), record(3, 'c', 'three')];
  const data = Buffer.concat([...recs, Buffer.alloc(64)]);
  const got = [...scanSegment(data)];
  assert.deepEqual(
    got.map((r) => r.seq),
    [1, 2, 3],
  );
  assert.deepEqual(
    got.map((r) => decodeWrites(r.payload).map((w) => [w.table, w.key.toString(), w.value?.toString()])),
    [[[1, 'a', 'one']], [[1, 'b', undefined]], [[1, 'c', 'three']]],
  );

  const torn = Buffer.concat([recs[0], recs[1], recs[2].subarray(0, recs[2].length - 2)]);
  assert.deepEqual(
    [...scanSegment(torn)].map((r) => r.seq),
    [1, 2],
  );
  const flipped = Buffer.concat(recs);
  flipped[recs[0].length + RECORD_HEADER + 2] ^= 0xff; // a payload byte of record 2
  assert.deepEqual(
    [...scanSegment(flipped)].map((r) => r.seq),
    [1],
  );
  assert.throws(() => frameRecord(4, 10, (_buf, at) => at + 3), /payload is 3 bytes, expected 10/);
});

test('readWal skips applied records and stops at a gap in the seqs', async () => {
  const dir = await tempDir();
  try {
    const wal = join(dir, WAL_DIR);
    await mkdir(wal);
    await writeFile(join(wal, '0000000000000001.wal'), Buffer.concat([record(5, 'a', '1'), record(6, 'b', '2'), Buffer.alloc(32)]));
    // A recycled file: live records 7-8, then a stale record 3 from its earlier use, then 9 (never
    // written after 8 in this use, so it must not count).
    await writeFile(join(wal, '0000000000000002.wal'), Buffer.concat([record(7, 'c', '3'), record(8, 'd', '4'), record(3, 'x', 'old'), record(10, 'y', 'gap')]));
    assert.deepEqual(
      readWal(dir, 4).map((r) => r.seq),
      [5, 6, 7, 8],
    );
    assert.deepEqual(
      readWal(dir, 6).map((r) => r.seq),
      [7, 8],
    );
    assert.deepEqual(readWal(dir, 8), []);
    // Record 5 missing: nothing after it can be applied.
    assert.deepEqual(readWal(dir, 3), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('segments rotate when full; retired files are recycled or deleted after the checkpoint', async () => {
  const dir = await tempDir();
  let checkpoints = 0;
  const wal = new Wal(
    dir,
    async () => {
      checkpoints++;
    },
    4096,
  );
  try {
    wal.open();
    const value = 'v'.repeat(200);
    const n = 100;
    for (let i = 0; i < n - 10; i++) await wal.append(record(i + 1, `k${i}`, value));
    // The last ten without awaiting each: they group into one write while one is in flight.
    await Promise.all(Array.from({ length: 10 }, (_, j) => wal.append(record(n - 9 + j, `k${n - 10 + j}`, value))));
    await new Promise((r) => setImmediate(r));
    assert.ok(checkpoints >= 4, `rotated ${checkpoints} times`);
    const files = (await readdir(join(dir, WAL_DIR))).sort();
    assert.ok(files.filter((f) => f.endsWith('.wal')).length <= 2, files.join(' '));
    assert.ok(files.filter((f) => f.endsWith('.spare')).length <= 1, files.join(' '));
    // The newest records are readable; nothing past the last one (stale records in a recycled
    // segment are not mistaken for new ones).
    const tail = readWal(dir, n - 5);
    assert.deepEqual(
      tail.map((r) => r.seq),
      [n - 4, n - 3, n - 2, n - 1, n],
    );
    assert.equal(decodeWrites(tail[4].payload)[0].key.toString(), `k${n - 1}`);
    assert.deepEqual(readWal(dir, n), []);
  } finally {
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a log in use gets a zero-filled spare and moves on to it from a sparse segment; open drops unfinished spares', async () => {
  const dir = await tempDir();
  const segBytes = 64 * 1024;
  const walDir = join(dir, WAL_DIR);
  // Left by a crash while a spare was being filled: removed at open.
  await mkdir(walDir, { recursive: true });
  await writeFile(join(walDir, '0000000000000007.spare.tmp'), Buffer.alloc(100));
  const wal = new Wal(dir, async () => undefined, segBytes);
  try {
    wal.open();
    assert.deepEqual((await readdir(walDir)).sort(), ['0000000000000001.wal']);
    // The first segment of a new log is sparse: its blocks are allocated as records arrive.
    assert.ok((await stat(join(walDir, '0000000000000001.wal'))).blocks * 512 < segBytes / 2);
    const value = 'v'.repeat(500);
    let seq = 0;
    // Past 1/16 of the segment, a spare is prepared in the background.
    while (seq < 10) await wal.append(record(++seq, `k${seq}`, value));
    if (wal.preparingSpare) await wal.preparingSpare;
    const spare = (await readdir(walDir)).find((f) => f.endsWith('.spare'));
    assert.ok(spare, 'the spare is in place');
    const st = await stat(join(walDir, spare));
    assert.equal(st.size, segBytes);
    assert.ok(st.blocks * 512 >= segBytes, `spare allocated: ${st.blocks} blocks`);
    // The next record goes to the spare, renamed as segment 2, although segment 1 had room.
    await wal.append(record(++seq, `k${seq}`, value));
    await new Promise((r) => setImmediate(r));
    const files = (await readdir(walDir)).sort();
    assert.ok(files.includes('0000000000000002.wal'), files.join(' '));
    assert.ok((await stat(join(walDir, '0000000000000002.wal'))).blocks * 512 >= segBytes);
    // The sparse segment, retired (its records are in LMDB: the checkpoint), is deleted rather
    // than kept as a spare.
    assert.ok(!files.some((f) => f.startsWith('0000000000000001.')), files.join(' '));
    assert.deepEqual(
      readWal(dir, seq - 1).map((r) => [r.seq, decodeWrites(r.payload)[0].key.toString()]),
      [[seq, `k${seq}`]],
    );
  } finally {
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** The data file as it was at some point: a consistent copy to put back later. */
async function copyDataFile(s: Awaited<ReturnType<typeof openMvccStore>>, to: string): Promise<void> {
  await s.be.applied(); // LMDB trails the log a little
  await s.be.env.backup(to, false);
}

test('reopening replays the records the data file lacks; a torn last record is not applied', async () => {
  const dir = await tempDir();
  const old = join(dir, 'keelson-old.mdb');
  try {
    const s = await openMvccStore({ dataDir: dir });
    await s.put({ key: b('k1'), value: b('v1') });
    await copyDataFile(s, old); // LMDB as of revision 2
    await s.put({ key: b('k2'), value: b('v2') });
    await s.deleteRange({ key: b('k1') });
    await s.put({ key: b('k3'), value: b('v3') });
    const last = await s.put({ key: b('k2'), value: b('v2b') });
    assert.equal(last.header.revision, 6);
    await s.close();

    // Lose the data file's last four transactions, as a machine crash before LMDB's flush would.
    await copyFile(old, join(dir, DATA_FILE));
    await rm(join(dir, `${DATA_FILE}-lock`), { force: true });
    const walFiles = (await readdir(join(dir, WAL_DIR))).filter((f) => f.endsWith('.wal')).sort();
    const walCopy = await readFile(join(dir, WAL_DIR, walFiles[walFiles.length - 1]));

    const r = await openMvccStore({ dataDir: dir });
    try {
      const all = await r.range({ key: b('k'), rangeEnd: b('l') });
      assert.equal(all.header.revision, 6);
      assert.deepEqual(
        all.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.createRevision, kv.modRevision, kv.version]),
        [
          ['k2', 'v2b', 3, 6, 2],
          ['k3', 'v3', 5, 5, 1],
        ],
      );
      // History came back too: k1 at revision 3 (before its delete) and its delete.
      const past = await r.range({ key: b('k1'), revision: 3 });
      assert.equal(past.kvs[0]?.value.toString(), 'v1');
      const next = await r.put({ key: b('k4'), value: b('v4') });
      assert.equal(next.header.revision, 7);
    } finally {
      await r.close();
    }

    // Again from the old data file, with the last record torn (its final bytes never written).
    await rm(join(dir, WAL_DIR), { recursive: true, force: true });
    await mkdir(join(dir, WAL_DIR));
    const recs = [...scanSegment(walCopy)];
    let end = 0;
    for (const rec of recs) end = rec.payload.byteOffset - walCopy.byteOffset + rec.payload.length;
    const torn = Buffer.concat([walCopy.subarray(0, end - 3), Buffer.alloc(64)]);
    await writeFile(join(dir, WAL_DIR, walFiles[walFiles.length - 1]), torn);
    await copyFile(old, join(dir, DATA_FILE));
    await rm(join(dir, `${DATA_FILE}-lock`), { force: true });
    const t = await openMvccStore({ dataDir: dir });
    try {
      const all = await t.range({ key: b('k'), rangeEnd: b('l') });
      assert.equal(all.header.revision, 5, 'the torn revision 6 is gone, 3-5 replayed');
      assert.deepEqual(
        all.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]),
        [
          ['k2', 'v2'],
          ['k3', 'v3'],
        ],
      );
    } finally {
      await t.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an mvcc put or delete is one entry in the log and replays as its kv and hist rows', () => {
  const key = b('/registry/pods/a');
  const rec = encodeKv({ key, createRevision: 5, modRevision: 7, version: 3, value: b('spec'), lease: 0n });
  const payloadLen = kvWriteSize(key, rec) + kvWriteSize(key, undefined) + writeSize(b('rev'), b('x'));
  const frame = frameRecord(9, payloadLen, (buf, at) => {
    at = putKvWrite(buf, at, key, 7, rec);
    at = putKvWrite(buf, at, key, 8, undefined);
    return putWrite(buf, at, 5, b('rev'), b('x')); // a plain table row in the same record
  });
  // One copy of the row in the log, not one per table.
  assert.equal(frame.length, RECORD_HEADER + payloadLen);
  assert.ok(kvWriteSize(key, rec) < writeSize(key, rec) + writeSize(histKey(key, 7), rec) - rec.length + 4);
  const [r] = [...scanSegment(frame)];
  assert.deepEqual(
    decodeWrites(r.payload).map((w) => [w.table, w.key.toString('hex'), w.value?.toString('hex')]),
    [
      [KV_TABLE, key.toString('hex'), rec.toString('hex')],
      [HIST_TABLE, histKey(key, 7).toString('hex'), rec.toString('hex')],
      [KV_TABLE, key.toString('hex'), undefined],
      [HIST_TABLE, histKey(key, 8).toString('hex'), HIST_TOMBSTONE.toString('hex')],
      [5, b('rev').toString('hex'), b('x').toString('hex')],
    ],
  );
});

test('a log written in the earlier format (table rows only) still replays', async () => {
  const dir = await tempDir();
  const old = join(dir, 'keelson-old.mdb');
  try {
    const s = await openMvccStore({ dataDir: dir });
    await s.put({ key: b('k1'), value: b('v1') });
    await s.close();
    // The next batch as the earlier format logged it: kv row, hist row, log row, meta rows.
    const seq = readU64((await openLmdbMeta(dir, old)).walseq, 0) + 1;
    const k2 = b('k2');
    const rec = encodeKv({ key: k2, createRevision: 3, modRevision: 3, version: 1, value: b('v2'), lease: 0n });
    const rows: Array<[number, Buffer, Buffer]> = [
      [KV_TABLE, k2, rec],
      [HIST_TABLE, histKey(k2, 3), rec],
      [2, revKey(3), encodeLog([{ rev: 3, key: k2 }])],
      [5, b('rev'), revKey(3)],
      [5, b('walseq'), revKey(seq)],
    ];
    let size = 0;
    for (const [, k, v] of rows) size += writeSize(k, v);
    const frame = frameRecord(seq, size, (buf, at) => {
      for (const [t, k, v] of rows) at = putWrite(buf, at, t, k, v);
      return at;
    });
    await writeFile(join(dir, WAL_DIR, '00000000000000ff.wal'), Buffer.concat([frame, Buffer.alloc(64)]));
    const r = await openMvccStore({ dataDir: dir });
    try {
      const got = await r.range({ key: b('k'), rangeEnd: b('l') });
      assert.equal(got.header.revision, 3);
      assert.deepEqual(
        got.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.modRevision]),
        [
          ['k1', 'v1', 2],
          ['k2', 'v2', 3],
        ],
      );
      assert.equal((await r.range({ key: b('k2'), revision: 3 })).kvs[0]?.value.toString(), 'v2');
    } finally {
      await r.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The meta table of a closed store's data file (read through a backup copy at `tmp`). */
async function openLmdbMeta(dir: string, tmp: string): Promise<{ walseq: Buffer }> {
  await copyFile(join(dir, DATA_FILE), tmp);
  const env = openLmdb<Buffer, Buffer>({ path: tmp, keyEncoding: 'binary', encoding: 'binary', maxDbs: 8, readOnly: false });
  try {
    const meta = env.openDB<Buffer, Buffer>('meta', { keyEncoding: 'binary', encoding: 'binary' });
    const walseq = meta.getBinary(b('walseq'));
    if (!walseq) throw new Error('no walseq in the data file');
    return { walseq: Buffer.from(walseq) };
  } finally {
    await env.close();
  }
}
