// Write-ahead log records: one record per group commit, holding every table write of the batch.
//
// Framing (little endian): u32 payload length, u32 crc32 over (seq + payload), u64 seq, payload.
// A record is valid only if its length fits the segment, its checksum matches and its seq is the
// one expected next; anything else ends the log (a torn last write, zeroes past the end of a
// preallocated segment, or stale records left in a recycled segment file).
//
// Payload: repeated writes, each one of
// - a table row:  u8 table (< OP_KV_PUT), u32 key length, key, u32 value length or REMOVE, value;
// - an mvcc put:  u8 OP_KV_PUT, u32 key length, key, u64 revision, u32 row length, row; replay
//   writes it as the key's `kv` row and its (key, revision) `hist` row (one copy of the row in
//   the log instead of two);
// - an mvcc delete: u8 OP_KV_DEL, u32 key length, key, u64 revision; replay removes the `kv` row
//   and writes the (key, revision) tombstone.
// Records written before the mvcc ops existed hold only table rows and replay unchanged.
import { crc32 } from 'node:zlib';
import { histKey, HIST_TOMBSTONE, readU64, writeU64 } from './codec.js';

export const RECORD_HEADER = 16;
const REMOVE = 0xffffffff;
export const OP_KV_PUT = 0xf0;
export const OP_KV_DEL = 0xf1;
/** Table indexes the mvcc ops expand to (the backend's table order starts kv, hist). */
export const KV_TABLE = 0;
export const HIST_TABLE = 1;

/** One table write: `value` undefined removes the key. */
export interface WalWrite {
  table: number;
  key: Buffer;
  value: Buffer | undefined;
}

/** Bytes a write takes in a payload. */
export function writeSize(key: Buffer, value: Buffer | undefined): number {
  return 9 + key.length + (value ? value.length : 0);
}

/** Bytes an mvcc put (`rec` set) or delete takes in a payload. */
export function kvWriteSize(key: Buffer, rec: Buffer | undefined): number {
  return 13 + key.length + (rec ? 4 + rec.length : 0);
}

/** Encode an mvcc put (`rec` set) or delete of `key` at revision `rev` at `at`; answers the offset after it. */
export function putKvWrite(buf: Buffer, at: number, key: Buffer, rev: number, rec: Buffer | undefined): number {
  buf[at] = rec ? OP_KV_PUT : OP_KV_DEL;
  buf.writeUInt32LE(key.length, at + 1);
  key.copy(buf, at + 5);
  at += 5 + key.length;
  writeU64(buf, rev, at);
  at += 8;
  if (!rec) return at;
  buf.writeUInt32LE(rec.length, at);
  rec.copy(buf, at + 4);
  return at + 4 + rec.length;
}

/** Frame a record: `fill` writes the payload into the buffer from offset RECORD_HEADER. */
export function frameRecord(seq: number, payloadLen: number, fill: (buf: Buffer, at: number) => number): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER + payloadLen);
  const end = fill(buf, RECORD_HEADER);
  if (end !== buf.length) throw new Error(`wal record payload is ${end - RECORD_HEADER} bytes, expected ${payloadLen}`);
  buf.writeUInt32LE(payloadLen, 0);
  buf.writeBigUInt64LE(BigInt(seq), 8);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** Encode one write at `at`; answers the offset after it. */
export function putWrite(buf: Buffer, at: number, table: number, key: Buffer, value: Buffer | undefined): number {
  buf[at] = table;
  buf.writeUInt32LE(key.length, at + 1);
  key.copy(buf, at + 5);
  at += 5 + key.length;
  if (value === undefined) {
    buf.writeUInt32LE(REMOVE, at);
    return at + 4;
  }
  buf.writeUInt32LE(value.length, at);
  value.copy(buf, at + 4);
  return at + 4 + value.length;
}

/** The table writes of a record's payload (keys and values are views into `payload`, except hist keys). */
export function decodeWrites(payload: Buffer): WalWrite[] {
  const out: WalWrite[] = [];
  let at = 0;
  while (at < payload.length) {
    const op = payload[at];
    const klen = payload.readUInt32LE(at + 1);
    const key = payload.subarray(at + 5, at + 5 + klen);
    at += 5 + klen;
    if (op === OP_KV_PUT || op === OP_KV_DEL) {
      const rev = readU64(payload, at);
      at += 8;
      if (op === OP_KV_DEL) {
        out.push({ table: KV_TABLE, key, value: undefined }, { table: HIST_TABLE, key: histKey(key, rev), value: HIST_TOMBSTONE });
      } else {
        const rlen = payload.readUInt32LE(at);
        const rec = payload.subarray(at + 4, at + 4 + rlen);
        at += 4 + rlen;
        out.push({ table: KV_TABLE, key, value: rec }, { table: HIST_TABLE, key: histKey(key, rev), value: rec });
      }
    } else {
      const vlen = payload.readUInt32LE(at);
      at += 4;
      if (vlen === REMOVE) out.push({ table: op, key, value: undefined });
      else {
        out.push({ table: op, key, value: payload.subarray(at, at + vlen) });
        at += vlen;
      }
    }
    if (at > payload.length) throw new Error('wal record payload is truncated');
  }
  return out;
}

/** A valid record read from a segment. */
export interface ScannedRecord {
  seq: number;
  payload: Buffer;
}

/**
 * The valid records of one segment's bytes, in order, from the start: stops at the first
 * record that is zero-length, runs past the end or fails its checksum.
 */
export function* scanSegment(data: Buffer): Generator<ScannedRecord> {
  let at = 0;
  while (at + RECORD_HEADER <= data.length) {
    const len = data.readUInt32LE(at);
    if (len === 0 || at + RECORD_HEADER + len > data.length) return;
    const crc = data.readUInt32LE(at + 4);
    if (crc32(data.subarray(at + 8, at + RECORD_HEADER + len)) !== crc) return;
    yield { seq: Number(data.readBigUInt64LE(at + 8)), payload: data.subarray(at + RECORD_HEADER, at + RECORD_HEADER + len) };
    at += RECORD_HEADER + len;
  }
}
