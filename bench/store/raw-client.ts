// A lean gRPC client for the store benchmark's load phases: unary etcd v3 calls on one node:http2
// session, requests encoded by hand and responses checked without decoding them into objects.
//
// grpc-js with protobufjs objects spends 2-5x the server's CPU per call (a 10,000-key range
// response becomes 10,000 objects), so on this 2-core machine its client processes, not the
// server, set the pace. This client sends the same wire requests to every server (the content
// type, `te: trailers`, length-prefixed messages that grpc-go expects) and reads only what it
// checks: the grpc-status of the trailers, and for a range the `count` field and the number of
// key-values returned.
import http2 from 'node:http2';
import { PbWriter, delimitedSize } from '../../src/storage/etcd-server/grpc/pb-writer.js';

export const PUT_PATH = '/etcdserverpb.KV/Put';
export const RANGE_PATH = '/etcdserverpb.KV/Range';

const WINDOW = 64 * 1024 * 1024;

/** A framed (5-byte prefix) request message of length-delimited fields: [fieldNumber, bytes]. */
export function encodeFields(fields: Array<[number, Buffer]>): Buffer {
  let size = 0;
  for (const [, b] of fields) size += 1 + delimitedSize(b.length);
  const w = new PbWriter(size, 5);
  w.buf[0] = 0;
  w.buf.writeUInt32BE(size, 1);
  for (const [n, b] of fields) {
    w.uvarint((n << 3) | 2);
    w.uvarint(b.length);
    b.copy(w.buf, w.pos);
    w.pos += b.length;
  }
  return w.buf;
}

/** Top-level facts of a RangeResponse: its `count` field and how many `kvs` it carries. */
export function rangeFacts(msg: Buffer): { count: number; kvs: number } {
  let pos = 0;
  let count = 0;
  let kvs = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = msg[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (pos < msg.length) {
    const tag = varint();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === 0) {
      const v = varint();
      if (field === 4) count = v;
    } else if (wire === 2) {
      const len = varint();
      if (field === 2) kvs++;
      pos += len;
    } else throw new Error(`unexpected wire type ${wire} in a RangeResponse`);
  }
  return { count, kvs };
}

export class RawGrpcClient {
  private readonly session: http2.ClientHttp2Session;

  constructor(endpoint: string) {
    this.session = http2.connect(endpoint, { settings: { initialWindowSize: WINDOW } });
    this.session.on('error', () => undefined);
    this.session.once('connect', () => this.session.setLocalWindowSize(WINDOW));
  }

  /** One unary call: resolves with the response message, rejects with the grpc status. */
  call(path: string, framed: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const req = this.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      const onStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) {
          status = String(h['grpc-status']);
          message = String(h['grpc-message'] ?? '');
        }
      };
      req.on('response', onStatus);
      req.on('trailers', onStatus);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', reject);
      req.on('close', () => {
        if (status !== '0') return reject(new Error(`grpc status ${status ?? 'missing'}: ${decodeURIComponent(message)}`));
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (body.length < 5 || body.readUInt32BE(1) !== body.length - 5) return reject(new Error(`malformed response of ${body.length} bytes`));
        resolve(body.subarray(5));
      });
      req.end(framed);
    });
  }

  close(): void {
    this.session.close();
  }
}
