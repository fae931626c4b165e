// Writes an etcd 3.4 snapshot file: a bbolt database with etcd's buckets, followed by the 32-byte
// sha256 of the database that `etcdctl snapshot restore` checks. The history is streamed (rows in
// revision order, one pass); the small tables are held in memory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { writeBoltFile, type BoltBucket, type BoltEntry } from '../bbolt/writer.js';
import {
  encodeAlarm,
  encodeKeyValue,
  encodeLease,
  encodeMember,
  encodeRevision,
  encodeRole,
  encodeUser,
  memberKey,
  u64be,
  type HistoryRow,
} from './records.js';
import type { EtcdTables } from './snapshot-tables.js';

export interface EtcdSnapshotSource extends EtcdTables {
  /** Every history row the store holds, in (main, sub) order. */
  history: Iterable<HistoryRow> | AsyncIterable<HistoryRow>;
}

const entry = (key: Buffer | string, value: Buffer | string): BoltEntry => ({
  key: typeof key === 'string' ? Buffer.from(key) : key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
});

const sortedEntries = (es: BoltEntry[]): BoltEntry[] => es.sort((a, b) => Buffer.compare(a.key, b.key));

const historyEntry = (r: HistoryRow): BoltEntry => ({ key: encodeRevision(r.main, r.sub, r.tombstone), value: encodeKeyValue(r) });

function historyEntries(rows: Iterable<HistoryRow> | AsyncIterable<HistoryRow>): Iterable<BoltEntry> | AsyncIterable<BoltEntry> {
  if (Symbol.iterator in rows) {
    return (function* () {
      for (const r of rows) yield historyEntry(r);
    })();
  }
  return (async function* () {
    for await (const r of rows) yield historyEntry(r);
  })();
}

/** etcd's buckets for `src` (the history iterable is consumed once, when written). */
export function etcdBuckets(src: EtcdSnapshotSource): BoltBucket[] {
  const b = (name: string, entries: BoltBucket['entries']): BoltBucket => ({ name: Buffer.from(name), entries });
  const meta = [entry('consistent_index', u64be(src.consistentIndex))];
  if (src.compactRevision > 0) {
    meta.push(entry('finishedCompactRev', encodeRevision(src.compactRevision, 0)));
    meta.push(entry('scheduledCompactRev', encodeRevision(src.scheduledCompactRevision ?? src.compactRevision, 0)));
  }
  return [
    b('key', historyEntries(src.history)),
    b('meta', sortedEntries(meta)),
    b('lease', sortedEntries(src.leases.map((l) => entry(u64be(BigInt.asUintN(64, l.id)), encodeLease(l))))),
    b('members', sortedEntries(src.members.map((m) => entry(memberKey(m.id), encodeMember(m))))),
    b('members_removed', sortedEntries(src.removedMembers.map((id) => entry(memberKey(id), 'removed')))),
    b('cluster', src.clusterVersion ? [entry('clusterVersion', src.clusterVersion)] : []),
    b('alarm', sortedEntries(src.alarms.map((a) => entry(encodeAlarm(a), Buffer.alloc(0))))),
    // etcd writes authEnabled only once auth was enabled (then 0x00 again when disabled).
    b('auth', [...(src.authEnabled ? [entry('authEnabled', Buffer.from([1]))] : []), entry('authRevision', u64be(src.authRevision))]),
    b('authUsers', sortedEntries(src.users.map((u) => entry(u.name, encodeUser(u))))),
    b('authRoles', sortedEntries(src.roles.map((r) => entry(r.name, encodeRole(r))))),
  ];
}

/** sha256 of a file's first `size` bytes. */
export async function fileSha256(path: string, size?: number): Promise<Buffer> {
  const h = createHash('sha256');
  const opts = size === undefined ? {} : size === 0 ? { start: 0, end: -1 } : { start: 0, end: size - 1 };
  if (size !== 0) for await (const chunk of createReadStream(path, opts)) h.update(chunk as Buffer);
  return h.digest();
}

/** Writes the snapshot (database + sha256 trailer) to `path`; returns its size. */
export async function writeEtcdSnapshot(path: string, src: EtcdSnapshotSource): Promise<number> {
  const size = await writeBoltFile(path, etcdBuckets(src));
  await appendFile(path, await fileSha256(path, size));
  return size + 32;
}
