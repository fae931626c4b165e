// Collects one header block from a HEADERS frame and the CONTINUATION frames that follow it
// (RFC 9113 6.2, 6.10): the fragments, the first frame's END_STREAM flag and priority, and the
// frames' original bytes (to pass them on unchanged when the block is not to be rewritten).
import { Flag, FrameType, headersPayload, type FrameHeader } from './h2-frames.js';

export interface HeaderBlock {
  stream: number;
  endStream: boolean;
  priority?: Buffer;
  block: Buffer;
  /** The frames as received. */
  raw: Buffer;
}

/** 'more': wait for a CONTINUATION; 'done': `take()` the block; 'bad': a PROTOCOL_ERROR in framing. */
export type PushResult = 'more' | 'done' | 'bad';

export class HeaderBlockAssembler {
  private stream = 0;
  private endStream = false;
  private priority: Buffer | undefined;
  private fragments: Buffer[] = [];
  private raws: Buffer[] = [];
  private size = 0;
  private active = false;

  /** @param maxBlock largest block collected; a larger one is 'bad'. */
  constructor(private readonly maxBlock = 256 * 1024) {}

  /** Whether a HEADERS frame without END_HEADERS is waiting for its CONTINUATION frames. */
  get open(): boolean {
    return this.active;
  }

  /** The frames collected so far (after 'bad': with the offending one), as received. */
  rawSoFar(): Buffer {
    return Buffer.concat(this.raws);
  }

  /** One whole HEADERS or CONTINUATION frame (`frame` = header + payload). */
  push(h: FrameHeader, frame: Buffer): PushResult {
    const payload = frame.subarray(9);
    if (h.type === FrameType.HEADERS && !this.active) {
      this.active = true;
      this.stream = h.stream;
      this.endStream = (h.flags & Flag.END_STREAM) !== 0;
      this.fragments = [];
      this.raws = [];
      this.size = 0;
    } else if (h.type !== FrameType.CONTINUATION || !this.active || h.stream !== this.stream) {
      this.raws.push(frame);
      return 'bad';
    }
    this.raws.push(frame);
    const p = headersPayload(h.type, h.flags, payload);
    if (!p) return 'bad';
    if (h.type === FrameType.HEADERS) this.priority = p.priority;
    this.fragments.push(p.fragment);
    this.size += p.fragment.length;
    if (this.size > this.maxBlock) return 'bad';
    if (!(h.flags & Flag.END_HEADERS)) return 'more';
    this.active = false;
    return 'done';
  }

  take(): HeaderBlock {
    const b: HeaderBlock = { stream: this.stream, endStream: this.endStream, priority: this.priority, block: Buffer.concat(this.fragments), raw: Buffer.concat(this.raws) };
    this.fragments = [];
    this.raws = [];
    this.active = false;
    return b;
  }
}
