// The audit log file with kube's rotation (lumberjack, which kube-apiserver's log backend uses):
// when a write would take the file past --audit-log-maxsize megabytes (0 = lumberjack's default
// of 100 MB) the file is renamed to `<name>-<UTC 2006-01-02T15-04-05.000><ext>` and a new one
// started; then rotated files beyond --audit-log-maxbackup (0 = keep all) and older than
// --audit-log-maxage days (0 = forever) are removed. Pending writes still land in the renamed
// file (the stream keeps its descriptor), so nothing is lost across a rotation.
import { createWriteStream, openSync, readdirSync, renameSync, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface RotationOptions {
  maxSizeMB?: number;
  maxBackups?: number;
  maxAgeDays?: number;
  /** Injectable clock for the backup names and the age cut-off. */
  now?: () => Date;
}

const megabyte = 1024 * 1024;

/** `2006-01-02T15-04-05.000` in UTC, lumberjack's backup time format. */
export function backupTimestamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

function parseBackupTimestamp(s: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)\.(\d{3})$/.exec(s);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(t) ? undefined : t;
}

export class RotatingFile {
  private stream: WriteStream;
  private size: number;
  private readonly max: number;
  private readonly now: () => Date;

  constructor(
    readonly path: string,
    private readonly opts: RotationOptions = {},
    private readonly onError: (e: Error) => void = () => {},
  ) {
    this.max = (opts.maxSizeMB || 100) * megabyte;
    this.now = opts.now ?? (() => new Date());
    try {
      this.size = statSync(path).size;
    } catch {
      this.size = 0;
    }
    this.stream = this.open();
  }

  private open(): WriteStream {
    // Opened at once (not by the stream, later): a rotation right after must find the file.
    const s = createWriteStream(this.path, { fd: openSync(this.path, 'a', 0o600) });
    s.on('error', this.onError);
    return s;
  }

  /** Bytes waiting to reach the file. */
  get pending(): number {
    return this.stream.writableLength;
  }

  /** Append whole lines; rotates between lines when the next one would pass the size limit. */
  write(lines: string[]): void {
    let batch = '';
    for (const line of lines) {
      const n = Buffer.byteLength(line);
      if (this.size + n > this.max && this.size > 0) {
        if (batch) this.stream.write(batch);
        batch = '';
        this.rotate();
      }
      batch += line;
      this.size += n;
    }
    if (batch) this.stream.write(batch);
  }

  private rotate(): void {
    const ext = extname(this.path);
    const prefix = basename(this.path, ext);
    const backup = join(dirname(this.path), `${prefix}-${backupTimestamp(this.now())}${ext}`);
    try {
      renameSync(this.path, backup);
    } catch (e) {
      this.onError(e as Error);
    }
    this.stream.end();
    this.stream = this.open();
    this.size = 0;
    this.prune(prefix, ext);
  }

  /** Remove the backups beyond maxBackups (newest kept) and those older than maxAgeDays. */
  private prune(prefix: string, ext: string): void {
    const { maxBackups = 0, maxAgeDays = 0 } = this.opts;
    if (!maxBackups && !maxAgeDays) return;
    const dir = dirname(this.path);
    const backups: Array<{ name: string; t: number }> = [];
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${prefix}-`) || !name.endsWith(ext)) continue;
      const t = parseBackupTimestamp(name.slice(prefix.length + 1, name.length - ext.length));
      if (t !== undefined) backups.push({ name, t });
    }
    backups.sort((a, b) => b.t - a.t);
    const cutoff = this.now().getTime() - maxAgeDays * 24 * 3600 * 1000;
    backups.forEach((b, i) => {
      if ((maxBackups && i >= maxBackups) || (maxAgeDays && b.t < cutoff)) {
        try {
          unlinkSync(join(dir, b.name));
        } catch (e) {
          this.onError(e as Error);
        }
      }
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
