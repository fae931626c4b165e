// Builds a bbolt file (the format etcd's backend and snapshots use) from top-level buckets whose
// entries arrive sorted, streaming: B+tree pages are written bottom-up as entries come (leaves
// packed full, a value too big for a page gets overflow pages), so memory stays at one page per
// tree level whatever the size of a bucket. Small buckets are stored inline in their parent, like
// bbolt does. Pages 0 and 1 (the metas) are written last; every page is reachable or on the
// (empty) freelist, so `bbolt check` / `etcdctl snapshot status` find the file consistent.
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
  encodeMetaPage,
  writePageHeader,
} from './page.js';

export interface BoltEntry {
  key: Buffer;
  value: Buffer;
}

export interface BoltBucket {
  name: Buffer;
  /** Entries in strictly ascending key order (Buffer.compare). */
  entries: Iterable<BoltEntry> | AsyncIterable<BoltEntry>;
}

export interface BoltWriteOptions {
  pageSize?: number;
  /** The txid of meta page 0 (page 1 gets txid-1, as bbolt's Tx.WriteTo does). */
  txid?: bigint;
}

interface LeafItem extends BoltEntry {
  flags: number;
}

const FLUSH_BYTES = 1 << 20;

/** Appends pages from page 2 on, in 1 MiB writes. */
class PageSink {
  next = 2n;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pos: number;
  constructor(
    private fh: FileHandle,
    readonly pageSize: number,
  ) {
    this.pos = 2 * pageSize;
  }

  /** Writes a page (header id filled in here), padded to whole pages; returns its id. */
  async add(page: Buffer): Promise<bigint> {
    const pages = Math.max(1, Math.ceil(page.length / this.pageSize));
    const id = this.next;
    this.next += BigInt(pages);
    page.writeBigUInt64LE(id, 0);
    page.writeUInt32LE(pages - 1, 12);
    this.pending.push(page);
    const pad = pages * this.pageSize - page.length;
    if (pad) this.pending.push(Buffer.alloc(pad));
    this.pendingBytes += pages * this.pageSize;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
    return id;
  }

  async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.fh.write(buf, 0, buf.length, this.pos);
    this.pos += buf.length;
  }
}

function leafSize(items: LeafItem[]): number {
  let n = PAGE_HEADER_SIZE;
  for (const it of items) n += ELEMENT_SIZE + it.key.length + it.value.length;
  return n;
}

/** A leaf page's bytes (id and overflow left 0 for the sink / inline use). */
function encodeLeaf(items: LeafItem[]): Buffer {
  const page = Buffer.alloc(leafSize(items));
  writePageHeader(page, { id: 0n, flags: LEAF_PAGE, count: items.length, overflow: 0 });
  let data = PAGE_HEADER_SIZE + items.length * ELEMENT_SIZE;
  items.forEach((it, i) => {
    const el = PAGE_HEADER_SIZE + i * ELEMENT_SIZE;
    page.writeUInt32LE(it.flags, el);
    page.writeUInt32LE(data - el, el + 4);
    page.writeUInt32LE(it.key.length, el + 8);
    page.writeUInt32LE(it.value.length, el + 12);
    it.key.copy(page, data);
    it.value.copy(page, data + it.key.length);
    data += it.key.length + it.value.length;
  });
  return page;
}

interface BranchItem {
  key: Buffer;
  pgid: bigint;
}

function encodeBranch(items: BranchItem[]): Buffer {
  let size = PAGE_HEADER_SIZE;
  for (const it of items) size += ELEMENT_SIZE + it.key.length;
  const page = Buffer.alloc(size);
  writePageHeader(page, { id: 0n, flags: BRANCH_PAGE, count: items.length, overflow: 0 });
  let data = PAGE_HEADER_SIZE + items.length * ELEMENT_SIZE;
  items.forEach((it, i) => {
    const el = PAGE_HEADER_SIZE + i * ELEMENT_SIZE;
    page.writeUInt32LE(data - el, el);
    page.writeUInt32LE(it.key.length, el + 4);
    page.writeBigUInt64LE(it.pgid, el + 8);
    it.key.copy(page, data);
    data += it.key.length;
  });
  return page;
}

/** One bucket's tree, built bottom-up. */
class TreeBuilder {
  private leaf: LeafItem[] = [];
  private leafBytes = PAGE_HEADER_SIZE;
  private levels: { items: BranchItem[]; bytes: number }[] = [];
  private last: Buffer | undefined;
  private wroteLeaf = false;

  constructor(
    private sink: PageSink,
    private what: string,
  ) {}

  /** Adds an entry; returns a promise only when a page had to be written first (await it then). */
  add(item: LeafItem): Promise<void> | undefined {
    if (this.last && Buffer.compare(this.last, item.key) >= 0) {
      throw new Error(`bbolt writer: keys of ${this.what} are not in strictly ascending order at ${JSON.stringify(item.key.toString('latin1'))}`);
    }
    this.last = item.key;
    const size = ELEMENT_SIZE + item.key.length + item.value.length;
    if (this.leaf.length && this.leafBytes + size > this.sink.pageSize) {
      return this.flushLeaf().then(() => this.push(item, size));
    }
    this.push(item, size);
    return undefined;
  }

  private push(item: LeafItem, size: number): void {
    this.leaf.push(item);
    this.leafBytes += size;
  }

