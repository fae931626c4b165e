// Splits a streamed request body into its JSON values, as Go's json.Decoder reads the body of a
// gateway stream (/v3/watch, /v3/lease/keepalive): objects one after another, with or without
// whitespace between them, each handed over as soon as it is complete.

export class JsonValueSplitter {
  private buf = '';
  /** Scan position in buf, nesting depth, and string state of the value being read. */
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  constructor(private readonly sink: (text: string) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    for (; this.pos < this.buf.length; this.pos++) {
      const c = this.buf[this.pos];
      if (this.start < 0) {
        if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
        this.start = this.pos;
        if (c !== '{' && c !== '[') {
          // A scalar at the top level: handed over alone, up to the next whitespace.
          const end = this.buf.slice(this.pos).search(/[\s{[]/);
          if (end < 0) return;
          this.emit(this.pos + end);
          continue;
        }
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) this.emit(this.pos + 1);
      }
    }
  }

  /** What is left when the body ends (an unfinished value), if anything but whitespace. */
  rest(): string {
    return this.start >= 0 ? this.buf.slice(this.start) : '';
  }

  private emit(end: number): void {
    const text = this.buf.slice(this.start, end);
    this.buf = this.buf.slice(end);
    this.pos = -1; // the loop's increment makes it 0
    this.start = -1;
    this.depth = 0;
    this.sink(text);
  }
}
