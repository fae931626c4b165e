// Reads an etcd snapshot (a real etcd's `etcdctl snapshot save` output, or ours): checks the
// sha256 trailer the way `etcdctl snapshot restore` does (a file whose size % 512 == 32 carries
// one; without it the caller must opt in with skipHashCheck), then yields etcd's buckets as
// plain records: the small tables at once, the key history as an async iterable in revision order.
import { open, stat } from 'node:fs/promises';
import { BoltReader } from '../bbolt/reader.js';
import {
  decodeAlarm,
  decodeHistoryRow,
  decodeLease,
  decodeMember,
  decodeRevision,
  decodeRole,
  decodeUser,
  type HistoryRow,
} from './records.js';
import { emptyTables, type EtcdTables } from './snapshot-tables.js';
import { fileSha256 } from './write-snapshot.js';

export interface OpenedEtcdSnapshot {
  tables: EtcdTables;
  /** The revision of the last history row (etcdctl snapshot status' "REVISION"; 0 when none). */
  revision: number;
  /**
   * The store's revision after a restore: etcd takes the last row's, or the compacted revision
   * when compaction removed every row above it (mvcc store.restore), and 1 for an empty store.
   */
  currentRevision: number;
  /** Whether the file carried a sha256 trailer (which then matched). */
  hashChecked: boolean;
  /** The history rows; may be iterated more than once, only while the snapshot is open. */
  history(): AsyncGenerator<HistoryRow>;
  close(): Promise<void>;
}

/** Opens and verifies `path`; throws etcdctl's message for a bad trailer. */
export async function openEtcdSnapshot(path: string, opts: { skipHashCheck?: boolean } = {}): Promise<OpenedEtcdSnapshot> {
  const size = (await stat(path)).size;
  const hasHash = size % 512 === 32;
  let dbSize = size;
  if (hasHash) {
    dbSize = size - 32;
    const trailer = Buffer.alloc(32);
    const fh = await open(path, 'r');
    await fh.read(trailer, 0, 32, dbSize).finally(() => fh.close());
    const sum = await fileSha256(path, dbSize);
    if (!sum.equals(trailer)) throw new Error(`expected sha256 ${[...trailer].join(' ')}, got ${[...sum].join(' ')}`);
  } else if (!opts.skipHashCheck) {
    throw new Error('snapshot missing hash but --skip-hash-check=false');
  }
  const db = await BoltReader.open(path, { size: dbSize });
  try {
    const tables = await readTables(db);
    const last = await db.last('key');
    const revision = last ? decodeRevision(last.key).main : 0;
    return {
      tables,
      revision,
      currentRevision: Math.max(revision, tables.compactRevision, 1),
      hashChecked: hasHash,
      async *history() {
        for await (const items of db.bucketBatches('key')) for (const it of items) yield decodeHistoryRow(it.key, it.value);
      },
      close: () => db.close(),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

async function readTables(db: BoltReader): Promise<EtcdTables> {
  const t = emptyTables();
  for await (const { key, value } of db.bucket('meta')) {
    const k = key.toString();
    if (k === 'consistent_index') t.consistentIndex = value.readBigUInt64BE(0);
    else if (k === 'finishedCompactRev') t.compactRevision = decodeRevision(value).main;
    else if (k === 'scheduledCompactRev') t.scheduledCompactRevision = decodeRevision(value).main;
  }
  for await (const { value } of db.bucket('lease')) t.leases.push(decodeLease(value));
  for await (const { key, value } of db.bucket('members')) t.members.push(decodeMember(key, value));
  for await (const { key } of db.bucket('members_removed')) t.removedMembers.push(BigInt(`0x${key.toString()}`));
  for await (const { key, value } of db.bucket('cluster')) if (key.toString() === 'clusterVersion') t.clusterVersion = value.toString();
  for await (const { key } of db.bucket('alarm')) t.alarms.push(decodeAlarm(key));
  for await (const { key, value } of db.bucket('auth')) {
    if (key.toString() === 'authEnabled') t.authEnabled = value[0] === 1;
    else if (key.toString() === 'authRevision') t.authRevision = Number(value.readBigUInt64BE(0));
  }
  for await (const { value } of db.bucket('authUsers')) t.users.push(decodeUser(value));
  for await (const { value } of db.bucket('authRoles')) t.roles.push(decodeRole(value));
  return t;
}
