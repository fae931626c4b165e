// Bad input and misbehaving clients against `bin/keelson etcd`, each answered as etcd answers it,
// with the server still serving afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadEtcdProto } from '../../src/storage/etcd-proto/index.js';
import { etcdctl, startKeelsonEtcd, type KeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';

let k: KeelsonEtcd;
let kv: grpc.Client & Record<string, any>;
let watchClient: grpc.Client & Record<string, any>;

before(async () => {
  k = await startKeelsonEtcd();
  const p = loadEtcdProto();
  kv = new p.clients.KV(k.hostPort, grpc.credentials.createInsecure()) as any;
  watchClient = new p.clients.Watch(k.hostPort, grpc.credentials.createInsecure()) as any;
});

after(async () => {
  kv?.close();
  watchClient?.close();
  await k?.stop();
});

function call(method: string, req: unknown): Promise<any> {
  return new Promise((resolve, reject) => kv[method](req, (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res))));
}

async function rejects(p: Promise<unknown>, code: grpc.status, details: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: grpc.ServiceError) => {
    assert.equal(e.code, code, `code of ${e.details}`);
    if (typeof details === 'string') assert.equal(e.details, details);
    else assert.match(e.details, details);
    return true;
  });
}

async function stillServing(): Promise<void> {
  const r = await call('Put', { key: Buffer.from('/alive'), value: Buffer.from(String(Date.now())) });
  assert.ok(Number(r.header.revision) > 1);
}

