// The outgoing messages of one Watch stream, joined per burst: a put fans out to every watcher of
// its key synchronously, and the responses queued for a stream in that turn go out as ONE buffer
// in ONE write (at the end of the turn, in a microtask), instead of one HTTP/2 write, one buffer
// allocation and one write callback per watcher. Event responses are encoded straight into the
// joined buffer (an event's bytes are built once for all its watchers, see response-encoders.ts);
// other responses (created, canceled, progress) are framed when queued. Order is kept.
import type { WatchResponse } from '../store.js';
import type { StreamCall } from './grpc/call.js';
import { PbWriter } from './grpc/pb-writer.js';
import { Code } from './grpc/status.js';
import { watchSize, writeWatch, type WatchResponseFields } from './response-encoders.js';

interface EventItem {
  resp: WatchResponse;
  fields: WatchResponseFields;
  /** Body size (without the 5-byte prefix). */
  size: number;
}

/** Called once the messages of a flushed batch were taken by HTTP/2 (or the call ended). */
export type WrittenCallback = (messages: number, bytes: number) => void;

export class WatchOutput {
  private items: Array<EventItem | Buffer> = [];
  /** Wire bytes of the queued items (prefixes included). */
  private wire = 0;
  /** Accounting of the queued items, handed back to `written` when their batch is written. */
  private messages = 0;
  private accounted = 0;
  private scheduled = false;

  constructor(
    private readonly call: StreamCall,
    private readonly written: WrittenCallback,
  ) {}

  /** Queue an event response (or a canceled-by-compaction one); `bytes` is the caller's accounting. */
  event(resp: WatchResponse, fields: WatchResponseFields, bytes: number): void {
    const size = watchSize(resp, fields);
    this.items.push({ resp, fields, size });
    this.wire += 5 + size;
    this.queued(bytes);
  }

  /** Queue any other response message (encoded with the method's codec now). */
  message(msg: object, bytes: number): void {
    const buf = this.call.encode(msg);
    if (!buf) return; // the encoder failed: the call has ended
    this.items.push(buf);
    this.wire += buf.length;
    this.queued(bytes);
  }

  private queued(bytes: number): void {
    this.messages++;
    this.accounted += bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Write everything queued now (before the call's status, or at the end of the turn). */
  flush(): void {
    this.scheduled = false;
    if (this.items.length === 0) return;
    const items = this.items;
    const messages = this.messages;
    const accounted = this.accounted;
    const w = new PbWriter(this.wire);
    this.items = [];
    this.wire = 0;
    this.messages = 0;
    this.accounted = 0;
    try {
      for (const it of items) {
        if (Buffer.isBuffer(it)) {
          w.raw(it);
          continue;
        }
        w.buf[w.pos] = 0;
        w.buf.writeUInt32BE(it.size, w.pos + 1);
        w.pos += 5;
        const end = w.pos + it.size;
        writeWatch(w, it.resp, it.fields);
        if (w.pos !== end) throw new Error(`response encoder wrote ${w.pos - end + it.size} bytes, sized ${it.size}`);
      }
    } catch (e) {
      // As a failing encoder of a single message (call.ts): the call ends with Internal.
      this.written(messages, accounted);
      this.call.abort({ code: Code.INTERNAL, details: `grpc: error while marshaling: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    this.call.writeFramed(w.buf, () => this.written(messages, accounted));
  }
}
