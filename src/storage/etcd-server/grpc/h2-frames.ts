// HTTP/2 frame layout (RFC 9113 section 4 and 6), the little of it that the authority fix reads
// and writes: frame headers, the header block fragment of HEADERS and CONTINUATION frames, and a
// header block cut back into HEADERS + CONTINUATION frames.

export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const FRAME_HEADER = 9;
/** SETTINGS_MAX_FRAME_SIZE's initial value: every endpoint accepts frames this large. */
export const DEFAULT_MAX_FRAME = 16384;

export const FrameType = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  stream: number;
}

export function readFrameHeader(buf: Buffer, off: number): FrameHeader {
  return {
    length: buf.readUIntBE(off, 3),
    type: buf[off + 3],
    flags: buf[off + 4],
    stream: buf.readUInt32BE(off + 5) & 0x7fffffff,
  };
}

export function frameHeader(length: number, type: number, flags: number, stream: number): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER);
  h.writeUIntBE(length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return h;
}

/** A SETTINGS frame with no parameters: all values at their defaults (or an ACK). */
export function emptySettings(ack = false): Buffer {
  return frameHeader(0, FrameType.SETTINGS, ack ? Flag.ACK : 0, 0);
}

export interface HeadersPayload {
  fragment: Buffer;
  /** The 5 priority octets of a HEADERS frame with the PRIORITY flag. */
  priority?: Buffer;
}

/**
 * The header block fragment of a HEADERS or CONTINUATION payload, without padding and priority;
 * undefined when the padding is longer than the payload (a PROTOCOL_ERROR).
 */
export function headersPayload(type: number, flags: number, payload: Buffer): HeadersPayload | undefined {
  if (type === FrameType.CONTINUATION) return { fragment: payload };
  let start = 0;
  let end = payload.length;
  if (flags & Flag.PADDED) {
    if (payload.length < 1) return undefined;
    end -= payload[0];
    start = 1;
  }
  let priority: Buffer | undefined;
  if (flags & Flag.PRIORITY) {
    priority = payload.subarray(start, start + 5);
    start += 5;
  }
  if (end < start) return undefined;
  return { fragment: payload.subarray(start, end), priority };
}

/**
 * A header block as a HEADERS frame (END_STREAM and the priority kept, no padding) and as many
 * CONTINUATION frames as `maxFrame` needs, END_HEADERS on the last.
 */
export function headerBlockFrames(stream: number, endStream: boolean, priority: Buffer | undefined, block: Buffer, maxFrame = DEFAULT_MAX_FRAME): Buffer[] {
  const out: Buffer[] = [];
  const pri = priority ?? Buffer.alloc(0);
  let pos = Math.min(block.length, maxFrame - pri.length);
  let flags = (endStream ? Flag.END_STREAM : 0) | (priority ? Flag.PRIORITY : 0) | (pos === block.length ? Flag.END_HEADERS : 0);
  out.push(frameHeader(pri.length + pos, FrameType.HEADERS, flags, stream), pri, block.subarray(0, pos));
  while (pos < block.length) {
    const n = Math.min(block.length - pos, maxFrame);
    flags = pos + n === block.length ? Flag.END_HEADERS : 0;
    out.push(frameHeader(n, FrameType.CONTINUATION, flags, stream), block.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}
