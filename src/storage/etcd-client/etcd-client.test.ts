// etcd-client beyond the contract: endpoint parsing, dial timeout, request deadlines, failover
// between endpoints, watch re-creation after a broken stream, TLS with client certificates,
// snapshot passthrough. Failures are made with a TCP proxy in front of a real etcd.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdAvailable, freePort, startEtcd, type StartedEtcd } from '../../../test/helpers/etcd.js';
import { StoreError } from '../errors.js';
import { prefixEnd, type Store, type WatchResponse } from '../store.js';
import { openEtcdStore, parseEndpoints } from './index.js';

const b = (s: string) => Buffer.from(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP proxy to `target` that can freeze (stop moving bytes) or cut (reset and refuse) connections. */
class Proxy {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('data', (d) => !this.frozen && upstream.write(d));
      upstream.on('data', (d) => !this.frozen && client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }
  get endpoint() {
    return `http://127.0.0.1:${this.port}`;
  }
  freeze() {
    this.frozen = true;
  }
  async cut() {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.resetAndDestroy();
    await closed;
  }
  async close() {
    if (this.server.listening) await this.cut();
    for (const s of this.sockets) s.destroy();
  }
}

const targetOf = (endpoint: string) => {
  const u = new URL(endpoint);
  return { host: u.hostname, port: Number(u.port) };
};

describe('etcd-client: endpoints', () => {
  it('parses --etcd-servers style lists', () => {
    assert.deepEqual(parseEndpoints(['http://10.0.0.1:2379,https://etcd-1.example:2379', '127.0.0.1:32379']), [
      { address: '10.0.0.1:2379', tls: false, url: 'http://10.0.0.1:2379' },
      { address: 'etcd-1.example:2379', tls: true, url: 'https://etcd-1.example:2379' },
      { address: '127.0.0.1:32379', tls: undefined, url: '127.0.0.1:32379' },
    ]);
    assert.deepEqual(parseEndpoints('https://[::1]:2379/'), [{ address: '[::1]:2379', tls: true, url: 'https://[::1]:2379/' }]);
    assert.throws(() => parseEndpoints([]), /no endpoints/);
    assert.throws(() => parseEndpoints(['http://host-without-port']), /has no port/);
    assert.throws(() => parseEndpoints(['unix:///run/etcd.sock']), /not supported/);
  });

  it('fails to open within the dial timeout when no endpoint answers', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(openEtcdStore({ endpoints: [`http://127.0.0.1:${port}`], dialTimeoutMs: 300 }), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.equal(e.code, 'UNAVAILABLE');
      assert.match(e.message, /no endpoint reachable/);
      return true;
    });
    assert.ok(Date.now() - t0 < 3000);
  });
});

