// etcd-compatible snapshot files, checked with the real binaries: a snapshot written from plain
// records is accepted by `etcdctl snapshot status` and `snapshot restore`, and a real etcd 3.4
// started on the restored data dir serves the same keys, revisions, leases and users/roles; a real
// etcd's `etcdctl snapshot save` output reads back as the records that were written to it; and
// hashKV over history rows equals `etcdctl endpoint hashkv` of a real etcd holding them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdAvailable, freePort, startEtcd } from '../helpers/etcd.js';
import { etcdctl } from '../../src/storage/etcd-server/test-support.js';
import { etcdBuckets, writeEtcdSnapshot } from '../../src/storage/etcd-snapshot/write-snapshot.js';
import { BoltReader } from '../../src/storage/bbolt/reader.js';
import { openEtcdSnapshot } from '../../src/storage/etcd-snapshot/read-snapshot.js';
import { hashKV } from '../../src/storage/etcd-snapshot/hash-kv.js';
import { emptyTables } from '../../src/storage/etcd-snapshot/snapshot-tables.js';
import type { HistoryRow } from '../../src/storage/etcd-snapshot/records.js';

const skip = etcdAvailable() ? false : 'the etcd binary is not installed';

/** A store's history built the way etcd numbers it: one revision per write, from 2. */
class History {
  rows: HistoryRow[] = [];
  rev = 1;
  private live = new Map<string, HistoryRow>();

  put(key: string, value: string | Buffer, lease = 0n): number {
    const rev = ++this.rev;
    const prev = this.live.get(key);
    const row: HistoryRow = {
      key: Buffer.from(key),
      main: rev,
      sub: 0,
      tombstone: false,
      createRevision: prev ? prev.createRevision : rev,
      modRevision: rev,
      version: (prev?.version ?? 0) + 1,
      value: Buffer.from(value),
      lease,
    };
    this.rows.push(row);
    this.live.set(key, row);
    return rev;
  }

  del(key: string): number {
    const rev = ++this.rev;
    this.rows.push({ key: Buffer.from(key), main: rev, sub: 0, tombstone: true, createRevision: 0, modRevision: 0, version: 0, value: Buffer.alloc(0), lease: 0n });
    this.live.delete(key);
    return rev;
  }

  /** Drops what etcd's compaction at `rev` drops: rows <= rev but a key's newest live one. */
  compact(rev: number): void {
    const newest = new Map<string, HistoryRow>();
    for (const r of this.rows) if (r.main <= rev) newest.set(r.key.toString(), r);
    this.rows = this.rows.filter((r) => r.main > rev || (newest.get(r.key.toString()) === r && !r.tombstone));
  }
}

interface JsonKv {
  key: string;
  value?: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  lease?: number | string;
}

const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();

