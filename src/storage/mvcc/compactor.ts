// Background compaction: physically removes history rows that no revision at or above the
// compacted revision can read, and log batches wholly below it, in small chunks between other
// work. Progress is persisted ('compactDone'); an interrupted compaction resumes at open.
import type { MvccStore } from './kv-store.js';
import { decodeLog, histKey, histKeyRev, histPrefix, isTombstone, readU64, revKey } from './codec.js';

const CHUNK = 2000;

export class Compactor {
  private target = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private waiters: Array<{ rev: number; resolve: () => void }> = [];
  done = 0;

  constructor(private readonly s: MvccStore) {}

  resume(): void {
    this.done = this.s.be.getMetaNumber('compactDone') ?? 0;
    if (this.s.compactRev > this.done) void this.schedule(this.s.compactRev);
  }

  /** Compact physically up to `rev`; resolves when done (or the store closes). */
  schedule(rev: number): Promise<void> {
    if (rev > this.target) this.target = rev;
    const p = new Promise<void>((resolve) => this.waiters.push({ rev, resolve }));
    if (!this.running) this.running = this.run();
    return p;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.running) await this.running;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && this.done < this.target) {
        const upTo = this.target;
        await this.compactTo(upTo);
        if (this.stopped) break;
        this.done = upTo;
        this.s.be.setMeta('compactDone', revKey(upTo));
        await this.s.be.applied();
        this.waiters = this.waiters.filter((w) => (w.rev <= this.done ? (w.resolve(), false) : true));
      }
    } finally {
      // Cleared in the same turn as the loop's last check, so a racing schedule() starts a new run.
      this.running = null;
    }
  }

  /** Remove rows below `upTo` that are superseded at or below it, and tombstones below it. */
  private async compactTo(upTo: number): Promise<void> {
    const be = this.s.be;
    // The log and history rows up to `upTo` are read from LMDB: wait until it holds them.
    await be.applied();
    let start: Buffer | undefined = undefined;
    for (;;) {
      if (this.stopped) return;
      if (this.s.paused) await this.s.paused;
      let n = 0;
      let reachedEnd = true;
      for (const { key: bk, value } of be.log.getRange(start ? { start } : {})) {
        if (readU64(bk, 0) >= upTo) break;
        let keep = false;
        for (const e of decodeLog(value)) {
          if (e.rev >= upTo) {
            keep = true;
            continue;
          }
          this.compactRow(Buffer.from(e.key), e.rev, upTo);
          n++;
        }
        if (!keep) be.remove(be.log, Buffer.from(bk));
        if (n >= CHUNK) {
          start = Buffer.concat([bk, Buffer.from([0])]);
          reachedEnd = false;
          break;
        }
      }
      await be.applied(); // the next chunk reads LMDB after these removals
      if (reachedEnd) return;
    }
  }

  /** Remove the row (key, rev) if a newer row <= upTo exists, or if it is the newest and a tombstone. */
  private compactRow(key: Buffer, rev: number, upTo: number): void {
    const be = this.s.be;
    const p = histPrefix(key);
    let newest = 0;
    let newestIsTomb = false;
    for (const { key: hk, value: rec } of be.hist.getRange({
      start: Buffer.concat([p, revKey(upTo)]),
      end: Buffer.concat([p, Buffer.alloc(8, 0)]),
      reverse: true,
      limit: 1,
    })) {
      newest = histKeyRev(hk);
      newestIsTomb = isTombstone(rec);
    }
    if (newest > rev || (newest === rev && newestIsTomb)) be.remove(be.hist, histKey(key, rev));
  }
}
