// Binary records of the mvcc engine (no JSON on the hot path).
//
// Tables (LMDB named databases, binary keys and values):
// - kv      current keys:      key                      -> createRev(8) modRev(8) version(8) lease(8) value
// - hist    per-key history:   esc(key) 00 00 rev(8)    -> the kv record as in `kv` (a put), or the
//           single byte 00 (a delete tombstone); one encoded buffer serves both tables
// - log     revision log:      firstRev(8) of a commit batch -> (rev(8) keyLen(4) key)* in revision order
// - leases  leases:            id(8)                    -> ttl(8, float64)
// - lkeys   lease attachments: id(8) key                -> 1 byte
// - meta    small state:       name (ascii)             -> value
//
// Revisions are non-negative integers below 2^53, stored as two big-endian uint32 so that byte order
// is numeric order. Keys of `hist` escape 0x00 as 00 FF and end with 00 00, which keeps the table
// ordered by (key, revision) for arbitrary key bytes.
import type { KeyValue } from '../store.js';

const TWO32 = 0x1_0000_0000;

export function writeU64(buf: Buffer, n: number, off: number): void {
  buf.writeUInt32BE(Math.floor(n / TWO32), off);
  buf.writeUInt32BE(n >>> 0, off + 4);
}

export function readU64(buf: Buffer, off: number): number {
  return buf.readUInt32BE(off) * TWO32 + buf.readUInt32BE(off + 4);
}

export function revKey(rev: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeU64(b, rev, 0);
  return b;
}

export function writeLease(buf: Buffer, lease: bigint, off: number): void {
  if (lease === 0n) {
    buf.writeUInt32BE(0, off);
    buf.writeUInt32BE(0, off + 4);
  } else buf.writeBigUInt64BE(BigInt.asUintN(64, lease), off);
}

export function readLease(buf: Buffer, off: number): bigint {
  if (buf.readUInt32BE(off) === 0 && buf.readUInt32BE(off + 4) === 0) return 0n;
  return buf.readBigInt64BE(off);
}

export function leaseKey(id: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, id));
  return b;
}

// ---- kv table ----

export const KV_HEADER = 32;

/**
 * Encode a kv row. The row gets its own memory (not Node's shared 8 KiB pool): the current index
 * keeps the value as a view of it, and a pooled row would pin a whole pool slab.
 */
export function encodeKv(kv: KeyValue): Buffer {
  const b = Buffer.allocUnsafeSlow(KV_HEADER + kv.value.length);
  writeU64(b, kv.createRevision, 0);
  writeU64(b, kv.modRevision, 8);
  writeU64(b, kv.version, 16);
  writeLease(b, kv.lease, 24);
  kv.value.copy(b, KV_HEADER);
  return b;
}

/**
 * Encode a decided kv's row and give the kv its own copies of key and value, all in ONE
 * allocation laid out as [key][row] (the index keeps the kv long; one allocation per put instead
 * of two halves the allocator and GC work of the write path). Sets `kv.key` and `kv.value` to
 * views of it and answers the row (a view too).
 */
export function encodeOwnedKv(kv: KeyValue): Buffer {
  const klen = kv.key.length;
  const b = Buffer.allocUnsafeSlow(klen + KV_HEADER + kv.value.length);
  kv.key.copy(b, 0);
  writeU64(b, kv.createRevision, klen);
  writeU64(b, kv.modRevision, klen + 8);
  writeU64(b, kv.version, klen + 16);
  writeLease(b, kv.lease, klen + 24);
  kv.value.copy(b, klen + KV_HEADER);
  kv.key = b.subarray(0, klen);
  const rec = b.subarray(klen);
  kv.value = rec.subarray(KV_HEADER);
  return rec;
}

/** Decode a kv record; `value` is a view of `rec` (callers pass a buffer they own). */
export function decodeKv(key: Buffer, rec: Buffer): KeyValue {
  return {
    key,
    createRevision: readU64(rec, 0),
    modRevision: readU64(rec, 8),
    version: readU64(rec, 16),
    value: rec.subarray(KV_HEADER),
    lease: readLease(rec, 24),
  };
}

