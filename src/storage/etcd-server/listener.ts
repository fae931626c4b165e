// One client port serves gRPC (HTTP/2) and HTTP/1 (/health, /version, /metrics, /v2) as etcd does:
// the first bytes of a connection decide. An HTTP/2 connection preface ("PRI * HTTP/2.0") goes to
// the gRPC server's HTTP/2 server (grpc/server.ts); anything else goes to an HTTP/1 server. With TLS
// (https:// URLs) the TLS layer is ours (ALPN h2 and http/1.1) and the decrypted stream is routed.
//
// The sniffed bytes are unshifted back into the socket before it is handed over: Node's HTTP/2
// session reads a socket's buffered bytes first and then consumes its native handle directly.
// TLS connections that chose h2 by ALPN need no sniffing and are handed over as they are (non-gRPC
// HTTP/2 requests are then routed to the HTTP handler by the gRPC server).
import net from 'node:net';
import tls from 'node:tls';
import type http from 'node:http';
import { Duplex } from 'node:stream';

export interface ConnectionTargets {
  grpc(conn: Duplex): void;
  http1: http.Server;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  clientCertAuth?: boolean;
}

export interface BoundListener {
  url: string;
  close(): Promise<void>;
}

const PREFACE = 'PRI * HTTP/2.0';

function route(sock: net.Socket, targets: ConnectionTargets): void {
  let buf: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const n = Math.min(buf.length, PREFACE.length);
    const isH2 = buf.subarray(0, n).toString('latin1') === PREFACE.slice(0, n);
    if (isH2 && buf.length < PREFACE.length) return; // wait for more bytes
    sock.off('data', onData);
    sock.pause();
    if (isH2) {
      // Node's HTTP/2 session feeds a socket's already-buffered bytes to nghttp2 before consuming
      // its native handle (lib/internal/http2/core.js, nodejs/node#34532), so the sniffed bytes go
      // back into the socket and the HTTP/2 server gets the socket itself: no JS stream in the data path.
      // (A Duplex wrapper replaying the sniffed bytes, used before, routed every HTTP/2 frame through
      // JS stream plumbing and a setImmediate per write: ~2 ms per request, and a watch stream
      // could not flush a few thousand messages/s.)
      sock.unshift(buf);
      targets.grpc(sock);
    } else {
      sock.unshift(buf);
      targets.http1.emit('connection', sock);
      sock.resume();
    }
  };
  sock.on('data', onData);
  sock.on('error', () => sock.destroy());
}

/** Listen on one client URL (http:// or https://) and route its connections. */
export async function listenClientUrl(url: string, targets: ConnectionTargets, tlsFiles?: TlsFiles): Promise<BoundListener> {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  if (!secure && u.protocol !== 'http:') throw new Error(`listen URL ${JSON.stringify(url)}: expected http:// or https://`);
  if (secure && !tlsFiles) throw new Error(`listen URL ${JSON.stringify(url)} is https but no --cert-file/--key-file were given`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 2379;
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  if (secure && tlsFiles) {
    server = tls.createServer(
      {
        cert: tlsFiles.cert,
        key: tlsFiles.key,
        ca: tlsFiles.ca,
        requestCert: !!tlsFiles.clientCertAuth,
        rejectUnauthorized: !!tlsFiles.clientCertAuth,
        ALPNProtocols: ['h2', 'http/1.1'],
      },
      (s: tls.TLSSocket) => {
        if (s.alpnProtocol === 'h2') targets.grpc(s);
        else route(s, targets);
      },
    );
    server.on('tlsClientError', () => {});
  } else {
    server = net.createServer((s) => route(s, targets));
  }
  server.on('connection', (s: net.Socket) => {
    // Small request/response frames: no Nagle delay (the wrapped socket never sees http2's own setNoDelay).
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${u.protocol}//${hostPart}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