test('empty key, too many ops, duplicate keys, unknown lease: etcd codes and messages', async () => {
  await rejects(call('Put', { key: Buffer.alloc(0), value: Buffer.from('x') }), grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided');
  await rejects(call('Range', { key: Buffer.alloc(0) }), grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided');
  await rejects(call('DeleteRange', { key: Buffer.alloc(0) }), grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided');
  const put = (key: string) => ({ request_put: { key: Buffer.from(key), value: Buffer.from('v') } });
  await rejects(
    call('Txn', { success: Array.from({ length: 129 }, (_, i) => put(`/many/${i}`)) }),
    grpc.status.INVALID_ARGUMENT,
    'etcdserver: too many operations in txn request',
  );
  const ok = await call('Txn', { success: Array.from({ length: 128 }, (_, i) => put(`/many/${i}`)) });
  assert.equal(ok.succeeded, true);
  await rejects(call('Txn', { success: [put('/dup'), put('/dup')] }), grpc.status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request');
  await rejects(call('Put', { key: Buffer.from('/l'), value: Buffer.from('v'), lease: '12345' }), grpc.status.NOT_FOUND, 'etcdserver: requested lease not found');
  await stillServing();
});

test('requests over --max-request-bytes: InvalidArgument "request is too large"', async () => {
  await rejects(call('Put', { key: Buffer.from('/big'), value: Buffer.alloc(1.6 * 1024 * 1024, 1) }), grpc.status.INVALID_ARGUMENT, 'etcdserver: request is too large');
  // Just under the limit is fine.
  await call('Put', { key: Buffer.from('/big'), value: Buffer.alloc(1024 * 1024, 1) });
  // Far over the limit the transport refuses it, as grpc-go does in etcd.
  await rejects(call('Put', { key: Buffer.from('/big'), value: Buffer.alloc(3 * 1024 * 1024, 1) }), grpc.status.RESOURCE_EXHAUSTED, /larger than max/);
  await stillServing();
});

test('compacted and future revisions', async () => {
  const a = await call('Put', { key: Buffer.from('/rev'), value: Buffer.from('1') });
  const b = await call('Put', { key: Buffer.from('/rev'), value: Buffer.from('2') });
  await call('Compact', { revision: b.header.revision });
  await rejects(call('Range', { key: Buffer.from('/rev'), revision: a.header.revision }), grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted');
  await rejects(call('Range', { key: Buffer.from('/rev'), revision: '999999' }), grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision');
  await rejects(call('Compact', { revision: a.header.revision }), grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted');
  // A watch from a compacted revision: created, then canceled with compact_revision.
  const stream = watchClient.Watch();
  const msgs: any[] = [];
  stream.on('data', (m: any) => msgs.push(m));
  stream.on('error', () => {}); // our own cancel below
  stream.write({ create_request: { key: Buffer.from('/rev'), start_revision: a.header.revision } });
  for (let i = 0; i < 50 && msgs.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  stream.cancel();
  assert.equal(msgs[0].created, true);
  assert.equal(msgs[1].canceled, true);
  assert.equal(msgs[1].compact_revision, b.header.revision);
  await stillServing();
});

test('malformed protobuf bytes: grpc Internal "error unmarshalling request", server keeps serving', async () => {
  const raw = new grpc.Client(k.hostPort, grpc.credentials.createInsecure());
  try {
    const err = await new Promise<grpc.ServiceError>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/etcdserverpb.KV/Put',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        (e) => (e ? resolve(e) : reject(new Error('malformed request was accepted'))),
      ),
    );
    assert.equal(err.code, grpc.status.INTERNAL);
    assert.match(err.details, /^grpc: error unmarshalling request: /);
  } finally {
    raw.close();
  }
  await stillServing();
});

test('a watcher that disappears (etcdctl killed) leaves nothing behind', async () => {
  const watchers = async () => {
    const r = await fetch(`${k.endpoint}/metrics`);
    const m = /^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(await r.text());
    return Number(m?.[1] ?? -1);
  };
  const base = await watchers();
  const child = spawn('etcdctl', ['--endpoints', k.hostPort, 'watch', '/gone', '--prefix'], { env: { ...process.env, ETCDCTL_API: '3' }, stdio: 'ignore' });
  for (let i = 0; i < 100 && (await watchers()) === base; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await watchers(), base + 1);
  child.kill('SIGKILL');
  for (let i = 0; i < 100 && (await watchers()) !== base; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await watchers(), base);
  await etcdctl(k.hostPort, ['put', '/gone/1', 'x']);
  await stillServing();
});

/**
 * Anonymous resident memory (what the server buffers). File pages of LMDB's memory map count in
 * VmRSS too, but they are the page cache of the data written, shared and reclaimable.
 */
function anonKb(pid: number): number {
  const m = /RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

test('a watcher that stops reading: bounded server memory, others unaffected, it catches up later', { timeout: 120_000 }, async () => {
  const p = loadEtcdProto();
  const slowClient = new p.clients.Watch(k.hostPort, grpc.credentials.createInsecure()) as any;
  const slow = slowClient.Watch();
  let streamError: Error | undefined;
  slow.on('error', (e: grpc.ServiceError) => {
    if (e.code !== grpc.status.CANCELLED) streamError = e; // CANCELLED: our own cancel at the end
  });
  const got: number[] = [];
  slow.on('data', (m: any) => {
    for (const e of m.events ?? []) got.push(Number(e.kv.mod_revision));
  });
  slow.write({ create_request: { key: Buffer.from('/slow/'), range_end: Buffer.from('/slow0') } });
  await new Promise((r) => setTimeout(r, 300));
  slow.pause(); // stop reading: HTTP/2 flow control backs up to the server
  const rss0 = anonKb(k.pid());
  const value = Buffer.alloc(256 * 1024, 7);
  let first = 0;
  let last = 0;
  for (let i = 0; i < 400; i++) {
    const r = await call('Put', { key: Buffer.from(`/slow/${i % 10}`), value });
    last = Number(r.header.revision);
    if (!first) first = last;
  }
  // 100 MiB went through the watch range; the server did not buffer it all for the stalled reader.
  const grown = (anonKb(k.pid()) - rss0) / 1024;
  assert.ok(grown < 80, `server anonymous memory grew by ${grown.toFixed(0)} MiB for a stalled watcher`);
  // Another client is served meanwhile.
  const other = await etcdctl(k.hostPort, ['get', '/slow/1', '--keys-only']);
  assert.equal(other.stdout.trim(), '/slow/1');
  // Reading again, the slow watcher receives every revision in order.
  slow.resume();
  for (let i = 0; i < 600 && got[got.length - 1] !== last; i++) await new Promise((r) => setTimeout(r, 50));
  slow.cancel();
  slowClient.close();
  const expected = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  // Replayed history comes in messages a 4 MiB grpc client accepts (no error on the stream).
  assert.equal(streamError, undefined);
  assert.deepEqual(got, expected, `server log: ${k.log().slice(-3000)}`);
  await stillServing();
});
