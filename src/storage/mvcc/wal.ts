// The write-ahead log: the durability of every group commit, in segment files under <dataDir>/wal.
//
// A record is appended with one positional write on a descriptor opened O_DSYNC (one syscall and
// one device flush, as etcd's WAL append + fdatasync), so a lone writer pays one sync instead of
// LMDB's two (data pages, then the meta page). Records that arrive while a write is in flight are
// written together by the next write (group commit; no timer, so a lone writer waits for nothing).
//
// Segments are named by a 16-digit hex index and hold SEGMENT_BYTES; a segment is retired when
// the log moves on to the next one, and once `checkpoint()` (LMDB has flushed every write issued
// so far, which includes all of the segment's records) resolves, its file is kept as the spare
// that the next rotation renames into place, or deleted. Stale records in a recycled file are
// never replayed: replay wants consecutive seqs (see wal-record.ts).
//
// A synchronous write into blocks the file does not have yet also waits for the filesystem to
// allocate them and journal that (here about twice as long as a write into allocated blocks), so
// records go to allocated files: a spare is kept only if its blocks are allocated, and when there
// is none a zero-filled one is prepared in the background (<name>.spare.tmp, renamed when
// complete) once a sparse segment is 1/16 used or an allocated one half used. Only when no spare
// is ready does a segment start as a sparse file, and the log moves on from such a segment as
// soon as a spare is ready.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, constants, writev } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { scanSegment, type ScannedRecord } from './wal-record.js';

export const WAL_DIR = 'wal';
export const SEGMENT_BYTES = 16 * 1024 * 1024;
const SEGMENT_RE = /^[0-9a-f]{16}\.wal$/;
const SPARE_RE = /^[0-9a-f]{16}\.spare$/;
const TMP_RE = /^[0-9a-f]{16}\.spare\.tmp$/;
/** A segment file counts as allocated with at least this share of its bytes in blocks. */
const ALLOCATED_SHARE = 0.9;
const ZERO_CHUNK = 1024 * 1024;

const segName = (index: number): string => `${index.toString(16).padStart(16, '0')}.wal`;

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a WAL directory holds: segment indexes in order, spare files, unfinished spares. */
function listDir(dir: string): { segments: number[]; spares: string[]; tmps: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { segments: [], spares: [], tmps: [] };
  }
  return {
    segments: names
      .filter((n) => SEGMENT_RE.test(n))
      .map((n) => parseInt(n.slice(0, 16), 16))
      .sort((a, b) => a - b),
    spares: names.filter((n) => SPARE_RE.test(n)),
    tmps: names.filter((n) => TMP_RE.test(n)),
  };
}

/** Whether the file at `path` has blocks for (nearly) all of its `size` bytes. */
function isAllocated(path: string, size: number): boolean {
  try {
    return statSync(path).blocks * 512 >= size * ALLOCATED_SHARE;
  } catch {
    return false;
  }
}

/** True if `dataDir` holds WAL segments (a data dir in use). */
export function hasWal(dataDir: string): boolean {
  return listDir(join(dataDir, WAL_DIR)).segments.length > 0;
}

/**
 * The records to replay: those with seq > `after`, consecutive, across the segments in order.
 * Records at or below `after` are already in LMDB and skipped; a gap ends the log.
 */
export function readWal(dataDir: string, after: number): ScannedRecord[] {
  const dir = join(dataDir, WAL_DIR);
  const out: ScannedRecord[] = [];
  let expected = after + 1;
  for (const index of listDir(dir).segments) {
    const data = readFileSync(join(dir, segName(index)));
    for (const r of scanSegment(data)) {
      if (r.seq < expected) continue;
      if (r.seq > expected) return out;
      // Copy out of the segment's buffer so the whole file is not kept alive.
      out.push({ seq: r.seq, payload: Buffer.from(r.payload) });
      expected++;
    }
  }
  return out;
}

export class Wal {
  private readonly dir: string;
  private fd = -1;
  private index = 0;
  private pos = 0;
  private size = 0;
  private spare: string | null = null;
  /** Whether the current segment's blocks are allocated (false: created sparse). */
  private allocated = false;
  /** A spare being zero-filled in the background. */
  private preparing: Promise<void> | null = null;
  private closed = false;
  private queue: Buffer[] = [];
  private queueBytes = 0;
  private waiters: Array<(err?: Error) => void> = [];
  private writing: Promise<void> | null = null;
  /** Set when a write failed: every later append fails. */
  failed: Error | null = null;

  /**
   * @param checkpoint resolves once every LMDB write issued so far is on disk; a retired
   *   segment's file is reused or deleted only after it.
   */
  constructor(
    dataDir: string,
    private readonly checkpoint: () => Promise<unknown>,
    private readonly segmentBytes = SEGMENT_BYTES,
  ) {
    this.dir = join(dataDir, WAL_DIR);
  }

