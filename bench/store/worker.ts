// A load-generating client process for bench/store/run.ts: raw etcd v3 gRPC calls (grpc-js with
// the protos of src/storage/etcd-proto), the same client for every server. Driven over IPC.

import * as grpc from '@grpc/grpc-js';
import { loadEtcdProto } from '../../src/storage/etcd-proto/index.js';
import type { WorkerCommand, WorkerReply } from './protocol.js';
import { encodeFields, PUT_PATH, RANGE_PATH, RawGrpcClient, rangeFacts } from './raw-client.js';

type Cb = (err: grpc.ServiceError | null, res?: unknown) => void;
type Unary = (req: unknown, cb: Cb) => void;

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
};

const now = () => performance.timeOrigin + performance.now();
const send = (m: WorkerReply) => process.send?.(m);

let kv: grpc.Client | undefined;
let watchClient: grpc.Client | undefined;
let watchStream: grpc.ClientDuplexStream<unknown, WatchResp> | undefined;
let endpoint = '';

interface WatchResp {
  watch_id: string;
  created: boolean;
  canceled: boolean;
  events: Array<{ kv: { value: Buffer } }>;
}

function clients(ep: string) {
  if (ep !== endpoint || !kv) {
    kv?.close();
    watchClient?.close();
    const { clients: c } = loadEtcdProto();
    const addr = ep.replace(/^https?:\/\//, '');
    kv = new c.KV(addr, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    watchClient = new c.Watch(addr, grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, channelOverride: kv.getChannel() });
    endpoint = ep;
  }
  return { kv: kv as unknown as Record<string, Unary> };
}

function call(fn: Unary, target: unknown, req: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => fn.call(target, req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The request of one load operation through the chosen client: resolves once answered (and checked). */
type Issue = (i: number) => Promise<unknown>;

function grpcJsIssuer(cmd: Extract<WorkerCommand, { type: 'load' }>): Issue {
  const { kv: k } = clients(cmd.endpoint);
  const value = Buffer.alloc(cmd.valueSize, 0x61);
  const method = cmd.op === 'put' ? k.Put : k.Range;
  const makeReq = (i: number): unknown => {
    switch (cmd.op) {
      case 'put':
        return { key: Buffer.from(`${cmd.keyPrefix}${i % cmd.keySpace}`), value };
      case 'get':
        return { key: Buffer.from(`${cmd.keyPrefix}${String(Math.floor(Math.random() * cmd.keySpace)).padStart(5, '0')}`) };
      case 'range':
        return { key: Buffer.from(cmd.keyPrefix), range_end: prefixEnd(Buffer.from(cmd.keyPrefix)) };
    }
  };
  return (i) => call(method, k, makeReq(i));
}

let raw: { endpoint: string; client: RawGrpcClient } | undefined;

/** The lean client (raw-client.ts): same wire requests, responses checked without decoding objects. */
function rawIssuer(cmd: Extract<WorkerCommand, { type: 'load' }>): Issue {
  if (raw?.endpoint !== cmd.endpoint) {
    raw?.client.close();
    raw = { endpoint: cmd.endpoint, client: new RawGrpcClient(cmd.endpoint) };
  }
  const c = raw.client;
  const value = Buffer.alloc(cmd.valueSize, 0x61);
  const checkCount = (want: number) => (msg: Buffer) => {
    const f = rangeFacts(msg);
    if (f.count !== want || f.kvs !== want) throw new Error(`range answered count ${f.count} with ${f.kvs} kvs, expected ${want}`);
  };
  switch (cmd.op) {
    case 'put':
      return (i) => c.call(PUT_PATH, encodeFields([[1, Buffer.from(`${cmd.keyPrefix}${i % cmd.keySpace}`)], [2, value]]));
    case 'get': {
      const one = checkCount(1);
      return () =>
        c.call(RANGE_PATH, encodeFields([[1, Buffer.from(`${cmd.keyPrefix}${String(Math.floor(Math.random() * cmd.keySpace)).padStart(5, '0')}`)]])).then(one);
    }
    case 'range': {
      const all = checkCount(cmd.keySpace);
      const req = encodeFields([[1, Buffer.from(cmd.keyPrefix)], [2, prefixEnd(Buffer.from(cmd.keyPrefix))]]);
      return () => c.call(RANGE_PATH, req).then(all);
    }
  }
}

async function runLoad(cmd: Extract<WorkerCommand, { type: 'load' }>) {
  const issue = cmd.client === 'raw' ? rawIssuer(cmd) : grpcJsIssuer(cmd);
  const latencies: number[] = [];
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  await sleepUntil(cmd.startAt);
  let seq = cmd.workerIndex * 1_000_000;
  let lastDone = cmd.startAt;
  // Issue requests until endAt (and at least minOps per loop, within 3x the duration); every
  // request issued is waited for and counted.
  const hardEnd = cmd.startAt + 3 * (cmd.endAt - cmd.startAt);
  const loop = async () => {
    let mine = 0;
    while (now() < cmd.endAt || (mine < cmd.minOps && now() < hardEnd)) {
      const t0 = now();
      try {
        await issue(seq++);
        const t1 = now();
        ops++;
        mine++;
        latencies.push(t1 - t0);
        if (t1 > lastDone) lastDone = t1;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
        if (errors > 1000) break;
      }
    }
  };
  await Promise.all(Array.from({ length: cmd.inflight }, loop));
  send({ type: 'load-result', ops, errors, firstError, latencies, lastDone });
}

/** Open `count` watchers of `prefix` on one stream; record delivery latency (value holds the send time). */
async function startWatch(cmd: Extract<WorkerCommand, { type: 'watch-start' }>) {
  clients(cmd.endpoint);
  const latencies: number[] = [];
  let deliveries = 0;
  const md = new grpc.Metadata();
  md.set('hasleader', 'true');
  const stream = (watchClient as unknown as { Watch(md: grpc.Metadata): grpc.ClientDuplexStream<unknown, WatchResp> }).Watch(md);
  watchStream = stream;
  let created = 0;
  let onCreated: (() => void) | undefined;
  stream.on('data', (r: WatchResp) => {
    if (r.created) {
      created++;
      onCreated?.();
      return;
    }
    const t = now();
    for (const e of r.events) {
      const sent = e.kv.value.readDoubleLE(0);
      if (t >= cmd.measureFrom) {
        deliveries++;
        latencies.push(t - sent);
      }
    }
  });
  stream.on('error', () => undefined);
  const key = Buffer.from(cmd.prefix);
  for (let i = 0; i < cmd.count; i++) {
    const done = new Promise<void>((resolve) => (onCreated = resolve));
    stream.write({ create_request: { key, range_end: prefixEnd(key) } });
    await done;
  }
  send({ type: 'watch-ready', watchers: created });
  stopWatch = async (expected: number, deadline: number) => {
    // Let late deliveries arrive (they count, with their latency) before reporting.
    while (deliveries < expected && now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stream.cancel();
    send({ type: 'watch-result', deliveries, latencies });
  };
}

let stopWatch: ((expected: number, deadline: number) => Promise<void>) | undefined;

function prefixEnd(p: Buffer): Buffer {
  const end = Buffer.from(p);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

async function sleepUntil(t: number) {
  const d = t - now();
  if (d > 0) await new Promise((r) => setTimeout(r, d));
}

process.on('message', (m: WorkerCommand) => {
  switch (m.type) {
    case 'load':
      void runLoad(m).catch((err: Error) => send({ type: 'load-result', ops: 0, errors: 1, firstError: err.message, latencies: [], lastDone: now() }));
      break;
    case 'watch-start':
      void startWatch(m).catch((err: Error) => send({ type: 'watch-ready', watchers: 0, error: err.message }));
      break;
    case 'watch-stop':
      void stopWatch?.(m.expected, m.deadline);
      stopWatch = undefined;
      break;
    case 'exit':
      watchStream?.cancel();
      kv?.close();
      watchClient?.close();
      raw?.client.close();
      process.disconnect?.();
      break;
  }
});
send({ type: 'hello' });
