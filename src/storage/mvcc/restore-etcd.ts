// Restore of an etcd 3.4 snapshot file (ours, or a real etcd's `etcdctl snapshot save` output)
// into a fresh data dir: a bulk import of the rows as they are (revisions, versions, create
// revisions) into the mvcc tables (kv, hist, log, leases, lkeys, meta), in large LMDB
// transactions, each synced at commit. No WAL is written: the dir is new and LMDB holds it all.
// The server-layer tables (auth) are answered for the caller; members are not, since etcd's own
// restore starts a new membership from the restoring member's flags.
import { open as fsOpen, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { openEtcdSnapshot, type EtcdTables, type HistoryRow } from '../etcd-snapshot/index.js';
import { MAGIC } from '../bbolt/page.js';
import { DATA_FILE } from './backend.js';
import { encodeKv, encodeLog, histKey, HIST_TOMBSTONE, leaseKey, readLease, revKey, type LogEntry } from './codec.js';

/** What the etcd-server layer keeps outside the mvcc store. */
export type RestoredServerState = Pick<EtcdTables, 'authEnabled' | 'authRevision' | 'users' | 'roles'>;

/** Rows per import transaction (each ends at a revision boundary). */
const TXN_ROWS = 20000;

/** Whether `file` starts with a bbolt meta page (its magic at byte 16). */
export async function isEtcdSnapshot(file: string): Promise<boolean> {
  const fh = await fsOpen(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 16);
    return bytesRead === 4 && b.readUInt32LE(0) === MAGIC;
  } finally {
    await fh.close();
  }
}

export async function restoreEtcdSnapshot(file: string, dataDir: string): Promise<RestoredServerState> {
  const snap = await openEtcdSnapshot(file).catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(/sha256/.test(msg) ? `snapshot "${file}" failed its sha256 integrity check (${msg})` : `snapshot "${file}": ${msg}`);
  });
  await mkdir(dataDir, { recursive: true });
  const env = openLmdb<Buffer, Buffer>({ path: join(dataDir, DATA_FILE), keyEncoding: 'binary', encoding: 'binary', maxDbs: 8, noSync: false });
  try {
    const o = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
    const kv = env.openDB<Buffer, Buffer>('kv', o);
    const hist = env.openDB<Buffer, Buffer>('hist', o);
    const log = env.openDB<Buffer, Buffer>('log', o);
    const leases = env.openDB<Buffer, Buffer>('leases', o);
    const lkeys = env.openDB<Buffer, Buffer>('lkeys', o);
    const meta = env.openDB<Buffer, Buffer>('meta', o);

    let chunk: HistoryRow[] = [];
    const flush = () => {
      if (chunk.length === 0) return;
      const rows = chunk;
      chunk = [];
      const events: LogEntry[] = [];
      env.transactionSync(() => {
        for (const r of rows) {
          events.push({ rev: r.main, key: r.key });
          if (r.tombstone) {
            hist.putSync(histKey(r.key, r.main), HIST_TOMBSTONE);
            kv.removeSync(r.key);
            continue;
          }
          const rec = encodeKv({ key: r.key, createRevision: r.createRevision, modRevision: r.modRevision, version: r.version, value: r.value, lease: r.lease });
          hist.putSync(histKey(r.key, r.main), rec);
          kv.putSync(r.key, rec);
        }
        // One log batch per transaction, keyed by its first revision (as the backend writes them).
        log.putSync(revKey(events[0].rev), encodeLog(events));
      });
    };
    for await (const r of snap.history()) {
      if (chunk.length >= TXN_ROWS && chunk[chunk.length - 1].main !== r.main) flush();
      chunk.push(r);
    }
    flush();

    const t = snap.tables;
    env.transactionSync(() => {
      const known = new Set<bigint>();
      for (const l of t.leases) {
        const ttl = Buffer.alloc(8);
        ttl.writeDoubleBE(l.ttl);
        leases.putSync(leaseKey(l.id), ttl);
        known.add(l.id);
      }
      // Attach the current keys to their leases (etcd re-attaches them from the key rows too).
      for (const { key, value } of kv.getRange({})) {
        const lease = readLease(value, 24);
        if (lease !== 0n && known.has(lease)) lkeys.putSync(Buffer.concat([leaseKey(lease), key]), Buffer.from([1]));
      }
      meta.putSync(Buffer.from('rev'), revKey(snap.currentRevision));
      if (t.compactRevision > 0) {
        meta.putSync(Buffer.from('compact'), revKey(t.compactRevision));
        meta.putSync(Buffer.from('compactDone'), revKey(t.compactRevision));
      }
    });
    await env.flushed;
    return { authEnabled: t.authEnabled, authRevision: t.authRevision, users: t.users, roles: t.roles };
  } finally {
    await env.close();
    await snap.close();
  }
}
