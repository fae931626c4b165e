// Maintenance requests: status, snapshot, hashKV, defragment.
import { open as fsOpen, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HashKVResponse, SnapshotServerTables, StatusResponse } from '../store.js';
import { storeError } from '../errors.js';
import { etcdServerVersion } from '../../version.js';
import { hashKV as etcdHashKV } from '../etcd-snapshot/index.js';
import { historyRows } from './etcd-rows.js';
import type { MvccStore } from './kv-store.js';
import { streamSnapshot } from './snapshot.js';

export async function status(s: MvccStore): Promise<StatusResponse> {
  await s.ready();
  const { size, inUse } = s.be.sizes();
  const rev = await s.readRev();
  return {
    header: s.header(rev),
    version: etcdServerVersion,
    dbSize: size,
    dbSizeInUse: inUse,
    leader: s.opts.memberId,
    raftIndex: rev,
    raftTerm: 1,
    raftAppliedIndex: rev,
    errors: s.quota.alarms().map((a) => `memberID:${a.memberId} alarm:${a.alarm} `),
    isLearner: false,
  };
}

export async function* snapshot(s: MvccStore, server?: SnapshotServerTables): AsyncGenerator<Buffer> {
  await s.ready();
  // Everything acknowledged, visible in the LMDB file the snapshot copies.
  await s.be.applied();
  yield* streamSnapshot(s.be, server);
}

/** etcd's HashKV (crc32c over the history rows as etcd stores them) at `revision` (0: current). */
export async function hashKV(s: MvccStore, revision: number): Promise<HashKVResponse> {
  await s.ready();
  const cur = await s.readRev();
  await s.be.applied(); // the history rows up to the revision are in LMDB
  const at = revision === 0 ? cur : revision;
  const r = await etcdHashKV(() => historyRows(s.be, s.compactRev, at), { currentRevision: cur, compactRevision: s.compactRev, revision });
  if (!r.ok) throw storeError(r.error === 'compacted' ? 'Compacted' : 'FutureRev');
  // etcd reports -1 when the store was never compacted.
  return { header: s.header(cur), hash: r.hash, compactRevision: r.compactRevision };
}

/** Rewrite the data file compactly (LMDB compact copy) and swap it in; operations wait meanwhile. */
export async function defragment(s: MvccStore): Promise<void> {
  await s.ready();
  let release!: () => void;
  s.paused = new Promise<void>((r) => (release = r));
  try {
    await s.be.idle();
    const tmp = `${s.be.file}.defrag`;
    await rm(tmp, { force: true });
    await s.be.env.backup(tmp, true);
    await fsyncPath(tmp);
    await s.be.env.close();
    await rename(tmp, s.be.file);
    await fsyncPath(dirname(s.be.file)); // make the rename itself durable
    s.be.open();
    s.quota.committed();
  } finally {
    s.paused = null;
    release();
  }
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await fsOpen(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
