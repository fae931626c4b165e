// A minimal protobuf writer for encoders that know their message's size up front: varints
// (int64 as two's complement, 10 bytes when negative), length-delimited bytes, raw copies, all into
// one preallocated Buffer. Hand-written encoders (response-encoders.ts) use it to skip protobufjs'
// per-field operation lists on the hot responses.

const TWO_32 = 4294967296;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Bytes of a varint holding a non-negative safe integer. */
export function uvarintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 4;
  for (let rest = Math.floor(v / 0x10000000); rest >= 1; rest = Math.floor(rest / 128)) n++;
  return n;
}

/** Bytes of an int64/uint64 field value (number or bigint). */
export function int64Size(v: number | bigint): number {
  if (typeof v === 'number') return v >= 0 && v <= Number.MAX_SAFE_INTEGER ? uvarintSize(v) : bigVarintSize(BigInt(Math.trunc(v)));
  if (v >= 0n && v <= MAX_SAFE_BIG) return uvarintSize(Number(v));
  return bigVarintSize(v);
}

function bigVarintSize(v: bigint): number {
  let u = BigInt.asUintN(64, v);
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}

/** Bytes of a length-delimited field body of `len` bytes, with its length prefix (tag excluded). */
export function delimitedSize(len: number): number {
  return uvarintSize(len) + len;
}

export class PbWriter {
  readonly buf: Buffer;
  pos: number;

  /** A writer for `size` bytes after `offset` reserved ones (e.g. gRPC's 5-byte prefix). */
  constructor(size: number, offset = 0) {
    this.buf = Buffer.allocUnsafe(offset + size);
    this.pos = offset;
  }

  /** A tag or any small non-negative integer below 2^53. */
  uvarint(v: number): void {
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v = v < TWO_32 ? v >>> 7 : Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }

  int64(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) return this.uvarint(v);
    if (typeof v === 'bigint' && v >= 0n && v <= MAX_SAFE_BIG) return this.uvarint(Number(v));
    let u = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** Length prefix and bytes. */
  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.raw(b);
  }

  raw(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    const len = Buffer.byteLength(s);
    this.uvarint(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }
}
