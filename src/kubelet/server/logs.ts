// Container logs as the kubelet serves them (GET /containerLogs/{ns}/{pod}/{container}): read
// the CRI-format log file the runtime writes (`<rfc3339nano> <stdout|stderr> <F|P> <text>`),
// join partial (P) records, strip the CRI prefix (or keep the timestamp with `timestamps`),
// apply sinceSeconds/sinceTime, tailLines and limitBytes, and with `follow` keep reading the file
// while the container runs (kuberuntime's ReadLogs, polling instead of inotify).
import { open, stat } from 'node:fs/promises';

export interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Only records at or after this time (epoch ms): sinceSeconds / sinceTime. */
  sinceMs?: number;
}

export interface LogSink {
  write(chunk: string): boolean | void;
  /** True once the client went away. */
  readonly closed: boolean;
}

interface Rec {
  ts: string;
  full: boolean;
  text: string;
}

function parse(line: string): Rec | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
  if (c < 0) {
    // `<ts> <stream> F` with an empty text has no trailing space after the tag.
    if (b > 0 && (line.slice(b + 1) === 'F' || line.slice(b + 1) === 'P')) return { ts: line.slice(0, a), full: line.slice(b + 1) === 'F', text: '' };
    return undefined;
  }
  return { ts: line.slice(0, a), full: line.slice(b + 1, c) === 'F', text: line.slice(c + 1) };
}

/** Turns CRI records into output lines (partial records joined). */
class Formatter {
  private pending?: { ts: string; text: string };
  constructor(private readonly o: LogOptions) {}

  /** Complete output lines from the given raw file lines. */
  push(lines: string[]): string[] {
    const out: string[] = [];
    for (const l of lines) {
      const r = parse(l);
      if (!r) continue;
      if (this.o.sinceMs !== undefined && Date.parse(r.ts) < this.o.sinceMs) continue;
      const p = (this.pending ??= { ts: r.ts, text: '' });
      p.text += r.text;
      if (r.full) {
        out.push(`${this.o.timestamps ? `${p.ts} ` : ''}${p.text}\n`);
        this.pending = undefined;
      }
    }
    return out;
  }
}

/** Streams one log file to `sink`. With follow, keeps going while `running()` is true. */
export async function streamLog(path: string | undefined, o: LogOptions, sink: LogSink, running: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  const fmt = new Formatter(o);
  let budget = o.limitBytes ?? Infinity;
  let offset = 0;
  let rest = '';
  const emit = (lines: string[]): boolean => {
    for (const l of lines) {
      if (budget <= 0) return false;
      const b = Buffer.byteLength(l);
      if (b > budget) {
        sink.write(Buffer.from(l).subarray(0, budget).toString('utf8'));
        budget = 0;
        return false;
      }
      budget -= b;
      sink.write(l);
    }
    return budget > 0;
  };
  const readMore = async (): Promise<string[]> => {
    if (!path) return [];
    const st = await stat(path).catch(() => undefined);
    if (!st || st.size <= offset) return [];
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(st.size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = rest + buf.subarray(0, bytesRead).toString('utf8');
      const nl = text.lastIndexOf('\n');
      rest = text.slice(nl + 1);
      return nl < 0 ? [] : text.slice(0, nl).split('\n');
    } finally {
      await fh.close();
    }
  };
  let first = fmt.push(await readMore());
  if (o.tailLines !== undefined) first = o.tailLines <= 0 ? [] : first.slice(-o.tailLines);
  if (!emit(first) || !o.follow) return;
  while (!signal.aborted && !sink.closed) {
    const alive = await running();
    if (!emit(fmt.push(await readMore()))) return;
    if (!alive) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
