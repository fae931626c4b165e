// bbolt's on-disk page format (version 2), the parts a reader and a writer of whole files need.
//
// Every page starts with a 16-byte header: id (u64), flags (u16), count (u16), overflow (u32,
// the number of extra pages that follow a page too big for one). Pages 0 and 1 hold the meta
// (the newer valid one by txid wins); branch pages hold {pos u32, ksize u32, pgid u64} elements,
// leaf pages {flags u32, pos u32, ksize u32, vsize u32} elements, each pos counted from the
// element's own header; a freelist page holds sorted u64 page ids (count 0xFFFF: the real count
// is the first u64). A bucket's value is {root pgid u64, sequence u64}, followed by an inline
// leaf page when root is 0. All integers are little-endian (bbolt writes native order on amd64).

export const MAGIC = 0xed0cdaed;
export const VERSION = 2;
export const PAGE_HEADER_SIZE = 16;
export const ELEMENT_SIZE = 16; // branch and leaf element headers are both 16 bytes
export const BUCKET_HEADER_SIZE = 16;
export const META_SIZE = 64;
export const DEFAULT_PAGE_SIZE = 4096;

export const BRANCH_PAGE = 0x01;
export const LEAF_PAGE = 0x02;
export const META_PAGE = 0x04;
export const FREELIST_PAGE = 0x10;
/** Leaf element flag: the value is a nested bucket. */
export const BUCKET_LEAF_FLAG = 0x01;
/** meta.freelist when the freelist is not stored (bbolt's NoFreelistSync). */
export const PGID_NO_FREELIST = 0xffffffffffffffffn;

export interface PageHeader {
  id: bigint;
  flags: number;
  count: number;
  overflow: number;
}

export function readPageHeader(buf: Buffer, off = 0): PageHeader {
  return {
    id: buf.readBigUInt64LE(off),
    flags: buf.readUInt16LE(off + 8),
    count: buf.readUInt16LE(off + 10),
    overflow: buf.readUInt32LE(off + 12),
  };
}

export function writePageHeader(buf: Buffer, h: PageHeader, off = 0): void {
  buf.writeBigUInt64LE(h.id, off);
  buf.writeUInt16LE(h.flags, off + 8);
  buf.writeUInt16LE(h.count, off + 10);
  buf.writeUInt32LE(h.overflow, off + 12);
}

export interface Meta {
  pageSize: number;
  flags: number;
  root: bigint;
  sequence: bigint;
  freelist: bigint;
  /** High-water mark: the number of pages in the file. */
  pgid: bigint;
  txid: bigint;
}

/** FNV-1a, 64 bit (bbolt's meta checksum, over the meta bytes before the checksum field). */
export function fnv1a64(buf: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of buf) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** A whole meta page (page header + meta + checksum), pageSize bytes. */
export function encodeMetaPage(id: number, m: Meta): Buffer {
  const page = Buffer.alloc(m.pageSize);
  writePageHeader(page, { id: BigInt(id), flags: META_PAGE, count: 0, overflow: 0 });
  const o = PAGE_HEADER_SIZE;
  page.writeUInt32LE(MAGIC, o);
  page.writeUInt32LE(VERSION, o + 4);
  page.writeUInt32LE(m.pageSize, o + 8);
  page.writeUInt32LE(m.flags, o + 12);
  page.writeBigUInt64LE(m.root, o + 16);
  page.writeBigUInt64LE(m.sequence, o + 24);
  page.writeBigUInt64LE(m.freelist, o + 32);
  page.writeBigUInt64LE(m.pgid, o + 40);
  page.writeBigUInt64LE(m.txid, o + 48);
  page.writeBigUInt64LE(fnv1a64(page.subarray(o, o + 56)), o + 56);
  return page;
}

/** The meta stored in a page, or the reason it is not a valid one. */
export function decodeMetaPage(page: Buffer): Meta | string {
  if (page.length < PAGE_HEADER_SIZE + META_SIZE) return 'file is too small for a meta page';
  const o = PAGE_HEADER_SIZE;
  if (page.readUInt32LE(o) !== MAGIC) return 'invalid database';
  if (page.readUInt32LE(o + 4) !== VERSION) return 'version mismatch';
  if (fnv1a64(page.subarray(o, o + 56)) !== page.readBigUInt64LE(o + 56)) return 'checksum error';
  return {
    pageSize: page.readUInt32LE(o + 8),
    flags: page.readUInt32LE(o + 12),
    root: page.readBigUInt64LE(o + 16),
    sequence: page.readBigUInt64LE(o + 24),
    freelist: page.readBigUInt64LE(o + 32),
    pgid: page.readBigUInt64LE(o + 40),
    txid: page.readBigUInt64LE(o + 48),
  };
}
