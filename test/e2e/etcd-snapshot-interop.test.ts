// Snapshots move both ways between `keelson etcd` and a real etcd 3.4: the same history (puts,
// an overwrite, a delete, a txn of two writes, a leased key, a compaction, a user and a role) is
// made on both; their `endpoint hashkv` agree; keelson's `etcdctl snapshot save` passes
// `etcdctl snapshot status` and a real etcd restored from it serves the same keys, revisions,
// leases, users and hash; a real etcd's snapshot restored by `keelson etcd snapshot restore`
// serves the same on keelson; the users' bcrypt password hashes work on the other side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { etcdAvailable, freePort, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { openEtcdStore } from '../../src/storage/etcd-client/index.js';
import { etcdctl, keelsonBin, startKeelsonEtcd, tempDir, type KeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';

const LEASE_ID = 0x6b65656c736f6e01n;
const skip = etcdAvailable() ? false : 'etcd/etcdctl 3.4 not installed';

async function ctl(ep: string, args: string[], stdin?: string): Promise<string> {
  const r = await etcdctl(ep, args, { stdin });
  assert.equal(r.code, 0, `etcdctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The scenario; answers the lease id (hex). Rows kept after it: 7 (a@2 is compacted away). */
async function scenario(ep: string): Promise<string> {
  // The same lease id on both (etcdctl cannot choose one; the gRPC LeaseGrant can).
  const client = await openEtcdStore({ endpoints: [`http://${ep}`] });
  try {
    await client.leaseGrant(600, LEASE_ID);
  } finally {
    await client.close();
  }
  const lease = LEASE_ID.toString(16);
  await ctl(ep, ['put', '/k/a', '1']); // 2
  await ctl(ep, ['put', '/k/b', '1']); // 3
  await ctl(ep, ['put', '/k/a', '2']); // 4
  await ctl(ep, ['del', '/k/b']); // 5
  await ctl(ep, ['txn', '-i'], '\nput /k/d y\nput /k/c x\n\n\n'); // 6 (sub-revisions 0 and 1)
  await ctl(ep, ['put', '/k/l', 'leased', `--lease=${lease}`]); // 7
  await ctl(ep, ['compaction', '4', '--physical']);
  await ctl(ep, ['put', '/k/a', '3']); // 8
  await ctl(ep, ['role', 'add', 'keelson-reader']);
  await ctl(ep, ['role', 'grant-permission', 'keelson-reader', 'read', '/k/', '--prefix']);
  await ctl(ep, ['user', 'add', 'keelson-user:keelson-password']);
  await ctl(ep, ['user', 'grant-role', 'keelson-user', 'keelson-reader']);
  return lease;
}

interface View {
  revision: number;
  kvs: unknown;
  hash: number;
  hash6: number;
  leaseKeys: string[];
  user: string;
  role: string;
}

async function view(ep: string, lease: string): Promise<View> {
  const got = JSON.parse(await ctl(ep, ['get', '', '--from-key', '-w', 'json'])) as { header: { revision: number }; kvs: unknown };
  const hash = async (rev: number) => (JSON.parse(await ctl(ep, ['endpoint', 'hashkv', `--rev=${rev}`, '-w', 'json'])) as Array<{ HashKV: { hash: number } }>)[0].HashKV.hash;
  const ttl = JSON.parse(await ctl(ep, ['lease', 'timetolive', lease, '--keys', '-w', 'json'])) as { keys: string[] };
  return {
    revision: got.header.revision,
    kvs: got.kvs,
    hash: await hash(0),
    hash6: await hash(6),
    leaseKeys: ttl.keys.map((k) => Buffer.from(k, 'base64').toString()),
    user: await ctl(ep, ['user', 'get', 'keelson-user']),
    role: await ctl(ep, ['role', 'get', 'keelson-reader']),
  };
}

/**
 * keelson-user's password hash came with the snapshot from the other implementation: with auth
 * enabled, the user can read (its role allows /k/) with its password, and not with another.
 */
async function checkRestoredPassword(ep: string): Promise<void> {
  await ctl(ep, ['user', 'add', 'root:keelson-root']);
  await ctl(ep, ['user', 'grant-role', 'root', 'root']);
  await ctl(ep, ['auth', 'enable']);
  assert.equal((await ctl(ep, ['--user=keelson-user:keelson-password', 'get', '/k/a', '--print-value-only'])).trim(), '3');
  const wrong = await etcdctl(ep, ['--user=keelson-user:not-the-password', 'get', '/k/a']);
  assert.match(wrong.stderr, /authentication failed, invalid user ID or password/);
}

function keelsonRestore(file: string, dataDir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const ch = spawn(keelsonBin, ['etcd', 'snapshot', 'restore', file, '--data-dir', dataDir], { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' } });
    let out = '';
    ch.stdout.on('data', (b: Buffer) => (out += b.toString()));
    ch.stderr.on('data', (b: Buffer) => (out += b.toString()));
    ch.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

test('snapshots between keelson etcd and a real etcd 3.4, both ways; hashkv agrees', { skip, timeout: 240_000 }, async () => {
  const d = await tempDir('keelson-snap-interop-');
  let k: KeelsonEtcd | undefined;
  let e: StartedEtcd | undefined;
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    k = await startKeelsonEtcd();
    e = await startEtcd();
    const eEp = e.endpoint.replace('http://', '');
    const kLease = await scenario(k.hostPort);
    const eLease = await scenario(eEp);
    assert.equal(kLease, eLease);
    const kView = await view(k.hostPort, kLease);
    const eView = await view(eEp, eLease);
    // The same history: the same keys and revisions, and etcd's hash on both.
    assert.equal(kView.revision, 8);
    assert.deepEqual(kView.kvs, eView.kvs);
    assert.equal(kView.hash, eView.hash, 'endpoint hashkv');
    assert.equal(kView.hash6, eView.hash6, 'endpoint hashkv --rev=6');

    // keelson -> etcdctl snapshot save -> status -> etcdctl snapshot restore -> real etcd.
    const kFile = join(d.dir, 'keelson.db');
    await ctl(k.hostPort, ['snapshot', 'save', kFile]);
    const status = JSON.parse(await ctl('127.0.0.1:1', ['snapshot', 'status', kFile, '-w', 'json'])) as { revision: number; totalKey: number };
    assert.equal(status.revision, 8);
    // 7 history rows + meta 3 (consistent index, two compaction marks) + lease, member,
    // cluster version, auth revision, user, role.
    assert.equal(status.totalKey, 7 + 3 + 6);
    const restored = join(d.dir, 'etcd-from-keelson');
    const peer = `http://127.0.0.1:${await freePort()}`;
    await ctl('127.0.0.1:1', ['snapshot', 'restore', kFile, `--data-dir=${restored}`, '--name=keelson-test', `--initial-cluster=keelson-test=${peer}`, `--initial-advertise-peer-urls=${peer}`]);
    const e2 = await startEtcd({ args: [`--data-dir=${restored}`] });
    started.push(e2);
    const e2View = await view(e2.endpoint.replace('http://', ''), kLease);
    assert.deepEqual(e2View, kView);
    const compacted = await etcdctl(e2.endpoint, ['get', '/k/a', '--rev=3']);
    assert.match(compacted.stderr, /required revision has been compacted/);
    await checkRestoredPassword(e2.endpoint.replace('http://', ''));

    // real etcd -> etcdctl snapshot save -> keelson etcd snapshot restore -> keelson etcd.
    const eFile = join(d.dir, 'etcd.db');
    await ctl(eEp, ['snapshot', 'save', eFile]);
    const kDir = join(d.dir, 'keelson-from-etcd');
    const r = await keelsonRestore(eFile, kDir);
    assert.equal(r.code, 0, r.out);
    const k2 = await startKeelsonEtcd({ dataDir: kDir });
    started.push(k2);
    const k2View = await view(k2.hostPort, eLease);
    assert.deepEqual(k2View, eView);
    assert.equal((await ctl(k2.hostPort, ['get', '/k/a', '--rev=4', '--print-value-only'])).trim(), '2');
    assert.equal(JSON.parse(await ctl(k2.hostPort, ['put', '/k/n', 'x', '-w', 'json'])).header.revision, 9);
    await checkRestoredPassword(k2.hostPort);
  } finally {
    for (const s of started) await s.stop();
    await k?.stop();
    await e?.stop();
    await d.remove();
  }
});