// ---- hist table ----

const ZERO = 0;

/** The escaped form of `key` followed by the 00 00 terminator (the prefix of all its history rows). */
export function histPrefix(key: Buffer): Buffer {
  let zeros = 0;
  for (let i = key.indexOf(ZERO); i !== -1; i = key.indexOf(ZERO, i + 1)) zeros++;
  const b = Buffer.allocUnsafe(key.length + zeros + 2);
  if (zeros === 0) key.copy(b, 0);
  else {
    let o = 0;
    for (let i = 0; i < key.length; i++) {
      const c = key[i];
      b[o++] = c;
      if (c === 0) b[o++] = 0xff;
    }
  }
  b[b.length - 2] = 0;
  b[b.length - 1] = 0;
  return b;
}

export function histKey(key: Buffer, rev: number): Buffer {
  if (key.indexOf(ZERO) !== -1) {
    const p = histPrefix(key);
    const b = Buffer.allocUnsafe(p.length + 8);
    p.copy(b, 0);
    writeU64(b, rev, p.length);
    return b;
  }
  const n = key.length;
  const b = Buffer.allocUnsafe(n + 10);
  key.copy(b, 0);
  b[n] = 0;
  b[n + 1] = 0;
  writeU64(b, rev, n + 2);
  return b;
}

/** Split a hist table key into the escaped prefix length (incl. terminator) and the revision. */
export function histKeyRev(hk: Buffer): number {
  return readU64(hk, hk.length - 8);
}

/** The user key of a hist table key. */
export function histKeyUserKey(hk: Buffer): Buffer {
  const end = hk.length - 10; // before 00 00 rev(8)
  let zeros = 0;
  for (let i = hk.indexOf(ZERO); i !== -1 && i < end; i = hk.indexOf(ZERO, i + 2)) zeros++;
  if (zeros === 0) return Buffer.from(hk.subarray(0, end));
  const out = Buffer.allocUnsafe(end - zeros);
  let o = 0;
  for (let i = 0; i < end; i++) {
    out[o++] = hk[i];
    if (hk[i] === 0) i++; // skip the FF escape
  }
  return out;
}

export const HIST_TOMBSTONE = Buffer.from([0]);

export function isTombstone(rec: Buffer): boolean {
  return rec.length < KV_HEADER;
}

/** Decode a hist record as the key's value at that revision; undefined for a tombstone. */
export function decodeHist(key: Buffer, rec: Buffer): KeyValue | undefined {
  return isTombstone(rec) ? undefined : decodeKv(key, rec);
}

// ---- log table ----

export interface LogEntry {
  rev: number;
  key: Buffer;
}

export function encodeLog(entries: LogEntry[]): Buffer {
  let size = 0;
  for (const e of entries) size += 12 + e.key.length;
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  for (const e of entries) {
    writeU64(b, e.rev, o);
    b.writeUInt32BE(e.key.length, o + 8);
    e.key.copy(b, o + 12);
    o += 12 + e.key.length;
  }
  return b;
}

export function decodeLog(b: Buffer): LogEntry[] {
  const out: LogEntry[] = [];
  let o = 0;
  while (o < b.length) {
    const rev = readU64(b, o);
    const len = b.readUInt32BE(o + 8);
    out.push({ rev, key: b.subarray(o + 12, o + 12 + len) });
    o += 12 + len;
  }
  return out;
}

// ---- helpers ----

export function u64Buf(n: number): Buffer {
  return revKey(n);
}

export function keyString(key: Buffer): string {
  return key.toString('latin1');
}

export function fromKeyString(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** A copy of `b` in its own memory (for buffers kept long, see encodeKv). */
export function ownCopy(b: Buffer): Buffer {
  const c = Buffer.allocUnsafeSlow(b.length);
  b.copy(c);
  return c;
}
