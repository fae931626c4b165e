// Snapshots are etcd 3.4 snapshot files (a bbolt database with etcd's buckets followed by its
// sha256, see ../etcd-snapshot): the backend is copied (LMDB compact copy, one read transaction,
// so the view is consistent), the copy is read as etcd's rows (etcd-rows.ts) into the snapshot
// file, and the file is streamed. restoreSnapshot takes etcd's format (ours or a real etcd's,
// restore-etcd.ts) and still the older keelson format: an LMDB copy + sha256 trailer, installed
// as the data file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open as fsOpen, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { DATA_FILE, type Backend } from './backend.js';
import { hasWal } from './wal.js';
import { writeEtcdSnapshot } from '../etcd-snapshot/index.js';
import type { SnapshotServerTables } from '../store.js';
import { historyRows, leaseRecords } from './etcd-rows.js';
import { readU64 } from './codec.js';
import { isEtcdSnapshot, restoreEtcdSnapshot, type RestoredServerState } from './restore-etcd.js';

export const SNAPSHOT_CHUNK = 32 * 1024;

/** Stream a consistent etcd snapshot of the backend (database, then its sha256). */
export async function* streamSnapshot(be: Backend, server: SnapshotServerTables = {}): AsyncGenerator<Buffer> {
  const base = join(be.dataDir, `snapshot-${process.pid}-${randomBytes(4).toString('hex')}`);
  const copy = `${base}.mdb`;
  const out = `${base}.etcd`;
  try {
    await be.env.backup(copy, true);
    const env = openLmdb<Buffer, Buffer>({ path: copy, readOnly: true, keyEncoding: 'binary', encoding: 'binary', maxDbs: 8 });
    try {
      const o = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
      const t = { hist: env.openDB<Buffer, Buffer>('hist', o), log: env.openDB<Buffer, Buffer>('log', o), leases: env.openDB<Buffer, Buffer>('leases', o) };
      const meta = env.openDB<Buffer, Buffer>('meta', o);
      const num = (name: string) => {
        const b = meta.getBinary(Buffer.from(name));
        return b ? readU64(b, 0) : 0;
      };
      await writeEtcdSnapshot(out, {
        // keelson has no raft log: its revision plays the applied index.
        consistentIndex: BigInt(num('rev') || 1),
        compactRevision: num('compact'),
        leases: leaseRecords(t),
        members: server.members ?? [],
        removedMembers: [],
        clusterVersion: '3.4.0',
        alarms: [],
        authEnabled: server.authEnabled ?? false,
        authRevision: server.authRevision ?? 0,
        users: server.users ?? [],
        roles: server.roles ?? [],
        history: historyRows(t, num('compact')),
      });
    } finally {
      await env.close();
    }
    for await (const chunk of createReadStream(out, { highWaterMark: SNAPSHOT_CHUNK })) yield chunk as Buffer;
  } finally {
    await Promise.all([copy, `${copy}-lock`, out].map((f) => rm(f, { force: true })));
  }
}

/**
 * Turn a snapshot file into a data dir (refuses a dir that already holds a store). An etcd
 * snapshot's server-layer state (auth) is answered for the caller to install.
 */
export async function restoreSnapshot(snapshotFile: string, dataDir: string): Promise<RestoredServerState | undefined> {
  const st = await stat(snapshotFile);
  if (await isEtcdSnapshot(snapshotFile)) {
    if ((await stat(join(dataDir, DATA_FILE)).catch(() => null)) || hasWal(dataDir)) throw new Error(`data dir "${dataDir}" already holds a store`);
    return restoreEtcdSnapshot(snapshotFile, dataDir);
  }
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
  return undefined;
}