  /** Entries held while the bucket may still be inlined. */
  get pendingLeaf(): LeafItem[] {
    return this.wroteLeaf ? [] : this.leaf;
  }

  get spilled(): boolean {
    return this.wroteLeaf;
  }

  private async flushLeaf(): Promise<void> {
    const first = this.leaf[0]!.key;
    const pgid = await this.sink.add(encodeLeaf(this.leaf));
    this.wroteLeaf = true;
    this.leaf = [];
    this.leafBytes = PAGE_HEADER_SIZE;
    await this.addBranch(0, { key: first, pgid });
  }

  private async addBranch(level: number, item: BranchItem): Promise<void> {
    const lv = (this.levels[level] ??= { items: [], bytes: PAGE_HEADER_SIZE });
    const size = ELEMENT_SIZE + item.key.length;
    if (lv.items.length >= 2 && lv.bytes + size > this.sink.pageSize) {
      await this.flushBranch(level);
    }
    lv.items.push(item);
    lv.bytes += size;
  }

  private async flushBranch(level: number): Promise<void> {
    const lv = this.levels[level]!;
    const first = lv.items[0]!.key;
    const pgid = await this.sink.add(encodeBranch(lv.items));
    lv.items = [];
    lv.bytes = PAGE_HEADER_SIZE;
    await this.addBranch(level + 1, { key: first, pgid });
  }

  /** Writes what is left; returns the root page id. */
  async finish(): Promise<bigint> {
    if (this.leaf.length || !this.wroteLeaf) {
      const first = this.leaf[0]?.key ?? Buffer.alloc(0);
      const pgid = await this.sink.add(encodeLeaf(this.leaf));
      this.wroteLeaf = true;
      this.leaf = [];
      await this.addBranch(0, { key: first, pgid });
    }
    for (let level = 0; ; level++) {
      const lv = this.levels[level]!;
      const top = level === this.levels.length - 1;
      if (top && lv.items.length === 1) return lv.items[0]!.pgid;
      await this.flushBranch(level);
    }
  }
}

/** The value stored under a bucket's name in its parent: header, plus the page when inline. */
function bucketValue(root: bigint, inline?: Buffer): Buffer {
  const v = Buffer.alloc(BUCKET_HEADER_SIZE + (inline?.length ?? 0));
  v.writeBigUInt64LE(root, 0);
  v.writeBigUInt64LE(0n, 8);
  inline?.copy(v, BUCKET_HEADER_SIZE);
  return v;
}

async function writeBucket(sink: PageSink, b: BoltBucket): Promise<Buffer> {
  const what = `bucket ${JSON.stringify(b.name.toString('latin1'))}`;
  const tree = new TreeBuilder(sink, what);
  const inlineMax = sink.pageSize / 4;
  let inlineBytes = PAGE_HEADER_SIZE;
  let inlineable = true;
  const add = (e: BoltEntry): Promise<void> | undefined => {
    const p = tree.add({ key: e.key, value: e.value, flags: 0 });
    if (inlineable) {
      inlineBytes += ELEMENT_SIZE + e.key.length + e.value.length;
      if (inlineBytes > inlineMax || tree.spilled) inlineable = false;
    }
    return p;
  };
  // A sync iterable is read without a microtask per entry.
  if (Symbol.iterator in b.entries) {
    for (const e of b.entries) {
      const p = add(e);
      if (p) await p;
    }
  } else {
    for await (const e of b.entries) {
      const p = add(e);
      if (p) await p;
    }
  }
  if (inlineable) return bucketValue(0n, encodeLeaf(tree.pendingLeaf));
  return bucketValue(await tree.finish());
}

/**
 * Writes a bbolt file at `path` (created or truncated) holding `buckets` (top-level buckets of
 * plain key/values; they are written in name order whatever the array order, each iterable read
 * once). Returns the file size.
 */
export async function writeBoltFile(path: string, buckets: BoltBucket[], opts: BoltWriteOptions = {}): Promise<number> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const txid = opts.txid ?? 2n;
  const sorted = [...buckets].sort((a, b) => Buffer.compare(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1]!.name.equals(sorted[i]!.name)) throw new Error(`bbolt writer: bucket ${JSON.stringify(sorted[i]!.name.toString())} given twice`);
  }
  const fh = await open(path, 'w');
  try {
    const sink = new PageSink(fh, pageSize);
    const root = new TreeBuilder(sink, 'the root bucket');
    for (const b of sorted) {
      const value = await writeBucket(sink, b);
      await root.add({ key: b.name, value, flags: BUCKET_LEAF_FLAG });
    }
    const rootPgid = await root.finish();
    const freelistPage = Buffer.alloc(PAGE_HEADER_SIZE);
    writePageHeader(freelistPage, { id: 0n, flags: FREELIST_PAGE, count: 0, overflow: 0 });
    const freelist = await sink.add(freelistPage);
    await sink.flush();
    const meta = { pageSize, flags: 0, root: rootPgid, sequence: 0n, freelist, pgid: sink.next };
    await fh.write(encodeMetaPage(0, { ...meta, txid }), 0, pageSize, 0);
    await fh.write(encodeMetaPage(1, { ...meta, txid: txid - 1n }), 0, pageSize, pageSize);
    await fh.sync();
    return Number(sink.next) * pageSize;
  } catch (err) {
    // A half-written file must not pass for a database.
    await fh.truncate(0).catch(() => undefined);
    throw err;
  } finally {
    await fh.close();
  }
}
