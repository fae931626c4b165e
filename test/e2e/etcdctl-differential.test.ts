// The real etcdctl 3.4 runs the same scenarios against `bin/keelson etcd` and against a real etcd
// 3.4 started by the test; outputs must be identical once ids, ports, timings, sizes and the
// members' own hashes are normalised (see `normalise`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { etcdAvailable, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { startEtcdTlsPair } from '../helpers/etcd-tls-pair.js';
import { etcdctl, keelsonBin, startKeelsonEtcd, tempDir, type KeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';

const skip = etcdAvailable() ? false : 'etcd/etcdctl 3.4 not installed';

type Step =
  | { cmd: string[]; stdin?: string; env?: Record<string, string> }
  /** Run `watch` in the background while `during` runs; its output is one step's output. */
  | { watch: string[]; during: Step[]; stdin?: string; env?: Record<string, string> };

interface Target {
  hostPort: string;
  /** Extra global flags (TLS). */
  flags: string[];
}

function normalise(out: string, t: Target): string {
  return (
    out
      .split('\n')
      // etcdctl's own zap log lines (snapshot save, retries) carry timestamps and sizes.
      .filter((l) => !l.startsWith('{"level"'))
      .join('\n')
      .replaceAll(t.hostPort, 'ADDR')
      .replaceAll(t.hostPort.replace('127.0.0.1', 'localhost'), 'ADDR')
      .replace(/https?:\/\/127\.0\.0\.1:\d+/g, 'URL')
      // JSON's decimal ids first: one of 12-16 digits would otherwise pass for a hex id below.
      .replace(/"(cluster_id|member_id|raft_term|ID|leader|raftIndex|raftTerm|raftAppliedIndex|dbSize|dbSizeInUse)":\d+/g, '"$1":N')
      .replace(/"(ClusterID|MemberID|RaftTerm)" : \d+/g, '"$1" : N')
      .replace(/"(id|lease)":[1-9]\d*/g, '"$1":N')
      .replace(/\b[0-9a-f]{12,16}\b/g, 'ID')
      .replace(/took = \S+/g, 'took = T')
      .replace(/"took":"[^"]*"/g, '"took":"T"')
      .replace(/remaining\(\d+s\)/g, 'remaining(Ns)')
      // etcd lists a lease's attached keys in map order (random): compare them sorted.
      .replace(/attached keys\(\[([^\]]*)\]\)/g, (_m, k: string) => `attached keys([${k.split(' ').sort().join(' ')}])`)
      .replace(/"keys":\[([^\]]*)\]/g, (_m, k: string) => `"keys":[${k.split(',').sort().join(',')}]`)
      // endpoint status: db size and raft indexes are the member's own.
      .replace(/3\.4\.23, [\d.]+ [kMG]?B, (true|false), (true|false), \d+, \d+, \d+,/g, '3.4.23, SIZE, $1, $2, N, N, N,')
      // v2 errors end with the store index, which counts etcd's internal membership writes.
      .replace(/\) \[\d+\]$/gm, ') [N]')
  );
}