async function ctl(endpoint: string, args: string[]): Promise<string> {
  const r = await etcdctl(endpoint, args);
  assert.equal(r.code, 0, `etcdctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function getAll(endpoint: string, rev?: number): Promise<{ revision: number; kvs: JsonKv[] }> {
  const out = JSON.parse(await ctl(endpoint, ['get', '', '--from-key', '-w', 'json', ...(rev ? [`--rev=${rev}`] : [])]));
  return { revision: Number(out.header.revision), kvs: out.kvs ?? [] };
}

/** What a get at `rev` must return, from the history rows. */
function expectedAt(rows: HistoryRow[], rev: number): Array<[string, string, number, number, number]> {
  const latest = new Map<string, HistoryRow>();
  for (const r of rows) if (r.main <= rev) latest.set(r.key.toString(), r);
  return [...latest.values()]
    .filter((r) => !r.tombstone)
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((r) => [r.key.toString(), r.value.toString(), r.createRevision, r.modRevision, r.version]);
}

const asTuples = (kvs: JsonKv[]) => kvs.map((kv): [string, string, number, number, number] => [b64(kv.key), b64(kv.value), Number(kv.create_revision), Number(kv.mod_revision), Number(kv.version)]);

test('a snapshot written from records restores into a real etcd 3.4 that serves them', { skip, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bbolt-'));
  let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
  try {
    const leaseId = 0x694d8a0b1c2d3e4fn;
    const h = new History();
    h.put('/keelson/a', 'alpha');
    h.put('/keelson/b', 'bravo');
    h.put('/keelson/a', 'alpha-2');
    h.del('/keelson/b');
    h.put('/keelson/leased', 'held', leaseId);
    const compactAt = h.put('/keelson/c', Buffer.alloc(9000, 'c')); // bigger than a page: overflow
    h.put('/keelson/b', 'bravo-again');
    h.put('/keelson/a', 'alpha-3');
    for (let i = 0; i < 400; i++) h.put(`/keelson/many/${String(i).padStart(4, '0')}`, `value-${i}`);
    h.compact(compactAt);
    const file = join(dir, 'keelson.db');
    const tables = {
      ...emptyTables(),
      consistentIndex: 42n,
      compactRevision: compactAt,
      clusterVersion: '3.4.0',
      leases: [{ id: leaseId, ttl: 3600 }],
      members: [{ id: 0x8e9e05c52164694dn, name: 'keelson-old', peerURLs: ['http://127.0.0.1:1'] }],
      authRevision: 3,
      users: [{ name: 'keelson-user', password: Buffer.alloc(0), roles: ['keelson-reader'], noPassword: true }],
      roles: [{ name: 'keelson-reader', permissions: [{ permType: 'READ' as const, key: Buffer.from('/keelson/'), rangeEnd: Buffer.from('/keelson0') }] }],
    };
    await writeEtcdSnapshot(file, { ...tables, history: h.rows });

    // status: revision of the last row; total keys = every entry of every bucket.
    const status = JSON.parse(await ctl('127.0.0.1:1', ['snapshot', 'status', file, '-w', 'json']));
    const smallTables = 3 /* meta */ + 1 /* lease */ + 1 /* members */ + 1 /* cluster */ + 1 /* auth */ + 1 /* users */ + 1; /* roles */
    assert.equal(status.revision, h.rev);
    assert.equal(status.totalKey, h.rows.length + smallTables);
    const table = await ctl('127.0.0.1:1', ['snapshot', 'status', file, '-w', 'table']);
    assert.match(table, new RegExp(`\\|\\s+${h.rev}\\s+\\|\\s+${h.rows.length + smallTables}\\s+\\|`));

    // restore, then a real etcd on the restored data dir.
    const dataDir = join(dir, 'restored');
    const peer = `http://127.0.0.1:${await freePort()}`;
    await ctl('127.0.0.1:1', ['snapshot', 'restore', file, `--data-dir=${dataDir}`, '--name=keelson-test', `--initial-cluster=keelson-test=${peer}`, `--initial-advertise-peer-urls=${peer}`]);
    etcd = await startEtcd({ args: [`--data-dir=${dataDir}`] });
    const ep = etcd.endpoint;

    const now = await getAll(ep);
    assert.equal(now.revision, h.rev);
    assert.deepEqual(asTuples(now.kvs), expectedAt(h.rows, h.rev));
    // (JSON numbers lose int64 precision in JS: read the lease id from the raw text.)
    const leasedRaw = await ctl(ep, ['get', '/keelson/leased', '-w', 'json']);
    assert.equal(BigInt(/"lease":(\d+)/.exec(leasedRaw)?.[1] ?? '0'), leaseId);
    // An older revision above the compaction, and the compaction itself.
    const older = await getAll(ep, compactAt + 1);
    assert.deepEqual(asTuples(older.kvs), expectedAt(h.rows, compactAt + 1));
    const compacted = await etcdctl(ep, ['get', '/keelson/a', `--rev=${compactAt - 1}`]);
    assert.notEqual(compacted.code, 0);
    assert.match(compacted.stderr, /required revision has been compacted/);
    // Leases, users, roles.
    const ttl = JSON.parse(await ctl(ep, ['lease', 'timetolive', leaseId.toString(16), '--keys', '-w', 'json']));
    assert.equal(ttl['granted-ttl'], 3600);
    assert.deepEqual((ttl.keys as string[]).map(b64), ['/keelson/leased']);
    assert.match(await ctl(ep, ['user', 'get', 'keelson-user']), /Roles: keelson-reader/);
    assert.match(await ctl(ep, ['role', 'get', 'keelson-reader']), /Read:\s*\[\/keelson\/, \/keelson0\)/);
    // The restored etcd's HashKV equals ours over the rows we wrote.
    for (const rev of [0, compactAt + 2]) {
      const out = JSON.parse(await ctl(ep, ['endpoint', 'hashkv', `--rev=${rev}`, '-w', 'json']));
      const ours = await hashKV(() => h.rows, { currentRevision: h.rev, compactRevision: compactAt, revision: rev });
      assert.ok(ours.ok);
      assert.equal(ours.hash, out[0].HashKV.hash, `hashkv at ${rev}`);
    }
  } finally {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

async function hashkvOf(endpoint: string, rev: number): Promise<number> {
  const out = JSON.parse(await ctl(endpoint, ['endpoint', 'hashkv', `--rev=${rev}`, '-w', 'json']));
  return out[0].HashKV.hash;
}

async function readAll(file: string) {
  const snap = await openEtcdSnapshot(file);
  try {
    const rows: HistoryRow[] = [];
    for await (const r of snap.history()) rows.push(r);
    return { snap, rows };
  } finally {
    await snap.close();
  }
}

test("a real etcd's snapshot reads back as its records; hashKV over them equals etcd's HashKV", { skip, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-bbolt-'));
  const etcd = await startEtcd();
  const ep = etcd.endpoint;
  try {
    const h = new History();
    const put = async (k: string, v: string, lease?: bigint) => {
      await ctl(ep, ['put', k, v, ...(lease ? [`--lease=${lease.toString(16)}`] : [])]);
      h.put(k, v, lease);
    };
    const del = async (k: string) => {
      await ctl(ep, ['del', k]);
      h.del(k);
    };
    await put('/keelson/a', 'alpha');
    await put('/keelson/b', 'bravo');
    await put('/keelson/a', 'alpha-2');
    await del('/keelson/b');
    const grant = await ctl(ep, ['lease', 'grant', '3600']);
    const leaseId = BigInt(`0x${/lease ([0-9a-f]+) granted/.exec(grant)![1]}`);
    await put('/keelson/leased', 'held', leaseId);
    await put('/keelson/c', 'x'.repeat(5000));
    await del('/keelson/leased-none'); // deleting nothing writes no revision
    h.rev--;
    h.rows.pop();
    await put('/keelson/b', 'bravo-again');
    await put('/keelson/d', 'delta');
    await del('/keelson/d');
    const beforeCompaction = h.rev;
    await ctl(ep, ['user', 'add', 'keelson-user:keelson-password']);
    await ctl(ep, ['role', 'add', 'keelson-reader']);
    await ctl(ep, ['role', 'grant-permission', 'keelson-reader', 'read', '/keelson/', '--prefix=true']);
    await ctl(ep, ['user', 'grant-role', 'keelson-user', 'keelson-reader']);

    // Before any compaction: every row, hashes at the current and at older revisions.
    const first = join(dir, 'first.db');
    await ctl(ep, ['snapshot', 'save', first]);
    const a = await readAll(first);
    assert.equal(a.snap.hashChecked, true);
    assert.equal(a.snap.revision, h.rev);
    assert.deepEqual(a.rows, h.rows);
    assert.equal(a.snap.tables.compactRevision, 0);
    for (const rev of [0, h.rev, 4, 3]) {
      const ours = await hashKV(() => a.rows, { currentRevision: a.snap.revision, compactRevision: 0, revision: rev });
      assert.ok(ours.ok);
      assert.equal(ours.hash, await hashkvOf(ep, rev), `hashkv at ${rev} without compaction`);
    }

    // A compaction (physical: the rows are gone from the file), then more writes.
    const compactAt = 6;
    await ctl(ep, ['compaction', String(compactAt), '--physical']);
    h.compact(compactAt);
    await put('/keelson/a', 'alpha-3');
    await del('/keelson/c');
    const second = join(dir, 'second.db');
    await ctl(ep, ['snapshot', 'save', second]);
    const b = await readAll(second);
    const t = b.snap.tables;
    assert.equal(b.snap.revision, h.rev);
    assert.equal(b.snap.currentRevision, h.rev);
    assert.deepEqual(b.rows, h.rows);
    assert.equal(t.compactRevision, compactAt);
    assert.equal(t.scheduledCompactRevision, compactAt);
    assert.ok(t.consistentIndex > 0n);
    assert.deepEqual(t.leases, [{ id: leaseId, ttl: 3600 }]);
    assert.equal(t.members.length, 1);
    assert.equal(t.members[0]!.name, 'keelson-test');
    const memberList = await ctl(ep, ['member', 'list']);
    assert.ok(memberList.startsWith(t.members[0]!.id.toString(16)), memberList);
    assert.equal(t.clusterVersion, '3.4.0');
    assert.equal(t.authEnabled, false);
    assert.ok(t.authRevision >= 4);
    assert.deepEqual(t.users.map((u) => [u.name, u.roles, u.password.toString().slice(0, 4), u.noPassword]), [['keelson-user', ['keelson-reader'], '$2a$', false]]);
    assert.deepEqual(t.roles, [{ name: 'keelson-reader', permissions: [{ permType: 'READ', key: Buffer.from('/keelson/'), rangeEnd: Buffer.from('/keelson0') }] }]);
    // Our encoding of those tables is etcd's, byte for byte, bucket by bucket (the key bucket too).
    const db = await BoltReader.open(second, { size: (await stat(second)).size - 32 });
    try {
      for (const bucket of etcdBuckets({ ...t, history: b.rows })) {
        const theirs = [];
        for await (const it of db.bucket(bucket.name)) theirs.push([it.key.toString('hex'), it.value.toString('hex')]);
        const ours = [];
        for await (const it of bucket.entries) ours.push([it.key.toString('hex'), it.value.toString('hex')]);
        assert.deepEqual(ours, theirs, `bucket ${bucket.name.toString()}`);
      }
    } finally {
      await db.close();
    }
    for (const rev of [0, h.rev, compactAt + 1, beforeCompaction]) {
      const ours = await hashKV(() => b.rows, { currentRevision: b.snap.revision, compactRevision: compactAt, revision: rev });
      assert.ok(ours.ok);
      assert.equal(ours.hash, await hashkvOf(ep, rev), `hashkv at ${rev} after compaction at ${compactAt}`);
    }
    const tooOld = await hashKV(() => b.rows, { currentRevision: b.snap.revision, compactRevision: compactAt, revision: compactAt });
    assert.deepEqual(tooOld.ok ? 'ok' : tooOld.error, 'compacted');
    const r = await etcdctl(ep, ['endpoint', 'hashkv', `--rev=${compactAt}`]);
    assert.match(r.stderr, /required revision has been compacted/);

    // Those records written back with auth enabled (a root user with the same bcrypt hash):
    // a real etcd restored from it authenticates both users and enforces the read-only role.
    const authFile = join(dir, 'auth.db');
    const user = t.users[0]!;
    await writeEtcdSnapshot(authFile, {
      ...t,
      authEnabled: true,
      users: [user, { name: 'root', password: user.password, roles: ['root'], noPassword: false }],
      roles: [...t.roles, { name: 'root', permissions: [] }],
      history: b.rows,
    });
    const restored = join(dir, 'auth-restored');
    const peer = `http://127.0.0.1:${await freePort()}`;
    await ctl('127.0.0.1:1', ['snapshot', 'restore', authFile, `--data-dir=${restored}`, '--name=keelson-test', `--initial-cluster=keelson-test=${peer}`, `--initial-advertise-peer-urls=${peer}`]);
    const authEtcd = await startEtcd({ args: [`--data-dir=${restored}`] });
    try {
      const aep = authEtcd.endpoint;
      assert.equal((await ctl(aep, ['--user=keelson-user:keelson-password', 'get', '/keelson/a', '--print-value-only'])).trim(), 'alpha-3');
      const denied = await etcdctl(aep, ['--user=keelson-user:keelson-password', 'put', '/keelson/a', 'no']);
      assert.match(denied.stderr, /permission denied/);
      const anonymous = await etcdctl(aep, ['get', '/keelson/a']);
      assert.match(anonymous.stderr, /user name is empty/);
      await ctl(aep, ['--user=root:keelson-password', 'put', '/keelson/a', 'by-root']);
      assert.equal((await ctl(aep, ['--user=root:keelson-password', 'get', '/keelson/a', '--print-value-only'])).trim(), 'by-root');
    } finally {
      await authEtcd.stop();
    }

    // A corrupted trailer is refused with etcdctl's message.
    const fh = await open(second, 'r+');
    const last = Buffer.alloc(1);
    const at = (await fh.stat()).size - 1;
    await fh.read(last, 0, 1, at);
    await fh.write(Buffer.from([last[0]! ^ 0xff]), 0, 1, at);
    await fh.close();
    await assert.rejects(openEtcdSnapshot(second), /expected sha256/);
  } finally {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
