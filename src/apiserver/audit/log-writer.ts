// The audit log backend (`--audit-log-path`, "-" = stdout): events as JSON lines (or kube's
// legacy text lines, `--audit-log-format=legacy`), written in batches off the request path, to a
// file rotated as kube's (log-rotation.ts). Divergence from kube's default blocking mode: when
// the writer falls more than `maxBufferedBytes` behind, events are dropped (and counted in a
// warning) rather than slowing requests down.
import { logger } from '../../util/log.js';
import { RotatingFile, type RotationOptions } from './log-rotation.js';
import { legacyLine } from './legacy-format.js';

const log = logger('audit');

export interface AuditLogOptions extends RotationOptions {
  format?: 'json' | 'legacy';
  maxBufferedBytes?: number;
}

export class AuditLogWriter {
  private queue: string[] = [];
  private scheduled = false;
  private dropped = 0;
  private readonly file?: RotatingFile;
  private readonly maxBufferedBytes: number;
  private readonly line: (event: object) => string;

  constructor(path: string, opts: AuditLogOptions = {}) {
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.line = opts.format === 'legacy' ? (e) => legacyLine(e) + '\n' : (e) => JSON.stringify(e) + '\n';
    if (path !== '-') this.file = new RotatingFile(path, opts, (e) => log.error({ err: e, path }, 'audit log write failed'));
  }

  write(event: object): void {
    const pending = this.file ? this.file.pending : process.stdout.writableLength || 0;
    if (pending > this.maxBufferedBytes) {
      if (this.dropped++ % 1000 === 0) log.warn({ dropped: this.dropped }, 'audit log backend is behind; dropping events');
      return;
    }
    this.queue.push(this.line(event));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.queue.length) return;
    const lines = this.queue;
    this.queue = [];
    if (this.file) this.file.write(lines);
    else process.stdout.write(lines.join(''));
  }

  async close(): Promise<void> {
    this.flush();
    await this.file?.close();
  }
}
