// The client-to-server half of the authority relay (authority-relay.ts): HTTP/2 bytes from the
// client in, bytes for node:http2 out. Every header block is decoded and encoded again with its
// :authority and host fixed (authority-value.ts); everything else passes unchanged, DATA and the
// other frames without being buffered.
//
// HPACK state: the client's encoder fills *its* idea of the server's dynamic table; the decoder
// here keeps that table. What node:http2 gets is re-encoded with no dynamic table at all
// (literals without indexing, hpack.ts), so node's own table stays empty and never disagrees with
// what we send, whatever order and whatever values. (Keeping the client's representations and
// only shortening values would also work, but every indexed reference would then have to be
// mapped onto a second table; one that is never used needs no bookkeeping.) Blocks grow a little
// (no Huffman, no indexing); this path serves only the connections that need the fix.
//
// Framing: padding is dropped, the PRIORITY fields and END_STREAM are kept, blocks are cut again
// into HEADERS + CONTINUATION frames of at most 16384 octets (SETTINGS_MAX_FRAME_SIZE's initial
// value, which node:http2 keeps). A header frame larger than that, a CONTINUATION out of place or
// bad padding are passed on as received, and node:http2 ends the connection with the error the
// protocol asks for; a block that does not decode is replaced by one that node:http2 cannot
// decode either (a COMPRESSION_ERROR there too). After such an error the rest passes unchanged.
//
// SETTINGS: the peek (authority.ts) answers the client preface with its own empty SETTINGS, so
// the client's first SETTINGS ACK belongs to it and is dropped here (node:http2 would take an ACK
// for settings it never sent as a PROTOCOL_ERROR). The client's SETTINGS and all later ACKs pass.
import { CLIENT_PREFACE, DEFAULT_MAX_FRAME, FRAME_HEADER, Flag, FrameType, frameHeader, headerBlockFrames, readFrameHeader } from './h2-frames.js';
import { HeaderBlockAssembler } from './h2-header-block.js';
import { HpackDecoder, encodeHeaderBlock } from './hpack.js';
import { HpackError } from './hpack-error.js';
import { fixAuthorityFields } from './authority-value.js';

export interface RewriterOptions {
  /** Drop the client's first SETTINGS ACK (it answers SETTINGS the peek sent). */
  dropFirstSettingsAck: boolean;
  /** The server's SETTINGS_HEADER_TABLE_SIZE (node:http2's default, 4096, unless configured). */
  headerTableSize?: number;
}

/** A header block node:http2 fails to decode: index 0 (RFC 7541 6.1). */
const UNDECODABLE = Buffer.from([0x80]);

export class ClientFrameRewriter {
  private pending: Buffer = Buffer.alloc(0);
  private prefaceLeft = CLIENT_PREFACE.length;
  /** Payload octets of a passed-through frame still to come. */
  private passLeft = 0;
  private dropAck: boolean;
  private failed = false;
  private readonly decoder: HpackDecoder;
  private readonly blocks = new HeaderBlockAssembler();

  constructor(
    private readonly out: (b: Buffer) => void,
    opts: RewriterOptions,
  ) {
    this.dropAck = opts.dropFirstSettingsAck;
    this.decoder = new HpackDecoder({ maxTableSize: opts.headerTableSize ?? 4096 });
  }

  write(chunk: Buffer): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const outs: Buffer[] = [];
    let pos = 0;
    while (pos < buf.length) {
      if (this.failed) {
        outs.push(buf.subarray(pos));
        pos = buf.length;
        break;
      }
      if (this.prefaceLeft > 0 || this.passLeft > 0) {
        const left = this.prefaceLeft || this.passLeft;
        const n = Math.min(left, buf.length - pos);
        outs.push(buf.subarray(pos, pos + n));
        if (this.prefaceLeft) this.prefaceLeft -= n;
        else this.passLeft -= n;
        pos += n;
        continue;
      }
      if (buf.length - pos < FRAME_HEADER) break;
      const h = readFrameHeader(buf, pos);
      const isHeaders = h.type === FrameType.HEADERS || h.type === FrameType.CONTINUATION;
      if (this.blocks.open && h.type !== FrameType.CONTINUATION) {
        // Another frame inside a header block: node:http2 sees it as it came and fails the connection.
        this.fail(outs, this.blocks.rawSoFar());
        continue;
      }
      if (isHeaders && h.length > DEFAULT_MAX_FRAME) {
        // Passed on as it comes; node:http2 answers FRAME_SIZE_ERROR.
        this.fail(outs, this.blocks.open ? this.blocks.rawSoFar() : undefined);
        continue;
      }
      const droppable = h.type === FrameType.SETTINGS && (h.flags & Flag.ACK) !== 0 && h.length === 0 && this.dropAck;
      if (!isHeaders && !droppable) {
        outs.push(buf.subarray(pos, pos + FRAME_HEADER));
        pos += FRAME_HEADER;
        this.passLeft = h.length;
        continue;
      }
      const end = pos + FRAME_HEADER + h.length;
      if (end > buf.length) break;
      const frame = buf.subarray(pos, end);
      pos = end;
      if (droppable) {
        this.dropAck = false;
        continue;
      }
      this.headerFrame(h, frame, outs);
    }
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    if (outs.length) this.out(outs.length === 1 ? outs[0] : Buffer.concat(outs));
  }

  private headerFrame(h: ReturnType<typeof readFrameHeader>, frame: Buffer, outs: Buffer[]): void {
    const r = this.blocks.push(h, frame);
    if (r === 'more') return;
    if (r === 'bad') return this.fail(outs, this.blocks.rawSoFar());
    const b = this.blocks.take();
    try {
      const fields = fixAuthorityFields(this.decoder.decode(b.block));
      outs.push(...headerBlockFrames(b.stream, b.endStream, b.priority, encodeHeaderBlock(fields)));
    } catch (e) {
      if (!(e instanceof HpackError)) throw e;
      outs.push(frameHeader(UNDECODABLE.length, FrameType.HEADERS, Flag.END_HEADERS, b.stream), UNDECODABLE);
      this.failed = true;
    }
  }

  /** From here on, pass everything as received (after `raw`, the frames held back so far). */
  private fail(outs: Buffer[], raw?: Buffer): void {
    if (raw?.length) outs.push(raw);
    this.failed = true;
  }
}