async function runStep(t: Target, s: Step): Promise<string> {
  // etcdctl v2 wants URLs, v3 takes host:port.
  const ep = s.env?.ETCDCTL_API === '2' ? `http://${t.hostPort}` : t.hostPort;
  if ('cmd' in s) {
    const r = await etcdctl(ep, [...t.flags, ...s.cmd], { stdin: s.stdin, env: s.env });
    return normalise(r.stdout + r.stderr, t);
  }
  const child = spawn('etcdctl', ['--endpoints', ep, ...t.flags, ...s.watch], {
    env: { ...process.env, ETCDCTL_API: '3', ...s.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (s.stdin) child.stdin.write(s.stdin);
  await new Promise((r) => setTimeout(r, 700));
  const inner: string[] = [];
  for (const d of s.during) inner.push(await runStep(t, d));
  await new Promise((r) => setTimeout(r, 700));
  child.kill('SIGTERM');
  await exited;
  return normalise(out, t) + '\n--during--\n' + inner.join('\n');
}

async function runScenario(t: Target, steps: Step[]): Promise<string[]> {
  const outs: string[] = [];
  for (const s of steps) outs.push(await runStep(t, s));
  return outs;
}

function describe(s: Step): string {
  return 'cmd' in s ? `etcdctl ${s.cmd.join(' ')}` : `etcdctl ${s.watch.join(' ')} (background)`;
}

function assertSame(steps: Step[], k: string[], e: string[]): void {
  const diffs: string[] = [];
  steps.forEach((s, i) => {
    if (k[i] !== e[i]) diffs.push(`step ${i}: ${describe(s)}\n  keelson: ${JSON.stringify(k[i])}\n  etcd:    ${JSON.stringify(e[i])}`);
  });
  assert.equal(diffs.length, 0, `outputs differ on ${diffs.length} of ${steps.length} steps:\n${diffs.join('\n')}`);
}

/** Run `steps` on a fresh keelson and a fresh real etcd; assert identical normalised outputs. */
async function differential(steps: Step[], o: { keelsonArgs?: string[]; etcdArgs?: string[] } = {}): Promise<void> {
  const k = await startKeelsonEtcd({ args: o.keelsonArgs });
  let e: StartedEtcd | undefined;
  try {
    e = await startEtcd({ args: o.etcdArgs });
    const kt = { hostPort: k.hostPort, flags: [] };
    const et = { hostPort: e.endpoint.replace('http://', ''), flags: [] };
    // Both runs at once would interleave; one after the other keeps timings comparable.
    const kOut = await runScenario(kt, steps);
    const eOut = await runScenario(et, steps);
    if (process.env.KEELSON_DIFF_DEBUG) steps.forEach((st, i) => console.log(describe(st), '=>', JSON.stringify(kOut[i])));
    assertSame(steps, kOut, eOut);
  } finally {
    await k.stop();
    await e?.stop();
  }
}

const txn = (lines: string[]) => lines.join('\n') + '\n';

test('etcdctl differential: kv, txn, compaction, errors', { skip, timeout: 120_000 }, async () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const many = Array.from({ length: 129 }, (_, i) => `put /many/${i} v`);
  const steps: Step[] = [
    { cmd: ['put', '/registry/pods/default/a', '{"a":1}'] },
    { cmd: ['put', '/registry/pods/default/b', '{"b":2}'] },
    { cmd: ['put', '/registry/minions/n1', 'node1'] },
    { cmd: ['put', '/registry/pods/default/a', '{"a":3}', '--prev-kv'] },
    { cmd: ['put', '/registry/pods/default/a', '{"a":4}', '--prev-kv', '-w', 'json'] },
    { cmd: ['get', '/', '--prefix', '--keys-only'] },
    { cmd: ['get', '/registry/pods', '--prefix'] },
    { cmd: ['get', '/registry', '--prefix', '--limit', '2', '--keys-only'] },
    { cmd: ['get', '/registry', '--prefix', '--limit', '1', '-w', 'json'] },
    { cmd: ['get', '/registry/pods/default/a', '--rev', '2'] },
    { cmd: ['get', '/registry/pods/default/b', '--from-key', '--keys-only'] },
    { cmd: ['get', '/', '--prefix', '--sort-by', 'MODIFY', '--order', 'DESCEND', '--keys-only'] },
    { cmd: ['get', '/', '--prefix', '--sort-by', 'VALUE', '--order', 'ASCEND'] },
    { cmd: ['get', '/', '--prefix', '--count-only', '-w', 'json'] },
    { cmd: ['get', '/registry/pods/default/a', '-w', 'fields'] },
    { cmd: ['get', '/registry/pods/default/a', '--print-value-only'] },
    { cmd: ['get', '/nothing'] },
    { cmd: ['del', '/registry/pods/default/b', '--prev-kv'] },
    { cmd: ['del', '/nothing'] },
    { cmd: ['put', '/registry/pods/default/b', 'x'] },
    { cmd: ['get', '/registry/pods/default/b', '-w', 'json'] },
    { cmd: ['txn', '-i'], stdin: txn(['mod("/registry/minions/n1") > "0"', '', 'put /txn/ok yes', 'get /registry/minions/n1', '', 'put /txn/no no', '']) },
    { cmd: ['txn', '-i', '-w', 'json'], stdin: txn(['value("/registry/minions/n1") = "nope"', '', 'put /txn/ok2 yes', '', 'put /txn/no2 no', 'del /txn/ok', '']) },
    { cmd: ['txn', '-i'], stdin: txn(['', 'put /dup 1', 'put /dup 2', '', '']) },
    { cmd: ['txn', '-i'], stdin: txn(['', ...many, '', '']) },
    { cmd: ['get', '/txn', '--prefix'] },
    { cmd: ['del', '/registry', '--prefix', '--prev-kv'] },
    // etcd's HashKV over the same history (txns of several writes, deletes): equal on both.
    { cmd: ['endpoint', 'hashkv'] },
    { cmd: ['endpoint', 'hashkv', '--rev', '10', '-w', 'json'] },
    { cmd: ['put', '/a', '1'] },
    { cmd: ['put', '/a', '2'] },
    { cmd: ['put', '/a', '3'] },
    { cmd: ['compaction', '15'] },
    { cmd: ['get', '/a', '--rev', '14'] },
    { cmd: ['get', '/a', '--rev', '15', '-w', 'json'] },
    { cmd: ['get', '/a', '--rev', '999'] },
    { cmd: ['compaction', '10'] },
    { cmd: ['compaction', '999'] },
    // Past the compaction: the errors. (The hash itself is compared before it: once compacted,
    // keelson no longer knows the order of the 129 writes of revision 11, see mvcc/etcd-rows.ts.)
    { cmd: ['endpoint', 'hashkv', '--rev', '12'] },
    { cmd: ['endpoint', 'hashkv', '--rev', '15'] },
    { cmd: ['endpoint', 'hashkv', '--rev', '999'] },
    { cmd: ['put', '', 'x'] },
    { cmd: ['get', ''] },
    { cmd: ['put', '/big'], stdin: big },
    { cmd: ['put', '/leased', 'v', '--lease', '1234abcd'] },
    { cmd: ['del', '/', '--prefix'] },
  ];
  await differential(steps);
});

test('etcdctl differential: leases and watches', { skip, timeout: 120_000 }, async () => {
  const steps: Step[] = [
    { cmd: ['lease', 'grant', '60'] },
    { cmd: ['lease', 'list'] },
    { cmd: ['lease', 'timetolive', '1234abcd'] },
    { cmd: ['lease', 'revoke', '1234abcd'] },
    { cmd: ['lease', 'keep-alive', '--once', '1234abcd'] },
    {
      watch: ['watch', '/w', '--prefix', '--rev', '1'],
      during: [{ cmd: ['put', '/w/1', 'one'] }, { cmd: ['put', '/w/1', 'uno', '--prev-kv'] }, { cmd: ['del', '/w/1'] }, { cmd: ['put', '/x', 'no'] }],
    },
    { watch: ['watch', '/w/2', '--prev-kv'], during: [{ cmd: ['put', '/w/2', 'a'] }, { cmd: ['put', '/w/2', 'b'] }, { cmd: ['del', '/w/2'] }] },
    { watch: ['watch', '/w', '--prefix', '--rev', '3'], during: [] },
    { watch: ['watch', '-i'], stdin: 'watch /wi\nprogress\n', during: [{ cmd: ['put', '/wi', 'v'] }] },
    { watch: ['watch', '/w', '--prefix', '-w', 'json', '--rev', '2'], during: [] },
    { cmd: ['compaction', '5'] },
    { watch: ['watch', '/w', '--prefix', '--rev', '2'], during: [] },
  ];
  // Lease ids differ per server, so lease steps that need an id run through a shell-free helper:
  const k = await startKeelsonEtcd();
  let e: StartedEtcd | undefined;
  try {
    e = await startEtcd();
    const targets = [
      { hostPort: k.hostPort, flags: [] },
      { hostPort: e.endpoint.replace('http://', ''), flags: [] },
    ];
    const outs: string[][] = [];
    for (const t of targets) {
      const o = await runScenario(t, steps);
      // A lease with keys: grant, attach, time-to-live --keys, keep-alive, revoke.
      const grant = await etcdctl(t.hostPort, ['lease', 'grant', '100']);
      const id = grant.stdout.split(' ')[1];
      for (const args of [
        ['put', '/leased/a', 'v', '--lease', id],
        ['put', '/leased/b', 'v', '--lease', id],
        ['lease', 'timetolive', id, '--keys'],
        ['lease', 'timetolive', id, '-w', 'json'],
        ['lease', 'keep-alive', '--once', id],
        ['get', '/leased', '--prefix', '-w', 'json'],
        ['lease', 'revoke', id],
        ['lease', 'timetolive', id],
        ['get', '/leased', '--prefix'],
      ]) {
        const r = await etcdctl(t.hostPort, args);
        o.push(normalise(r.stdout + r.stderr, t));
      }
      // Short leases expire on their own: the key goes away.
      const short = (await etcdctl(t.hostPort, ['lease', 'grant', '2'])).stdout.split(' ')[1];
      await etcdctl(t.hostPort, ['put', '/short', 'v', '--lease', short]);
      await new Promise((r) => setTimeout(r, 4500));
      const r = await etcdctl(t.hostPort, ['get', '/short']);
      o.push(normalise(r.stdout + r.stderr, t));
      outs.push(o);
    }
    const all = [...steps, ...Array.from({ length: outs[0].length - steps.length }, (_, i) => ({ cmd: [`lease-step-${i}`] }))];
    assertSame(all, outs[0], outs[1]);
  } finally {
    await k.stop();
    await e?.stop();
  }
});

test('etcdctl differential: maintenance, cluster, alarms', { skip, timeout: 120_000 }, async () => {
  const steps: Step[] = [
    { cmd: ['put', '/m', '1'] },
    { cmd: ['endpoint', 'health'] },
    { cmd: ['endpoint', 'health', '-w', 'json'] },
    { cmd: ['endpoint', 'status'] },
    { cmd: ['endpoint', 'hashkv'] },
    { cmd: ['member', 'list'] },
    { cmd: ['member', 'list', '-w', 'json'] },
    { cmd: ['member', 'remove', 'abcdef0123456789'] },
    { cmd: ['member', 'update', 'abcdef0123456789', '--peer-urls=http://127.0.0.1:1'] },
    { cmd: ['member', 'promote', 'abcdef0123456789'] },
    { cmd: ['alarm', 'list'] },
    { cmd: ['alarm', 'disarm'] },
    { cmd: ['defrag'] },
    { cmd: ['version'] },
  ];
  await differential(steps);
});

test('etcdctl differential: users, roles, auth', { skip, timeout: 180_000 }, async () => {
  const root = ['--user', 'root:rootpw'];
  const u1 = ['--user', 'u1:pw1'];
  const steps: Step[] = [
    { cmd: ['user', 'add', 'root', '--new-user-password=rootpw'] },
    { cmd: ['user', 'add', 'root', '--new-user-password=x'] },
    { cmd: ['role', 'add', 'r1'] },
    { cmd: ['role', 'add', 'r1'] },
    { cmd: ['role', 'grant-permission', 'r1', 'readwrite', '/a/', '/b/'] },
    { cmd: ['role', 'grant-permission', 'r1', 'read', '/ro', '--prefix'] },
    { cmd: ['role', 'grant-permission', 'r1', 'write', '/wo'] },
    { cmd: ['role', 'grant-permission', 'nope', 'read', '/x'] },
    { cmd: ['user', 'add', 'u1', '--new-user-password=pw1'] },
    { cmd: ['user', 'grant-role', 'u1', 'r1'] },
    { cmd: ['user', 'grant-role', 'u1', 'nope'] },
    { cmd: ['user', 'grant-role', 'nobody', 'r1'] },
    { cmd: ['user', 'get', 'u1'] },
    { cmd: ['role', 'get', 'r1'] },
    { cmd: ['user', 'list'] },
    { cmd: ['role', 'list'] },
    { cmd: ['put', '/ro/x', 'v'] },
    { cmd: ['user', 'revoke-role', 'root', 'root'] },
    { cmd: ['auth', 'enable'] },
    { cmd: ['auth', 'enable'] },
    { cmd: ['user', 'get', 'root', ...root] },
    { cmd: ['get', '/a/1'] },
    { cmd: ['put', '/a/1', 'v'] },
    { cmd: ['put', '/a/1', 'v', ...u1] },
    { cmd: ['get', '/a/', '--prefix', ...u1] },
    { cmd: ['get', '/a/', '/b/', ...u1] },
    { cmd: ['get', '/a/', '--prefix', '--user', 'u1:wrong'] },
    { cmd: ['get', '/a/', '--prefix', '--user', 'ghost:pw'] },
    { cmd: ['get', '/c', ...u1] },
    { cmd: ['get', '/', '--prefix', ...u1] },
    { cmd: ['get', '/ro/x', ...u1] },
    { cmd: ['put', '/ro/x', 'w', ...u1] },
    { cmd: ['txn', '-i', ...u1], stdin: txn(['', 'put /a/2 v', 'put /c x', '', '']) },
    { cmd: ['del', '/a/1', ...u1] },
    { cmd: ['user', 'list', ...u1] },
    { cmd: ['user', 'get', 'u1', ...u1] },
    { cmd: ['role', 'get', 'r1', ...u1] },
    { cmd: ['user', 'list', ...root] },
    { cmd: ['role', 'list', ...root] },
    { cmd: ['user', 'get', 'u1', ...root] },
    { cmd: ['user', 'get', 'root', ...root] },
    { cmd: ['role', 'get', 'r1', ...root] },
    { cmd: ['role', 'get', 'root', ...root] },
    { cmd: ['get', '/', '--prefix', ...root] },
    { cmd: ['endpoint', 'health'] },
    { cmd: ['endpoint', 'status', ...root] },
    { watch: ['watch', '/c', ...u1], during: [] },
    { watch: ['watch', '/a/', '--prefix', ...u1], during: [{ cmd: ['put', '/a/w', 'v', ...root] }] },
    { cmd: ['role', 'revoke-permission', 'r1', '/a/', '/b/', ...root] },
    { cmd: ['role', 'revoke-permission', 'r1', '/zzz', ...root] },
    { cmd: ['get', '/a/1', ...u1] },
    { cmd: ['user', 'revoke-role', 'u1', 'r1', ...root] },
    { cmd: ['user', 'revoke-role', 'u1', 'r1', ...root] },
    { cmd: ['user', 'revoke-role', 'root', 'root', ...root] },
    { cmd: ['user', 'delete', 'root', ...root] },
    { cmd: ['role', 'delete', 'root', ...root] },
    { cmd: ['user', 'passwd', 'u1', '--interactive=false', ...root], stdin: 'pw2\n' },
    { cmd: ['get', '/x', '--user', 'u1:pw2'] },
    { cmd: ['user', 'delete', 'u1', ...root] },
    { cmd: ['user', 'delete', 'u1', ...root] },
    { cmd: ['role', 'delete', 'r1', ...root] },
    { cmd: ['auth', 'disable', ...u1] },
    { cmd: ['auth', 'disable', ...root] },
    { cmd: ['get', '/', '--prefix', '--keys-only'] },
    { cmd: ['user', 'list'] },
  ];
  await differential(steps);
});

test('etcdctl differential: v2 API (ETCDCTL_API=2, --enable-v2)', { skip, timeout: 120_000 }, async () => {
  const v2 = { ETCDCTL_API: '2' };
  const s = (cmd: string[], stdin?: string): Step => ({ cmd, env: v2, stdin });
  const steps: Step[] = [
    s(['set', '/foo', 'bar']),
    s(['get', '/foo']),
    s(['mk', '/foo', 'again']),
    s(['mk', '/new', 'n']),
    s(['update', '/new', 'n2']),
    s(['update', '/missing', 'x']),
    s(['set', '/foo', 'baz', '--swap-with-value', 'bar']),
    s(['set', '/foo', 'qux', '--swap-with-value', 'nope']),
    s(['mkdir', '/dir']),
    s(['mkdir', '/dir']),
    s(['set', '/dir/a', '1']),
    s(['set', '/dir/sub/b', '2']),
    s(['set', '/dir', 'x']),
    s(['set', '/foo/x', 'y']),
    s(['get', '/dir']),
    s(['get', '/missing']),
    // Without --sort etcd lists in Go map order (random); keelson always sorts.
    s(['ls', '--sort']),
    s(['ls', '--sort', '/dir']),
    s(['ls', '--sort', '-r']),
    s(['ls', '--sort', '--recursive', '/dir']),
    s(['ls', '--sort', '-p', '/dir']),
    s(['set', '/ttl', 'v', '--ttl', '60']),
    s(['get', '/ttl']),
    s(['rm', '/dir']),
    s(['rmdir', '/dir']),
    s(['rm', '/dir/a']),
    s(['rm', '-r', '/dir']),
    s(['rm', '/missing']),
    s(['rm', '/foo', '--with-value', 'nope']),
    s(['rm', '/foo', '--with-value', 'baz']),
    s(['mkdir', '/empty']),
    s(['rmdir', '/empty']),
    s(['setdir', '/sd']),
    s(['updatedir', '/sd', '--ttl', '100']),
    { watch: ['watch', '/wv'], env: v2, during: [s(['set', '/wv', 'changed'])] },
    { watch: ['watch', '/wd', '--recursive', '--forever'], env: v2, during: [s(['set', '/wd/1', 'a']), s(['set', '/wd/2', 'b']), s(['rm', '/wd/1'])] },
    { watch: ['exec-watch', '/ew', '--', 'sh', '-c', 'echo exec $ETCD_WATCH_ACTION $ETCD_WATCH_VALUE'], env: v2, during: [s(['set', '/ew', 'E'])] },
    s(['cluster-health']),
    s(['member', 'list']),
    s(['ls', '--sort', '/']),
  ];
  await differential(steps, { keelsonArgs: ['--enable-v2'], etcdArgs: ['--enable-v2'] });
});

test('etcdctl differential: TLS with --cacert --cert --key (client cert auth)', { skip, timeout: 120_000 }, async () => {
  const pair = await startEtcdTlsPair('keelson-etcd-tls-');
  const { keelson: k, etcd: e, certs: c, flags } = pair;
  try {
    const steps: Step[] = [
      { cmd: ['put', '/tls', 'secure'] },
      { cmd: ['get', '/tls', '-w', 'json'] },
      { cmd: ['endpoint', 'health'] },
      { cmd: ['member', 'list'] },
      { watch: ['watch', '/tls'], during: [{ cmd: ['put', '/tls', 'again'] }] },
      { cmd: ['lease', 'list'] },
      // With auth on, the client certificate's CN ("root") is the user when no token is sent.
      { cmd: ['user', 'add', 'root', '--new-user-password=pw'] },
      { cmd: ['user', 'grant-role', 'root', 'root'] },
      { cmd: ['role', 'add', 'reader'] },
      { cmd: ['auth', 'enable'] },
      { cmd: ['get', '/tls'] },
      { cmd: ['user', 'list'] },
      { cmd: ['auth', 'disable'] },
    ];
    const kt = { hostPort: k.hostPort, flags };
    const et = { hostPort: e.endpoint.replace('https://', ''), flags };
    const kOut = await runScenario(kt, steps);
    const eOut = await runScenario(et, steps);
    assertSame(steps, kOut, eOut);
    assert.equal(kOut[steps.length - 4], 'Authentication Enabled\n');
    assert.equal(kOut[steps.length - 3], '/tls\nagain\n');
    assert.equal(kOut[steps.length - 1], 'Authentication Disabled\n');
    // Without a client certificate the handshake is refused by both.
    for (const t of [kt, et]) {
      const r = await etcdctl(t.hostPort, ['--cacert', c.ca, '--dial-timeout=2s', '--command-timeout=3s', 'get', '/tls']);
      assert.notEqual(r.code, 0, `${t.hostPort} served a client without a certificate`);
    }
    // https /health on the same port, over HTTP/1.1 and over HTTP/2 (curl picks h2 by ALPN).
    for (const proto of ['--http1.1', '--http2']) {
      const curl = await new Promise<string>((resolve) => {
        const ch = spawn('curl', ['-s', proto, '--cacert', c.ca, '--cert', c.clientCert, '--key', c.clientKey, `${k.endpoint}/health`]);
        let out = '';
        ch.stdout.on('data', (b: Buffer) => (out += b.toString()));
        ch.on('exit', () => resolve(out));
      });
      assert.equal(curl, '{"health":"true"}', `curl ${proto}`);
    }
  } finally {
    await pair.stop();
  }
});

test('etcdctl snapshot save, keelson etcd snapshot restore, restarted server serves the data', { skip, timeout: 120_000 }, async () => {
  const d = await tempDir('keelson-etcd-snap-');
  let k: KeelsonEtcd | undefined = await startKeelsonEtcd();
  let k2: KeelsonEtcd | undefined;
  try {
    for (let i = 0; i < 50; i++) await etcdctl(k.hostPort, ['put', `/snap/${i}`, `v${i}`]);
    await etcdctl(k.hostPort, ['put', '/snap/big'], { stdin: 'b'.repeat(200_000) });
    const before = await etcdctl(k.hostPort, ['get', '/snap', '--prefix', '-w', 'json']);
    const file = join(d.dir, 'snap.db');
    const save = await etcdctl(k.hostPort, ['snapshot', 'save', file]);
    assert.equal(save.code, 0, save.stderr);
    assert.match(save.stdout, new RegExp(`Snapshot saved at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await k.stop();
    k = undefined;
    const restored = join(d.dir, 'restored');
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      const ch = spawn(keelsonBin, ['etcd', 'snapshot', 'restore', file, '--data-dir', restored], { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' } });
      let out = '';
      ch.stdout.on('data', (b: Buffer) => (out += b.toString()));
      ch.stderr.on('data', (b: Buffer) => (out += b.toString()));
      ch.on('exit', (code) => resolve({ code: code ?? 1, out }));
    });
    assert.equal(r.code, 0, r.out);
    k2 = await startKeelsonEtcd({ dataDir: restored });
    const after = await etcdctl(k2.hostPort, ['get', '/snap', '--prefix', '-w', 'json']);
    const strip = (s: string) => JSON.parse(s).kvs;
    assert.deepEqual(strip(after.stdout), strip(before.stdout));
    // The restored server takes writes at the next revision.
    const put = await etcdctl(k2.hostPort, ['put', '/snap/after', 'x', '-w', 'json']);
    assert.equal(JSON.parse(put.stdout).header.revision, JSON.parse(before.stdout).header.revision + 1);
    // A corrupted snapshot is refused.
    const bad = join(d.dir, 'bad.db');
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(file);
    bytes[100] ^= 0xff;
    await writeFile(bad, bytes);
    const rb = await new Promise<number>((resolve) => {
      const ch = spawn(keelsonBin, ['etcd', 'snapshot', 'restore', bad, '--data-dir', join(d.dir, 'bad')], { stdio: 'ignore' });
      ch.on('exit', (code) => resolve(code ?? 1));
    });
    assert.notEqual(rb, 0);
  } finally {
    await k?.stop();
    await k2?.stop();
    await d.remove();
  }
});

before(() => {});
after(() => {});