describe('etcd-client against a real etcd', { skip: !etcdAvailable() && 'etcd is not installed' }, () => {
  let etcd: StartedEtcd;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('skips dead endpoints when dialing', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const store = await openEtcdStore({ endpoints: [dead, etcd.endpoint], dialTimeoutMs: 3000 });
    try {
      await store.put({ key: b('/dial/k'), value: b('v') });
      assert.equal((await store.range({ key: b('/dial/k') })).kvs[0].value.toString(), 'v');
    } finally {
      await store.close();
    }
  });

  it('gives up on a request after the request timeout', async () => {
    const proxy = new Proxy(targetOf(etcd.endpoint));
    await proxy.start();
    const store = await openEtcdStore({ endpoints: [proxy.endpoint], requestTimeoutMs: 300 });
    try {
      await store.put({ key: b('/timeout/k'), value: b('v') });
      proxy.freeze();
      const t0 = Date.now();
      await assert.rejects(store.range({ key: b('/timeout/k') }), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'DEADLINE_EXCEEDED');
        return true;
      });
      const took = Date.now() - t0;
      assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('fails over to the next endpoint; watches are re-created there without losing or repeating events', async () => {
    const a = new Proxy(targetOf(etcd.endpoint));
    const c = new Proxy(targetOf(etcd.endpoint));
    await a.start();
    await c.start();
    const store = await openEtcdStore({ endpoints: [a.endpoint, c.endpoint], dialTimeoutMs: 3000 });
    const got: WatchResponse[] = [];
    try {
      const p = '/failover/';
      const w = await store.watch({ key: b(p), rangeEnd: prefixEnd(b(p)) }, (r) => got.push(r));
      await store.put({ key: b(p + '1'), value: b('1') });
      await waitFor(() => got.flatMap((r) => r.events).length >= 1);
      await a.cut();
      // Unary calls move to the other endpoint.
      await store.put({ key: b(p + '2'), value: b('2') });
      await store.put({ key: b(p + '3'), value: b('3') });
      assert.equal((await store.range({ key: b(p), rangeEnd: prefixEnd(b(p)) })).count, 3);
      // The watch resumes after the last event it delivered: 2 and 3 (written while it was down) arrive once.
      await waitFor(() => got.flatMap((r) => r.events).length >= 3, 5000);
      await sleep(100);
      assert.deepEqual(
        got.flatMap((r) => r.events.map((e) => e.kv.key.toString().slice(p.length))),
        ['1', '2', '3'],
      );
      // Lease keep-alives work on the new endpoint too.
      const l = await store.leaseGrant(30);
      assert.equal((await store.leaseKeepAlive(l.id)).ttl, 30);
      await store.leaseRevoke(l.id);
      w.cancel();
    } finally {
      await store.close();
      await a.close();
      await c.close();
    }
  });

  it('re-creates watches after the server restarts', async () => {
    const store = await openEtcdStore({ endpoints: [etcd.endpoint] });
    const got: WatchResponse[] = [];
    try {
      const p = '/restart/';
      await store.watch({ key: b(p), rangeEnd: prefixEnd(b(p)), prevKv: true }, (r) => got.push(r));
      await store.put({ key: b(p + 'a'), value: b('1') });
      await waitFor(() => got.length >= 1);
      await etcd.restart();
      await retry(() => store.put({ key: b(p + 'a'), value: b('2') }));
      await waitFor(() => got.flatMap((r) => r.events).length >= 2, 8000);
      await sleep(100);
      const evs = got.flatMap((r) => r.events);
      assert.deepEqual(
        evs.map((e) => [e.kv.value.toString(), e.prevKv?.value.toString()]),
        [
          ['1', undefined],
          ['2', '1'],
        ],
      );
    } finally {
      await store.close();
    }
  });

  it('streams etcd\'s snapshot through unchanged (bbolt file + sha256 trailer)', async () => {
    const store = await openEtcdStore({ endpoints: [etcd.endpoint] });
    try {
      await store.put({ key: b('/snap/k'), value: b('v') });
      const chunks: Buffer[] = [];
      for await (const c of store.snapshot()) chunks.push(c);
      const all = Buffer.concat(chunks);
      assert.ok(all.length > 32);
      const body = all.subarray(0, all.length - 32);
      assert.ok(createHash('sha256').update(body).digest().equals(all.subarray(all.length - 32)), 'sha256 trailer');
      assert.equal((all.length - 32) % 512, 0, 'bbolt pages');
    } finally {
      await store.close();
    }
  });
});

describe('etcd-client over TLS with client certificates', { skip: (!etcdAvailable() || !hasOpenssl()) && 'needs etcd and openssl' }, () => {
  let dir: string;
  let etcd: StartedEtcd;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-etcd-tls-'));
    makeCerts(dir);
    etcd = await startEtcd({
      tls: {
        certFile: join(dir, 'server.crt'),
        keyFile: join(dir, 'server.key'),
        clientCaFile: join(dir, 'ca.crt'),
        probe: { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') },
      },
    });
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with ca/cert/key given as paths or as PEM text', async () => {
    assert.match(etcd.endpoint, /^https:/);
    const byPath = await openEtcdStore({
      endpoints: [etcd.endpoint],
      ca: join(dir, 'ca.crt'),
      cert: join(dir, 'client.crt'),
      key: join(dir, 'client.key'),
    });
    try {
      await byPath.put({ key: b('/tls/k'), value: b('secure') });
    } finally {
      await byPath.close();
    }
    const pem = (f: string) => readFileSync(join(dir, f), 'utf8');
    const byPem = await openEtcdStore({ endpoints: [etcd.endpoint], ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') });
    try {
      assert.equal((await byPem.range({ key: b('/tls/k') })).kvs[0].value.toString(), 'secure');
    } finally {
      await byPem.close();
    }
  });

  it('is refused without a client certificate', async () => {
    const noCert = openEtcdStore({ endpoints: [etcd.endpoint], ca: join(dir, 'ca.crt'), dialTimeoutMs: 1000 });
    // Depending on TLS 1.3 timing the handshake fails at dial or at the first request.
    await assert.rejects(
      (async () => {
        const s = await noCert;
        try {
          await s.range({ key: b('/tls/k') });
        } finally {
          await s.close();
        }
      })(),
    );
  });
});

function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

function makeCerts(dir: string) {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=keelson-test-ca']);
  for (const name of ['server', 'client']) {
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=keelson-test-${name}`]);
    run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`]);
  }
}

async function waitFor(pred: () => boolean, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail('timed out');
    await sleep(20);
  }
}

async function retry<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

export type { Store };
