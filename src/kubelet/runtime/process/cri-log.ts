// Writes a stream as a CRI-format container log (what `kubectl logs` reads from a kubelet):
// one line per output line, `<rfc3339nano> <stdout|stderr> <F|P> <text>`; F ends a line, P is a
// partial line (a line longer than maxLine, or the unterminated end of the stream is F).
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';

const maxLine = 16 * 1024;
const hrBase = process.hrtime.bigint();
const msBase = BigInt(Date.now()) * 1_000_000n;

/** An RFC 3339 timestamp with nanoseconds, e.g. 2026-11-22T20:45:26.123456789Z. */
export function rfc3339Nano(): string {
  const ns = msBase + (process.hrtime.bigint() - hrBase);
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

export class CriLogWriter {
  private readonly out: WriteStream;
  private open = 0;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
  }

  /** Copy a stream into the log; resolves when it ended. */
  pipe(stream: Readable, name: 'stdout' | 'stderr'): Promise<void> {
    this.open++;
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.out.write(`${rfc3339Nano()} ${name} F ${buf.slice(0, nl)}\n`);
        buf = buf.slice(nl + 1);
      }
      while (buf.length > maxLine) {
        this.out.write(`${rfc3339Nano()} ${name} P ${buf.slice(0, maxLine)}\n`);
        buf = buf.slice(maxLine);
      }
    });
    return new Promise((resolve) => {
      const end = () => {
        if (buf) this.out.write(`${rfc3339Nano()} ${name} F ${buf}\n`);
        buf = '';
        resolve();
      };
      stream.once('end', end);
      stream.once('error', end);
    });
  }

  close(): Promise<void> {
    return new Promise((r) => this.out.end(r));
  }
}
