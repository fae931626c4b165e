// Reads a bbolt file: picks the newest valid meta page (magic, version, FNV-1a checksum), then
// walks bucket trees in key order with positional reads (one page per tree level in memory),
// inline buckets included. Read-only; nested buckets are reported with `bucket: true`.
import { open, type FileHandle } from 'node:fs/promises';
import {
  BRANCH_PAGE,
  BUCKET_HEADER_SIZE,
  BUCKET_LEAF_FLAG,
  DEFAULT_PAGE_SIZE,
  ELEMENT_SIZE,
  FREELIST_PAGE,
  LEAF_PAGE,
  PAGE_HEADER_SIZE,
  PGID_NO_FREELIST,
  decodeMetaPage,
  readPageHeader,
  type Meta,
} from './page.js';

const READ_AHEAD = 1 << 20;

export interface BoltItem {
  key: Buffer;
  value: Buffer;
  /** The value is a nested bucket (header + maybe an inline page), not plain data. */
  bucket: boolean;
}

export class BoltReader {
  private constructor(
    private fh: FileHandle,
    readonly meta: Meta,
    /** Bytes of the file that belong to the database (a snapshot's trailer excluded). */
    readonly size: number,
  ) {}

  /** Opens `path`; `size` limits the database to the first bytes (e.g. before a trailer). */
  static async open(path: string, opts: { size?: number } = {}): Promise<BoltReader> {
    const fh = await open(path, 'r');
    try {
      const size = opts.size ?? (await fh.stat()).size;
      const first = Buffer.alloc(Math.min(size, DEFAULT_PAGE_SIZE));
      await fh.read(first, 0, first.length, 0);
      const m0 = decodeMetaPage(first);
      const ps = typeof m0 === 'string' ? DEFAULT_PAGE_SIZE : m0.pageSize;
      const second = Buffer.alloc(Math.max(0, Math.min(ps, size - ps)));
      if (second.length) await fh.read(second, 0, second.length, ps);
      const m1 = decodeMetaPage(second);
      const valid = [m0, m1].filter((m): m is Meta => typeof m !== 'string');
      if (!valid.length) throw new Error(`bbolt: ${typeof m0 === 'string' ? m0 : String(m1)}`);
      const meta = valid.reduce((a, b) => (b.txid > a.txid ? b : a));
      if (meta.pgid * BigInt(meta.pageSize) > BigInt(size)) {
        throw new Error(`bbolt: file size ${size} is smaller than its ${meta.pgid} pages of ${meta.pageSize} bytes`);
      }
      return new BoltReader(fh, meta, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Bytes [start, start + buf.length) of the file, read ahead (trees are mostly laid out in order). */
  private window = { start: 0, buf: Buffer.alloc(0) };

  private async bytes(start: number, len: number): Promise<Buffer> {
    const w = this.window;
    if (start >= w.start && start + len <= w.start + w.buf.length) return w.buf.subarray(start - w.start, start - w.start + len);
    const want = Math.min(Math.max(len, READ_AHEAD), this.size - start);
    const buf = Buffer.alloc(want);
    const { bytesRead } = await this.fh.read(buf, 0, want, start);
    if (bytesRead < len) throw new Error(`bbolt: file ends inside the page at offset ${start}`);
    this.window = { start, buf: buf.subarray(0, bytesRead) };
    return buf.subarray(0, len);
  }

  /** A page with its overflow pages (a view into a read-ahead buffer: do not modify). */
  async page(id: bigint): Promise<Buffer> {
    if (id < 2n || id >= this.meta.pgid) throw new Error(`bbolt: page ${id} is out of bounds (${this.meta.pgid} pages)`);
    const ps = this.meta.pageSize;
    const at = Number(id) * ps;
    const h = readPageHeader(await this.bytes(at, PAGE_HEADER_SIZE));
    if (h.id !== id) throw new Error(`bbolt: page ${id} has id ${h.id} in its header`);
    if (id + BigInt(h.overflow) >= this.meta.pgid) throw new Error(`bbolt: page ${id} overflows past the end`);
    return this.bytes(at, (h.overflow + 1) * ps);
  }

  /** Page ids on the freelist ([] when the file does not store one). */
  async freelist(): Promise<bigint[]> {
    if (this.meta.freelist === PGID_NO_FREELIST) return [];
    const p = await this.page(this.meta.freelist);
    const h = readPageHeader(p);
    if (!(h.flags & FREELIST_PAGE)) throw new Error(`bbolt: page ${this.meta.freelist} is not a freelist page`);
    let count = h.count;
    let off = PAGE_HEADER_SIZE;
    if (count === 0xffff) {
      count = Number(p.readBigUInt64LE(off));
      off += 8;
    }
    const ids: bigint[] = [];
    for (let i = 0; i < count; i++) ids.push(p.readBigUInt64LE(off + i * 8));
    return ids;
  }

  /** The top-level buckets' names and values. */
  root(): AsyncGenerator<BoltItem> {
    return this.walk(this.meta.root);
  }

  /** The value a top-level bucket is stored under in the root (undefined when missing). */
  async bucketValue(name: Buffer | string): Promise<Buffer | undefined> {
    const n = typeof name === 'string' ? Buffer.from(name) : name;
    for await (const it of this.root()) {
      const c = Buffer.compare(it.key, n);
      if (c > 0) return undefined;
      if (c === 0) return it.bucket ? it.value : undefined;
    }
    return undefined;
  }

  /** The items of a top-level bucket in key order (nothing when it does not exist). */
  async *bucket(name: Buffer | string): AsyncGenerator<BoltItem> {
    const value = await this.bucketValue(name);
    if (value) yield* this.nested(value);
  }

  /** The last item of a top-level bucket (rightmost path only), or undefined when empty/missing. */
  async last(name: Buffer | string): Promise<BoltItem | undefined> {
    const value = await this.bucketValue(name);
    if (!value) return undefined;
    const root = value.readBigUInt64LE(0);
    let page = root === 0n ? value.subarray(BUCKET_HEADER_SIZE) : await this.page(root);
    for (;;) {
      const h = readPageHeader(page);
      if (!h.count) return undefined;
      if (h.flags & LEAF_PAGE) return leafItems(page)[h.count - 1];
      if (!(h.flags & BRANCH_PAGE)) throw new Error(`bbolt: page ${h.id} is not a branch or leaf page`);
      page = await this.page(page.readBigUInt64LE(PAGE_HEADER_SIZE + (h.count - 1) * ELEMENT_SIZE + 8));
    }
  }

  /** The items of the bucket whose value (as stored in its parent) is `value`. */
  nested(value: Buffer): AsyncGenerator<BoltItem> {
    if (value.length < BUCKET_HEADER_SIZE) throw new Error('bbolt: bucket value is too short');
    const root = value.readBigUInt64LE(0);
    if (root !== 0n) return this.walk(root);
    return this.inline(value.subarray(BUCKET_HEADER_SIZE));
  }

  private async *inline(page: Buffer): AsyncGenerator<BoltItem> {
    yield* leafItems(page);
  }

  private async *walk(pgid: bigint): AsyncGenerator<BoltItem> {
    for await (const items of this.leaves(pgid)) yield* items;
  }

  /** The items of a tree, one leaf page at a time (cheaper than one generator step per item per level). */
  private async *leaves(pgid: bigint): AsyncGenerator<BoltItem[]> {
    const p = await this.page(pgid);
    const h = readPageHeader(p);
    if (h.flags & LEAF_PAGE) {
      yield leafItems(p);
    } else if (h.flags & BRANCH_PAGE) {
      const children: bigint[] = [];
      for (let i = 0; i < h.count; i++) children.push(p.readBigUInt64LE(PAGE_HEADER_SIZE + i * ELEMENT_SIZE + 8));
      for (const c of children) yield* this.leaves(c);
    } else {
      throw new Error(`bbolt: page ${pgid} has flags 0x${h.flags.toString(16)}, not a branch or leaf page`);
    }
  }

  /** Like nested(), one leaf page of items at a time. */
  async *nestedBatches(value: Buffer): AsyncGenerator<BoltItem[]> {
    if (value.length < BUCKET_HEADER_SIZE) throw new Error('bbolt: bucket value is too short');
    const root = value.readBigUInt64LE(0);
    if (root !== 0n) yield* this.leaves(root);
    else yield leafItems(value.subarray(BUCKET_HEADER_SIZE));
  }

  /** Like bucket(), one leaf page of items at a time. */
  async *bucketBatches(name: Buffer | string): AsyncGenerator<BoltItem[]> {
    const value = await this.bucketValue(name);
    if (value) yield* this.nestedBatches(value);
  }
}

function leafItems(p: Buffer): BoltItem[] {
  const h = readPageHeader(p);
  if (!(h.flags & LEAF_PAGE)) throw new Error(`bbolt: inline bucket page has flags 0x${h.flags.toString(16)}`);
  const out: BoltItem[] = [];
  for (let i = 0; i < h.count; i++) {
    const el = PAGE_HEADER_SIZE + i * ELEMENT_SIZE;
    const flags = p.readUInt32LE(el);
    const pos = el + p.readUInt32LE(el + 4);
    const ksize = p.readUInt32LE(el + 8);
    const vsize = p.readUInt32LE(el + 12);
    if (pos + ksize + vsize > p.length) throw new Error('bbolt: leaf element points past its page');
    out.push({
      key: Buffer.from(p.subarray(pos, pos + ksize)),
      value: Buffer.from(p.subarray(pos + ksize, pos + ksize + vsize)),
      bucket: (flags & BUCKET_LEAF_FLAG) !== 0,
    });
  }
  return out;
}
