// The grpc probe, as the kubelet runs it: an insecure gRPC connection to the pod's IP and the
// probe's port, then grpc.health.v1.Health/Check with the probe's `service` (default ""); SERVING
// is success, anything else (another status, Unimplemented, a refused connection, the timeout)
// is a failure whose output says why, worded as the kubelet's prober words it.
//
// The health protocol's two messages are small enough to encode by hand:
//   HealthCheckRequest  { string service = 1; }
//   HealthCheckResponse { ServingStatus status = 1; }  (UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN)
import * as grpc from '@grpc/grpc-js';
import { KUBE_PROBE_USER_AGENT, goGrpcCodeName, goSeconds, type ProbeResult } from './probe-result.js';

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest: field 1 (service), length-delimited. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  if (!s.length) return Buffer.alloc(0);
  const len: number[] = [];
  for (let n = s.length; ; n >>>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}

/** HealthCheckResponse's status (0 when absent, as proto3 defaults it); unknown fields skipped. */
export function decodeHealthCheckResponse(b: Buffer): number {
  let status = 0;
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; i < b.length; shift += 7) {
      const byte = b[i++];
      v += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return v;
    }
    throw new Error('truncated varint');
  };
  while (i < b.length) {
    const tag = varint();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 0) status = varint();
    else if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 2) {
      const n = varint();
      i += n;
    }
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return status;
}

const HealthClient = grpc.makeGenericClientConstructor(
  {
    Check: {
      path: '/grpc.health.v1.Health/Check',
      requestStream: false,
      responseStream: false,
      // Messages travel as objects: grpc-js takes a falsy message ("" or 0) for a missing one.
      requestSerialize: (r: { service: string }) => encodeHealthCheckRequest(r.service),
      requestDeserialize: (b: Buffer) => ({ service: b.toString() }),
      responseSerialize: (r: { status: number }) => Buffer.from([0x08, r.status]),
      responseDeserialize: (b: Buffer) => ({ status: decodeHealthCheckResponse(b) }),
    },
  },
  'Health',
);

/** One grpc probe attempt against host:port. */
export function grpcProbe(host: string, port: number, service: string, timeoutSeconds: number): Promise<ProbeResult> {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const timeout = goSeconds(timeoutSeconds);
  const timeoutMs = timeoutSeconds * 1000;
  const client = new HealthClient(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': KUBE_PROBE_USER_AGENT,
    // One attempt, as the kubelet's blocking dial within the probe's timeout.
    'grpc.enable_retries': 0,
    'grpc.initial_reconnect_backoff_ms': 100,
  });
  const deadline = Date.now() + timeoutMs;
  return new Promise<ProbeResult>((resolve) => {
    client.waitForReady(deadline, (connectErr?: Error) => {
      // The kubelet dials blocking until the timeout, retrying a refused connection meanwhile,
      // so every connect failure ends as this timeout.
      if (connectErr) return resolve({ ok: false, output: `timeout: failed to connect service "${addr}" within ${timeout}: context deadline exceeded` });
      (client as unknown as { Check: (req: { service: string }, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: { status: number }) => void) => void }).Check(
        { service },
        new grpc.Metadata(),
        { deadline },
        (err, res) => {
          if (err) {
            if (err.code === grpc.status.UNIMPLEMENTED) return resolve({ ok: false, output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
            if (err.code === grpc.status.DEADLINE_EXCEEDED) return resolve({ ok: false, output: `timeout: health rpc did not complete within ${timeout}` });
            return resolve({ ok: false, output: `error: health rpc probe failed: rpc error: code = ${goGrpcCodeName(grpc.status[err.code])} desc = ${err.details}` });
          }
          const status = res?.status ?? 0;
          const name = SERVING_STATUS[status] ?? String(status);
          resolve(name === 'SERVING' ? { ok: true, output: 'service healthy' } : { ok: false, output: `service unhealthy (responded with "${name}")` });
        },
      );
    });
  }).finally(() => client.close());
}
