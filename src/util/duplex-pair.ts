// Two connected in-memory byte streams: what one end writes, the other reads, as over a TCP
// connection (flow control included: a writer waits while its peer's read buffer is full, so a
// slow watch consumer holds back the server as a full socket would). Ending one end's writes ends
// the other's reads; destroying one end closes both. The ends carry the few net.Socket methods
// Node's HTTP client, agent and server call on a connection (timeouts, keep-alive, Nagle,
// ref/unref), as no-ops: nothing in memory idles out or holds the event loop open.
import { Duplex } from 'node:stream';

export class PipeEnd extends Duplex {
  peer!: PipeEnd;
  remoteAddress = '127.0.0.1';
  remotePort = 0;
  remoteFamily = 'IPv4';
  localAddress = '127.0.0.1';
  localPort = 0;
  /** The write callback held back until the peer reads again. */
  private blocked?: () => void;

  constructor() {
    // A TCP socket's default: when the peer ends, this end ends too.
    super({ allowHalfOpen: false });
  }

  // Bytes reach the peer on a later turn of the event loop, as a socket's would: a busy exchange
  // between two in-process ends (an informer's list, a burst of status writes) must not run as
  // one long chain of callbacks while the network's clients (kubectl over TLS) wait for the loop.
  // Writes queued meanwhile go over together (_writev), in order.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    setImmediate(() => this.deliver(chunk, callback));
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const data = chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk));
    setImmediate(() => this.deliver(data, callback));
  }

  private deliver(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed) return callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    if (this.peer.push(data)) callback();
    else this.peer.onRead(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null);
    callback();
  }

  override _read(): void {
    const resume = this.blocked;
    this.blocked = undefined;
    resume?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const resume = this.blocked;
    this.blocked = undefined;
    resume?.();
    // The other end sees the connection close (a reset when it was still expecting bytes).
    if (!this.peer.destroyed) this.peer.destroy();
    callback(error);
  }

  private onRead(resume: () => void): void {
    this.blocked = resume;
  }

  setTimeout(_ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }
}

/** A connected pair: [client end, server end]. */
export function duplexPair(): [PipeEnd, PipeEnd] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
