// The write-ahead log: the durability of every group commit, in segment files under <dataDir>/wal.
//
// A record is appended with one positional write on a descriptor opened O_DSYNC (one syscall and
// one device flush, as etcd's WAL append + fdatasync), so a lone writer pays one sync instead of
// LMDB's two (data pages, then the meta page). Records that arrive while a write is in flight are
// written together by the next write (group commit; no timer, so a lone writer waits for nothing).
//
// Segments are named by a 16-digit hex index and created at SEGMENT_BYTES (sparse); a segment
// is retired when the log moves on to the next one, and once `checkpoint()` (LMDB has flushed
// every write issued so far, which includes all of the segment's records) resolves, its file is
// kept as the spare that the next rotation renames into place (already allocated) or deleted.
// Stale records in a recycled file are never replayed: replay wants consecutive seqs (see
// wal-record.ts).
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, constants, writev } from 'node:fs';
import { join } from 'node:path';
import { scanSegment, type ScannedRecord } from './wal-record.js';

export const WAL_DIR = 'wal';
export const SEGMENT_BYTES = 16 * 1024 * 1024;
const SEGMENT_RE = /^[0-9a-f]{16}\.wal$/;
const SPARE_RE = /^[0-9a-f]{16}\.spare$/;

const segName = (index: number): string => `${index.toString(16).padStart(16, '0')}.wal`;

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a WAL directory holds: segment indexes in order, and spare files. */
function listDir(dir: string): { segments: number[]; spares: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { segments: [], spares: [] };
  }
  return {
    segments: names
      .filter((n) => SEGMENT_RE.test(n))
      .map((n) => parseInt(n.slice(0, 16), 16))
      .sort((a, b) => a - b),
    spares: names.filter((n) => SPARE_RE.test(n)),
  };
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
    const { segments, spares } = listDir(this.dir);
    for (const s of spares.slice(1)) rmSync(join(this.dir, s), { force: true });
    this.spare = spares[0] ?? null;
    this.index = segments.length > 0 ? segments[segments.length - 1] : 0;
    this.startSegment(0);
    this.retire(segments.map(segName));
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
    while (this.writing) await this.writing;
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
        if (this.pos + bytes > this.size) this.rotate(bytes);
        await this.writeAt(bufs, this.pos);
        this.pos += bytes;
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
    if (this.spare) {
      renameSync(join(this.dir, this.spare), path);
      this.spare = null;
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
  }

  /** After the next checkpoint, keep one retired file as the spare and delete the others. */
  private retire(names: string[]): void {
    if (names.length === 0) return;
    this.checkpoint().then(
      () => {
        for (const name of names) {
          const path = join(this.dir, name);
          try {
            if (!this.spare && this.fd >= 0) {
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
