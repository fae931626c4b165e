// The audit log backend (`--audit-log-path`, "-" = stdout): events as JSON lines, written in
// batches off the request path. Divergence from kube's default blocking mode: when the writer
// falls more than `maxBufferedBytes` behind, events are dropped (and counted in a warning)
// rather than slowing requests down; no size-based rotation (--audit-log-maxsize).
import { createWriteStream, type WriteStream } from 'node:fs';
import { logger } from '../../util/log.js';

const log = logger('audit');

export class AuditLogWriter {
  private queue: string[] = [];
  private scheduled = false;
  private dropped = 0;
  private readonly out: NodeJS.WritableStream;
  private readonly file?: WriteStream;

  constructor(
    path: string,
    private readonly maxBufferedBytes = 64 * 1024 * 1024,
  ) {
    if (path === '-') this.out = process.stdout;
    else this.out = this.file = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.file?.on('error', (e) => log.error({ err: e, path }, 'audit log write failed'));
  }

  write(event: object): void {
    const pending = (this.file?.writableLength ?? (process.stdout.writableLength || 0)) as number;
    if (pending > this.maxBufferedBytes) {
      if (this.dropped++ % 1000 === 0) log.warn({ dropped: this.dropped }, 'audit log backend is behind; dropping events');
      return;
    }
    this.queue.push(JSON.stringify(event) + '\n');
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.queue.length) return;
    const chunk = this.queue.join('');
    this.queue = [];
    this.out.write(chunk);
  }

  async close(): Promise<void> {
    this.flush();
    if (!this.file) return;
    await new Promise<void>((resolve) => this.file!.end(() => resolve()));
  }
}
