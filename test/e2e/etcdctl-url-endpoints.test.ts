// etcdctl 3.4 with URL endpoints (--endpoints=http://127.0.0.1:P, https://...) against a real etcd
// 3.4 and `bin/keelson etcd`: the Maintenance calls that name one endpoint (endpoint status,
// endpoint hashkv, defrag, and their --cluster forms) dial it as "passthrough:///<URL>", so their
// HTTP/2 :authority is the URL itself over plain HTTP (node:http2 refused it before the authority
// fix, grpc/authority.ts). Over TLS etcdctl sends the server name instead; the https run checks
// that the peek (its SETTINGS and the ACK it removes) is right there too. Outputs must match once
// ids, sizes, revisions, raft fields and the members' own hashes are normalised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdAvailable, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { etcdctl, startKeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';
import { startEtcdTlsPair } from '../helpers/etcd-tls-pair.js';

const skip = etcdAvailable() ? false : 'etcd/etcdctl 3.4 not installed';

function normalise(out: string, url: string): string {
  return out
    .split('\n')
    .filter((l) => !l.startsWith('{"level"')) // etcdctl's own retry log lines
    .join('\n')
    .replaceAll(url, 'URL')
    .replace(/"(cluster_id|member_id|revision|raft_term|leader|raftIndex|raftTerm|raftAppliedIndex|dbSize|dbSizeInUse|hash|compact_revision)":\d+/g, '"$1":N')
    .replace(/^URL, \d+$/gm, 'URL, HASH')
    // etcd prints a member id with %x: up to 16 hex digits (no leading zeros).
    .replace(/\b[0-9a-f]{12,16}\b/g, 'ID')
    .replace(/3\.4\.23, [\d.]+ [kMG]?B, (true|false), (true|false), \d+, \d+, \d+,/g, '3.4.23, SIZE, $1, $2, N, N, N,')
    .replace(/\| +[\d.]+ [kMG]?B \|/g, '| SIZE |')
    .replace(/\| +\d+ \| +\d+ \| +\d+ \|/g, '| N | N | N |')
    .replace(/took = \S+/g, 'took = T')
    // Table columns are as wide as their widest cell (an id's length varies).
    .replace(/-{2,}/g, '--')
    .replace(/ {2,}/g, ' ');
}

const steps: string[][] = [
  ['put', '/keelson/url', 'endpoint'],
  ['get', '/keelson/url'],
  ['endpoint', 'status'],
  ['endpoint', 'status', '-w', 'json'],
  ['endpoint', 'status', '--cluster'],
  ['endpoint', 'status', '--cluster', '-w', 'table'],
  ['endpoint', 'hashkv'],
  ['endpoint', 'hashkv', '--cluster', '-w', 'json'],
  ['endpoint', 'health', '--cluster'],
  ['defrag'],
  ['defrag', '--cluster'],
  ['alarm', 'list'],
];

async function run(url: string, cmds: string[][], flags: string[] = []): Promise<string[]> {
  const outs: string[] = [];
  for (const c of cmds) {
    const r = await etcdctl(url, [...flags, '--command-timeout=5s', ...c]);
    outs.push(`${normalise(r.stdout + r.stderr, url)} [exit ${r.code}]`);
  }
  return outs;
}

function assertSame(cmds: string[][], k: string[], e: string[]): void {
  const diffs = cmds.flatMap((c, i) => (k[i] === e[i] ? [] : [`etcdctl ${c.join(' ')}\n  keelson: ${JSON.stringify(k[i])}\n  etcd:    ${JSON.stringify(e[i])}`]));
  assert.equal(diffs.length, 0, `outputs differ on ${diffs.length} of ${cmds.length} commands:\n${diffs.join('\n')}`);
}

test('etcdctl --endpoints=http://...: endpoint status/hashkv/health, defrag (also --cluster) as real etcd', { skip, timeout: 120_000 }, async () => {
  const k = await startKeelsonEtcd();
  let e: StartedEtcd | undefined;
  try {
    e = await startEtcd();
    const kOut = await run(k.endpoint, steps);
    const eOut = await run(e.endpoint, steps);
    assertSame(steps, kOut, eOut);
    assert.match(kOut[2], /^URL, ID, 3\.4\.23, SIZE, true, false, N, N, N, \n \[exit 0\]$/);
    assert.match(kOut[6], /^URL, HASH\n \[exit 0\]$/);
    assert.match(kOut[9], /^Finished defragmenting etcd member\[URL\]\n \[exit 0\]$/);
  } finally {
    await k.stop();
    await e?.stop();
  }
});

test('etcdctl --endpoints=https://... with client certificates, auth by the certificate CN', { skip, timeout: 120_000 }, async () => {
  const pair = await startEtcdTlsPair('keelson-etcd-url-tls-');
  const { keelson: k, etcd: e, flags } = pair;
  try {
    const cmds = [
      ...steps,
      // With auth on, HashKV and Defragment need root: the client certificate's CN is "root".
      ['user', 'add', 'root', '--new-user-password=pw'],
      ['user', 'grant-role', 'root', 'root'],
      ['auth', 'enable'],
      ['endpoint', 'hashkv'],
      ['defrag'],
      ['endpoint', 'status', '--cluster'],
      ['auth', 'disable'],
    ];
    const kOut = await run(k.endpoint, cmds, flags);
    const eOut = await run(e.endpoint, cmds, flags);
    assertSame(cmds, kOut, eOut);
    assert.match(kOut[steps.length + 4], /^Finished defragmenting etcd member\[URL\]\n \[exit 0\]$/);
  } finally {
    await pair.stop();
  }
});
