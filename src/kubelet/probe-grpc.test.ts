// The grpc probe against a real gRPC server (grpc-js) on loopback: SERVING, NOT_SERVING, the
// probe's service name, a server without the health service, nothing listening, a slow answer;
// and the outputs of the other probe kinds (the Unhealthy event's text).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { logger } from '../util/log.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcProbe } from './probe-grpc.js';
import { goSeconds } from './probe-result.js';
import { runProbe, type ProbeTarget } from './probes.js';
import type { ContainerRuntime } from './runtime/types.js';

/** HealthCheckRequest's service (field 1), decoded by hand as a server would. */
function decodeService(b: Buffer): string {
  if (!b.length) return '';
  assert.equal(b[0], 0x0a);
  let len = 0;
  let i = 1;
  for (let shift = 0; ; shift += 7) {
    const byte = b[i++];
    len |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  return b.subarray(i, i + len).toString();
}

function startServer(withHealth: boolean, statusOf: (service: string) => number, delayMs = 0): Promise<{ server: grpc.Server; port: number; seen: string[] }> {
  const server = new grpc.Server();
  const seen: string[] = [];
  if (withHealth) {
    server.addService(
      {
        Check: {
          path: '/grpc.health.v1.Health/Check',
          requestStream: false,
          responseStream: false,
          requestSerialize: (r: { service: string }) => encodeHealthCheckRequest(r.service),
          requestDeserialize: (b: Buffer) => ({ service: decodeService(b) }),
          responseSerialize: (r: { status: number }) => (r.status ? Buffer.from([0x08, r.status]) : Buffer.alloc(0)),
          responseDeserialize: (b: Buffer) => ({ status: decodeHealthCheckResponse(b) }),
        },
      },
      {
        Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: number }>, cb: grpc.sendUnaryData<{ status: number }>) => {
          seen.push(call.request.service);
          const ua = String(call.metadata.get('user-agent')[0] ?? '');
          seen.push(ua.split(' ')[0]);
          setTimeout(() => cb(null, { status: statusOf(call.request.service) }), delayMs);
        },
      },
    );
  }
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ server, port, seen }))),
  );
}

describe('grpc probe', () => {
  let healthy: Awaited<ReturnType<typeof startServer>>;
  let bare: Awaited<ReturnType<typeof startServer>>;
  let slow: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    healthy = await startServer(true, (s) => (s === '' ? 1 : s === 'db' ? 2 : 3));
    bare = await startServer(false, () => 1);
    slow = await startServer(true, () => 1, 2500);
  });
  after(() => {
    for (const s of [healthy, bare, slow]) s.server.forceShutdown();
  });

  it('encodes and decodes the health messages', () => {
    assert.deepEqual(encodeHealthCheckRequest(''), Buffer.alloc(0));
    assert.deepEqual(encodeHealthCheckRequest('db'), Buffer.from([0x0a, 2, 0x64, 0x62]));
    assert.equal(decodeService(encodeHealthCheckRequest('x'.repeat(300))), 'x'.repeat(300));
    assert.equal(decodeHealthCheckResponse(Buffer.alloc(0)), 0);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x08, 2])), 2);
    // An unknown length-delimited field before the status is skipped.
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x12, 1, 0x41, 0x08, 1])), 1);
  });

  it('SERVING is success; the service name and the kube-probe user agent reach the server', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', healthy.port, '', 1), { ok: true, output: 'service healthy' });
    assert.deepEqual(healthy.seen.slice(0, 2), ['', 'kube-probe/1.32']);
  });

  it('any other status is a failure naming it', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', healthy.port, 'db', 1), { ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.deepEqual(await grpcProbe('127.0.0.1', healthy.port, 'other', 1), { ok: false, output: 'service unhealthy (responded with "SERVICE_UNKNOWN")' });
    assert.ok(healthy.seen.includes('db') && healthy.seen.includes('other'));
  });

  it('a server without grpc.health.v1.Health fails as Unimplemented', async () => {
    const r = await grpcProbe('127.0.0.1', bare.port, '', 1);
    assert.equal(r.ok, false);
    assert.match(r.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  });

  it('nothing listening fails once the timeout has passed', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const t0 = Date.now();
    const r = await grpcProbe('127.0.0.1', free, '', 1);
    assert.deepEqual(r, { ok: false, output: `timeout: failed to connect service "127.0.0.1:${free}" within 1s: context deadline exceeded` });
    assert.ok(Date.now() - t0 < 3000);
  });

  it('an answer slower than timeoutSeconds fails as a timed-out rpc', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', slow.port, '', 1), { ok: false, output: 'timeout: health rpc did not complete within 1s' });
  });

  it('runProbe takes the pod IP, port and service from the probe', async () => {
    const target = { runtime: {} as ContainerRuntime, containerId: 'c', container: { name: 'c' }, podIP: '127.0.0.1', log: logger('test') } satisfies ProbeTarget;
    assert.deepEqual(await runProbe({ grpc: { port: healthy.port, service: 'db' } }, target), { ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.equal((await runProbe({ grpc: { port: healthy.port } }, target)).ok, true);
  });
});

describe('probe outputs (the Unhealthy event text)', () => {
  const target = (podIP: string): ProbeTarget => ({
    runtime: { exec: async () => ({ exitCode: 1, stdout: 'not ready\n', stderr: '' }) } as unknown as ContainerRuntime,
    containerId: 'c',
    container: { name: 'c', ports: [{ name: 'web', containerPort: 1 }] },
    podIP,
    log: logger('test'),
  });

  it('http: the status code, or the failed dial', async () => {
    const srv = http.createServer((_req, res) => res.writeHead(503).end()).listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      assert.deepEqual(await runProbe({ httpGet: { port, path: '/healthz' } }, target('127.0.0.1')), { ok: false, output: 'HTTP probe failed with statuscode: 503' });
    } finally {
      srv.close();
    }
    const r = await runProbe({ httpGet: { port, path: '/healthz' } }, target('127.0.0.1'));
    assert.deepEqual(r, { ok: false, output: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });

  it('tcp: the failed dial; exec: the command output', async () => {
    const r = await runProbe({ tcpSocket: { port: 'web' } }, target('127.0.0.1'));
    assert.deepEqual(r, { ok: false, output: 'dial tcp 127.0.0.1:1: connect: connection refused' });
    assert.deepEqual(await runProbe({ exec: { command: ['check'] } }, target('127.0.0.1')), { ok: false, output: 'not ready\n' });
  });

  it('durations print as Go prints them', () => {
    assert.deepEqual([1, 59, 60, 90, 3605].map(goSeconds), ['1s', '59s', '1m0s', '1m30s', '1h0m5s']);
  });
});