  /** Start a new segment after the existing ones (whose records were replayed); retire those. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    const { segments, spares, tmps } = listDir(this.dir);
    for (const t of tmps) rmSync(join(this.dir, t), { force: true });
    const usable = spares.filter((s) => isAllocated(join(this.dir, s), this.segmentBytes));
    for (const s of spares) if (s !== usable[0]) rmSync(join(this.dir, s), { force: true });
    this.spare = usable[0] ?? null;
    this.index = segments.length > 0 ? segments[segments.length - 1] : 0;
    this.startSegment(0);
    this.retire(segments.map(segName));
  }

  /** True while a zero-filled spare is being prepared (tests wait for it). */
  get preparingSpare(): Promise<void> | null {
    return this.preparing;
  }

  /** Append a framed record; resolves once it is on disk. */
  append(record: Buffer): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.queue.push(record);
      this.queueBytes += record.length;
      this.waiters.push((err) => (err ? reject(err) : resolve()));
      if (!this.writing) this.writing = this.pump();
    });
  }

  /** Wait for queued appends, then close the segment (the files stay for the next open). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
    if (this.preparing) await this.preparing;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const bufs = this.queue;
      const bytes = this.queueBytes;
      const waiters = this.waiters;
      this.queue = [];
      this.queueBytes = 0;
      this.waiters = [];
      let err: Error | undefined;
      try {
        if (this.failed) throw this.failed;
        // Full, or a sparse segment while an allocated spare is ready: move on.
        if (this.pos + bytes > this.size || (!this.allocated && this.spare)) this.rotate(bytes);
        await this.writeAt(bufs, this.pos);
        this.pos += bytes;
        // A log in use (not a store opened for a moment) gets its next file ready: soon if it writes
        // to a sparse segment, else only if the segment it left has not come back as the spare
        // by half-way through this one (checkpoints lagging).
        if (this.pos >= this.segmentBytes / (this.allocated ? 2 : 16)) this.prepareSpare();
      } catch (e) {
        err = e as Error;
        this.failed ??= err;
      }
      for (const w of waiters) w(err);
    }
    this.writing = null;
  }

  private writeAt(bufs: Buffer[], pos: number): Promise<void> {
    return new Promise((resolve, reject) =>
      writev(this.fd, bufs, pos, (err) => {
        if (err) reject(err);
        else resolve();
      }),
    );
  }

  /** Move to a new segment with room for `need` bytes and retire the current one. */
  private rotate(need: number): void {
    const old = segName(this.index);
    closeSync(this.fd);
    this.fd = -1;
    this.startSegment(need);
    this.retire([old]);
  }

  private startSegment(need: number): void {
    this.index++;
    const path = join(this.dir, segName(this.index));
    this.allocated = false;
    if (this.spare) {
      renameSync(join(this.dir, this.spare), path);
      this.spare = null;
      this.allocated = true;
    }
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC, 0o600);
    const size = Math.max(this.segmentBytes, need);
    try {
      // Grow only (a recycled segment keeps its allocated blocks); the new size is made durable
      // with the directory entry before any record relies on it.
      ftruncateSync(fd, size);
      fsyncSync(fd);
      fsyncDir(this.dir);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
    this.pos = 0;
    this.size = size;
    if (size > this.segmentBytes) this.allocated = false;
  }

  /** Without a spare, zero-fill one in the background (renamed into place once complete). */
  private prepareSpare(): void {
    if (this.spare || this.preparing || this.closed || this.fd < 0) return;
    const name = segName(this.index).replace(/\.wal$/, '.spare');
    const tmp = join(this.dir, `${name}.tmp`);
    const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, this.segmentBytes));
    const fill = async (): Promise<void> => {
      const fh = await fsp.open(tmp, 'w', 0o600);
      try {
        for (let at = 0; at < this.segmentBytes && !this.closed; at += zeros.length) {
          await fh.write(zeros, 0, Math.min(zeros.length, this.segmentBytes - at), at);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (this.closed || this.spare) {
        await fsp.rm(tmp, { force: true });
        return;
      }
      await fsp.rename(tmp, join(this.dir, name));
      this.spare = name;
    };
    this.preparing = fill().then(
      () => {
        this.preparing = null;
      },
      () => {
        // No spare this time (disk full, closed...): segments start sparse, as without one.
        this.preparing = null;
        void fsp.rm(tmp, { force: true }).catch(() => undefined);
      },
    );
  }

  /** After the next checkpoint, keep one retired file as the spare and delete the others. */
  private retire(names: string[]): void {
    if (names.length === 0) return;
    this.checkpoint().then(
      () => {
        for (const name of names) {
          const path = join(this.dir, name);
          try {
            if (!this.spare && this.fd >= 0 && isAllocated(path, this.segmentBytes)) {
              const spare = name.replace(/\.wal$/, '.spare');
              renameSync(path, join(this.dir, spare));
              this.spare = spare;
            } else rmSync(path, { force: true });
          } catch {
            // left for the next open, which skips its records (they are in LMDB)
          }
        }
      },
      () => undefined, // LMDB closed or failed: the files stay and are skipped on the next open
    );
  }
}
