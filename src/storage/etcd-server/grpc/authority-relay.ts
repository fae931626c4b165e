// Serves one connection whose requests carry an :authority node:http2 refuses (authority.ts
// decides): node:http2 gets an in-memory socket instead of the connection; what the client sends
// reaches it through the ClientFrameRewriter (header blocks fixed), what it writes goes to the
// client unchanged. Backpressure both ways: the client connection is paused while node:http2 has
// not read what it got, and node:http2's writes complete when the connection takes them.
//
// The socket answers what the gRPC server asks of a connection (the TLS peer certificate for
// --client-cert-auth, addresses) from the real connection. node:http2 wraps a socket that is not
// a native stream in a socket of its own (whose `stream` is ours): `connectionSocket()` finds ours.
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ClientFrameRewriter } from './authority-rewriter.js';

class RelaySocket extends Duplex {
  constructor(private readonly conn: Duplex) {
    super({ allowHalfOpen: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.conn.destroyed) return cb(new Error('connection closed'));
    if (this.conn.write(chunk)) cb();
    else this.conn.once('drain', () => cb());
  }

  override _read(): void {
    this.conn.resume();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.conn.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.conn.destroy();
    cb(err);
  }

  get authorized(): boolean {
    return (this.conn as TLSSocket).authorized === true;
  }

  getPeerCertificate(detailed?: boolean): ReturnType<TLSSocket['getPeerCertificate']> | undefined {
    const c = this.conn as TLSSocket;
    return typeof c.getPeerCertificate === 'function' ? c.getPeerCertificate(detailed as true) : undefined;
  }

  get encrypted(): boolean | undefined {
    return (this.conn as TLSSocket).encrypted;
  }

  get remoteAddress(): string | undefined {
    return (this.conn as TLSSocket).remoteAddress;
  }

  get remotePort(): number | undefined {
    return (this.conn as TLSSocket).remotePort;
  }

  get localAddress(): string | undefined {
    return (this.conn as TLSSocket).localAddress;
  }

  get localPort(): number | undefined {
    return (this.conn as TLSSocket).localPort;
  }
}

/** The socket to ask about a session's connection: the relay socket when node wrapped one. */
export function connectionSocket<T>(sessionSocket: T): T {
  const inner = (sessionSocket as { stream?: unknown } | undefined)?.stream;
  return inner instanceof RelaySocket ? (inner as unknown as T) : sessionSocket;
}

/**
 * Serve `conn` through the rewriting relay. `peeked`: the bytes already read from it (starting
 * with the client preface); `dropFirstSettingsAck`: the peek answered the preface with its own
 * SETTINGS.
 */
export function relayFixingAuthority(conn: Duplex, peeked: Buffer, dropFirstSettingsAck: boolean, serve: (c: Duplex) => void): void {
  const sock = new RelaySocket(conn);
  const rewriter = new ClientFrameRewriter((b) => {
    if (!sock.push(b)) conn.pause();
  }, { dropFirstSettingsAck });
  conn.on('data', (chunk: Buffer) => {
    try {
      rewriter.write(chunk);
    } catch {
      conn.destroy();
    }
  });
  conn.on('end', () => sock.push(null));
  conn.on('error', () => sock.destroy());
  conn.on('close', () => sock.destroy());
  rewriter.write(peeked);
  serve(sock);
  conn.resume();
}
