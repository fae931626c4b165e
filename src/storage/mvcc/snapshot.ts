// Snapshots: the file format is an LMDB compact copy of the data file followed by a 32-byte
// sha256 trailer over the copy (the same framing etcd uses for its bbolt snapshots). The stream
// is consistent: LMDB copies from one read transaction. restoreSnapshot checks the trailer and
// installs the copy as a new data dir.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open as fsOpen, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_FILE, type Backend } from './backend.js';
import { hasWal } from './wal.js';

export const SNAPSHOT_CHUNK = 32 * 1024;

/** Stream a consistent copy of the backend, then its sha256. */
export async function* streamSnapshot(be: Backend): AsyncGenerator<Buffer> {
  const tmp = join(be.dataDir, `snapshot-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await be.env.backup(tmp, true);
    const h = createHash('sha256');
    for await (const chunk of createReadStream(tmp, { highWaterMark: SNAPSHOT_CHUNK })) {
      const b = chunk as Buffer;
      h.update(b);
      yield b;
    }
    yield h.digest();
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Turn a snapshot file into a data dir (refuses a dir that already holds a store). */
export async function restoreSnapshot(snapshotFile: string, dataDir: string): Promise<void> {
  const st = await stat(snapshotFile);
  if (st.size <= 32) throw new Error(`snapshot "${snapshotFile}" is too small to be a keelson snapshot`);
  const target = join(dataDir, DATA_FILE);
  if ((await stat(target).catch(() => null)) || hasWal(dataDir)) throw new Error(`data dir "${dataDir}" already holds a store`);
  await mkdir(dataDir, { recursive: true });
  const bodyLen = st.size - 32;
  const h = createHash('sha256');
  const tmp = `${target}.restore-tmp`;
  const src = await fsOpen(snapshotFile, 'r');
  const dst = await fsOpen(tmp, 'w');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    while (pos < bodyLen) {
      const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, bodyLen - pos), pos);
      if (bytesRead === 0) throw new Error(`snapshot "${snapshotFile}" is truncated`);
      h.update(buf.subarray(0, bytesRead));
      await dst.write(buf, 0, bytesRead);
      pos += bytesRead;
    }
    const trailer = Buffer.alloc(32);
    await src.read(trailer, 0, 32, bodyLen);
    if (!h.digest().equals(trailer)) throw new Error(`snapshot "${snapshotFile}" failed its sha256 integrity check`);
    await dst.sync();
  } catch (err) {
    await dst.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  } finally {
    await src.close();
  }
  await dst.close().catch(() => undefined);
  await rename(tmp, target);
}
