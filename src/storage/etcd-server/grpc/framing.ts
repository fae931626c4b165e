// gRPC length-prefixed messages on an HTTP/2 stream: a 1-byte compressed flag, a 4-byte big-endian
// length, the message. The reader refuses messages over the receive limit as soon as their prefix
// arrives (grpc-go's parser.recvMsg, with its wording) and never buffers more than one message.
import { Code, GrpcStatusError } from './status.js';

/**
 * A response message already encoded and prefixed for the wire (by a hand-written encoder): the
 * call sends its bytes as they are instead of running the method's codec.
 */
export class FramedMessage {
  constructor(readonly bytes: Buffer) {}
}

/** Write the 5-byte prefix of a message of `len` bytes at the start of `buf`. */
export function writePrefix(buf: Buffer, len: number): void {
  buf[0] = 0;
  buf.writeUInt32BE(len, 1);
}

/** Prefix one encoded message for the wire (uncompressed). */
export function frameMessage(msg: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(msg.length + 5);
  out[0] = 0;
  out.writeUInt32BE(msg.length, 1);
  out.set(msg, 5);
  return out;
}

const EMPTY = Buffer.alloc(0);

export type MessageSink = (compressed: boolean, msg: Buffer) => void;

/** Splits the bytes of a request stream into messages. */
export class MessageReader {
  /** Received bytes not consumed yet (chunks are joined only when a message spans several). */
  private chunks: Buffer[] = [];
  private have = 0;
  /** Body length of the message being read (-1: its prefix is not complete yet). */
  private need = -1;
  private compressed = false;

  constructor(
    private readonly maxBytes: number,
    private readonly sink: MessageSink,
  ) {}

  /** Feed bytes; throws a GrpcStatusError for a message over the limit or a bad prefix. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.have += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.have < 5) return;
        const head = this.take(5);
        if (head[0] > 1) throw new GrpcStatusError(Code.INTERNAL, `grpc: received unexpected payload format ${head[0]}`);
        this.compressed = head[0] === 1;
        this.need = head.readUInt32BE(1);
        if (this.need > this.maxBytes) {
          throw new GrpcStatusError(Code.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${this.need} vs. ${this.maxBytes})`);
        }
      }
      if (this.have < this.need) return;
      const msg = this.take(this.need);
      this.need = -1;
      this.sink(this.compressed, msg);
    }
  }

  /** The first n received bytes (n <= have), removed from the queue. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY; // an empty message (e.g. StatusRequest)
    this.have -= n;
    const first = this.chunks[0];
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  /** Bytes of an unfinished message are pending (the stream ended mid-message). */
  get partial(): boolean {
    return this.need >= 0 || this.have > 0;
  }
}
