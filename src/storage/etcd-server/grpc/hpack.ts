// HPACK (RFC 7541): a header block decoder that keeps the dynamic table across blocks, and an
// encoder that never touches the receiver's dynamic table.
//
// Names and values are latin1 strings, so every octet maps to one character and back unchanged.
//
// The decoder follows the connection's encoder: indexed fields (static 1-61, dynamic from 62,
// newest first), literals with incremental indexing (added to the table, oldest entries evicted
// past the size limit; an entry costs name + value + 32 octets), literals without indexing and
// never-indexed literals, and dynamic table size updates (only at the start of a block, never
// above the limit the decoder's side announced). Any violation is an HpackError (a
// COMPRESSION_ERROR for the connection).
//
// The encoder writes every field as an indexed static field, or as a literal without indexing
// (never-indexed when the field was received that way) whose name is a static index when the
// static table has it, and never Huffman-codes: the block it makes leaves the receiver's dynamic
// table as it was, so blocks it makes can be sent in any order on any connection whose table we
// have never added to.
import { HpackError } from './hpack-error.js';
import { huffmanDecode } from './hpack-huffman.js';
import { STATIC_FIELD_INDEX, STATIC_NAME_INDEX, STATIC_TABLE } from './hpack-static-table.js';

export interface HeaderField {
  name: string;
  value: string;
  /** Received as a never-indexed literal: intermediaries must keep it one (RFC 7541 6.2.3). */
  sensitive?: boolean;
}

const ENTRY_OVERHEAD = 32;

export interface HpackDecoderOptions {
  /** SETTINGS_HEADER_TABLE_SIZE of the decoding side: the largest table the encoder may use. */
  maxTableSize?: number;
  /** Largest decoded header list (names + values + 32 per field), against decompression bombs. */
  maxHeaderListSize?: number;
}

export class HpackDecoder {
  /** Dynamic table, newest first. */
  private readonly entries: Array<[string, string]> = [];
  private size = 0;
  private readonly limit: number;
  private capacity: number;
  private readonly maxListSize: number;

  constructor(opts: HpackDecoderOptions = {}) {
    this.limit = opts.maxTableSize ?? 4096;
    this.capacity = this.limit;
    this.maxListSize = opts.maxHeaderListSize ?? 1 << 20;
  }

  /** The dynamic table, newest first (for tests and diagnostics). */
  get table(): ReadonlyArray<readonly [string, string]> {
    return this.entries;
  }

  /** The dynamic table's size in octets (RFC 7541 4.1). */
  get tableSize(): number {
    return this.size;
  }

  /** Decodes one complete header block, updating the dynamic table. */
  decode(block: Buffer): HeaderField[] {
    const fields: HeaderField[] = [];
    const r = { buf: block, pos: 0 };
    let listSize = 0;
    let fieldSeen = false;
    while (r.pos < block.length) {
      const b = block[r.pos];
      let field: HeaderField;
      if (b & 0x80) {
        const [name, value] = this.lookup(readInt(r, 7));
        field = { name, value };
      } else if (b & 0x40) {
        field = this.literal(r, 6);
        this.add(field.name, field.value);
      } else if (b & 0x20) {
        if (fieldSeen) throw new HpackError('dynamic table size update after a header field');
        const n = readInt(r, 5);
        if (n > this.limit) throw new HpackError(`dynamic table size update to ${n} is above the limit ${this.limit}`);
        this.capacity = n;
        this.evict(0);
        continue;
      } else {
        field = this.literal(r, 4);
        if (b & 0x10) field.sensitive = true;
      }
      fieldSeen = true;
      listSize += field.name.length + field.value.length + ENTRY_OVERHEAD;
      if (listSize > this.maxListSize) throw new HpackError(`header list larger than ${this.maxListSize} octets`);
      fields.push(field);
    }
    return fields;
  }

  private literal(r: Reader, prefix: number): HeaderField {
    const idx = readInt(r, prefix);
    const name = idx === 0 ? readString(r) : this.lookup(idx)[0];
    return { name, value: readString(r) };
  }

  private lookup(idx: number): readonly [string, string] {
    if (idx === 0) throw new HpackError('header field index 0');
    if (idx <= STATIC_TABLE.length) return STATIC_TABLE[idx - 1];
    const e = this.entries[idx - STATIC_TABLE.length - 1];
    if (!e) throw new HpackError(`header field index ${idx} is past the dynamic table (${this.entries.length} entries)`);
    return e;
  }

  private add(name: string, value: string): void {
    const cost = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (RFC 7541 4.4).
    this.evict(cost);
    if (cost > this.capacity) return;
    this.entries.unshift([name, value]);
    this.size += cost;
  }

  /** Evicts oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    while (this.entries.length && this.size + room > this.capacity) {
      const [n, v] = this.entries.pop()!;
      this.size -= n.length + v.length + ENTRY_OVERHEAD;
    }
  }
}

interface Reader {
  buf: Buffer;
  pos: number;
}

/** An N-bit prefix integer (RFC 7541 5.1); at most 2^31-1 here. */
function readInt(r: Reader, prefix: number): number {
  const max = (1 << prefix) - 1;
  if (r.pos >= r.buf.length) throw new HpackError('header block truncated in an integer');
  let v = r.buf[r.pos++] & max;
  if (v < max) return v;
  let shift = 0;
  for (;;) {
    if (r.pos >= r.buf.length) throw new HpackError('header block truncated in an integer');
    const b = r.buf[r.pos++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (v > 0x7fffffff) throw new HpackError('integer too large');
    if (!(b & 0x80)) return v;
  }
}

function readString(r: Reader): string {
  if (r.pos >= r.buf.length) throw new HpackError('header block truncated in a string');
  const huffman = (r.buf[r.pos] & 0x80) !== 0;
  const len = readInt(r, 7);
  if (r.pos + len > r.buf.length) throw new HpackError('header block truncated in a string');
  const raw = r.buf.subarray(r.pos, r.pos + len);
  r.pos += len;
  return (huffman ? huffmanDecode(raw) : raw).toString('latin1');
}

function writeInt(out: number[], first: number, prefix: number, v: number): void {
  const max = (1 << prefix) - 1;
  if (v < max) {
    out.push(first | v);
    return;
  }
  out.push(first | max);
  v -= max;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function writeString(out: number[], s: string): void {
  writeInt(out, 0, 7, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
}

/** Encodes fields without adding to (or referring to) the receiver's dynamic table. */
export function encodeHeaderBlock(fields: readonly HeaderField[]): Buffer {
  const out: number[] = [];
  for (const f of fields) {
    const exact = f.sensitive ? undefined : STATIC_FIELD_INDEX.get(`${f.name}\0${f.value}`);
    if (exact !== undefined) {
      writeInt(out, 0x80, 7, exact);
      continue;
    }
    const nameIdx = STATIC_NAME_INDEX.get(f.name) ?? 0;
    writeInt(out, f.sensitive ? 0x10 : 0x00, 4, nameIdx);
    if (nameIdx === 0) writeString(out, f.name);
    writeString(out, f.value);
  }
  return Buffer.from(out);
}
