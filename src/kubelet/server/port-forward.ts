// kubectl port-forward on the kubelet (the portforward.k8s.io protocol over SPDY/3.1, see
// spdy.ts): for each local connection kubectl opens two streams with the same `requestid`
// header, `streamtype: error` and `streamtype: data`, both naming the pod's `port`. Once the
// pair is complete the kubelet connects to the port in the pod (the runtime's portForward) and
// copies bytes both ways over the data stream; a failure is written as text on the error
// stream ("error forwarding port 8080 to pod <sandbox>, uid : <why>", as the kubelet's
// streaming server words it), which kubectl prints. Two transports: a raw `Upgrade: SPDY/3.1`
// (X-Stream-Protocol-Version: portforward.k8s.io; kubectl before 1.31, and its fallback) and
// SPDY tunnelled in WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io, kubectl
// 1.31+ by default). The WebSocket channel protocol of the client libraries (v4.channel.k8s.io
// with ?port=) is port-forward-channels.ts.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from '../../util/log.js';
import { SpdyServerConnection, type SpdyStream } from './spdy.js';

/** The WebSocket subprotocol of SPDY tunnelled port-forward (client-go's tunneling dialer). */
export const tunnelProtocol = 'SPDY/3.1+portforward.k8s.io';
/** X-Stream-Protocol-Version of raw SPDY port-forward. */
export const portForwardProtocol = 'portforward.k8s.io';

/** Connects to `port` inside the pod; rejects with the reason. */
export type PortDialer = (port: number) => Promise<Duplex>;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
}

/** Serves port-forward requests on one SPDY connection. `pod` names the pod in error messages. */
export function servePortForward(conn: SpdyServerConnection, dial: PortDialer, pod: string, log: Logger): void {
  const pairs = new Map<string, Pair>();
  conn.on('stream', (s: SpdyStream) => {
    const id = s.headers.requestid ?? '';
    const type = s.headers.streamtype;
    if (type !== 'error' && type !== 'data') {
      log.debug({ type }, 'port-forward: unexpected stream type');
      s.reset();
      return;
    }
    // The client's side of the error stream carries nothing.
    s.on('error', () => undefined);
    const p = pairs.get(id) ?? {};
    pairs.set(id, p);
    p[type] = s;
    if (p.error && p.data) {
      pairs.delete(id);
      forward(p.error, p.data, dial, pod, log);
    }
  });
}

function forward(errorStream: SpdyStream, data: SpdyStream, dial: PortDialer, pod: string, log: Logger): void {
  const portText = data.headers.port ?? '';
  const fail = (msg: string) => {
    errorStream.write(Buffer.from(msg));
    errorStream.end();
    data.end();
  };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return fail(`unable to parse "${portText}" as a port: strconv.ParseUint: parsing "${portText}": ${/^\d+$/.test(portText) ? 'value out of range' : 'invalid syntax'}`);
  if (port === 0) return fail(`port "${portText}" must be > 0`);
  const pending: Buffer[] = [];
  let remoteEnded = false;
  const early = (d: Buffer) => pending.push(d);
  const earlyEnd = () => (remoteEnded = true);
  data.on('data', early);
  data.on('end', earlyEnd);
  let reset = false;
  data.once('reset', () => (reset = true));
  dial(port).then(
    (sock) => {
      data.off('data', early);
      data.off('end', earlyEnd);
      if (reset) {
        sock.destroy();
        return;
      }
      for (const d of pending) sock.write(d);
      if (remoteEnded) sock.end();
      data.on('data', (d: Buffer) => sock.write(d));
      data.on('end', () => sock.end());
      data.once('reset', () => sock.destroy());
      sock.on('data', (d: Buffer) => data.write(d));
      sock.once('end', () => data.end());
      sock.once('error', (e: Error) => {
        log.debug({ port, err: e.message }, 'port-forward connection error');
        errorStream.write(Buffer.from(forwardError(port, pod, e)));
        errorStream.end();
        data.end();
      });
      sock.once('close', () => {
        data.end();
        errorStream.end();
      });
    },
    (e: Error) => fail(forwardError(port, pod, e)),
  );
}

/** The kubelet's words for a failed forward (a runtime's streaming server already says them). */
export function forwardError(port: number, pod: string, e: Error): string {
  return e.message.startsWith('error forwarding port') ? e.message : `error forwarding port ${port} to pod ${pod}, uid : ${e.message}`;
}

/** Port-forward over a WebSocket that tunnels SPDY in binary messages. */
export function portForwardOverWebSocket(ws: WebSocket, dial: PortDialer, pod: string, log: Logger): void {
  const conn = new SpdyServerConnection({ send: (b) => ws.readyState === ws.OPEN && ws.send(b, { binary: true }), close: () => ws.close(1000) });
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    if (isBinary) conn.receive(d);
  });
  ws.on('close', () => conn.transportClosed());
  ws.on('error', () => conn.transportClosed());
  servePortForward(conn, dial, pod, log);
}

/** Port-forward over a raw socket upgraded to SPDY/3.1 (the 101 already written). */
export function portForwardOverSocket(socket: Socket | Duplex, head: Buffer, dial: PortDialer, pod: string, log: Logger): void {
  const conn = new SpdyServerConnection({ send: (b) => void socket.write(b), close: () => socket.end() });
  socket.on('data', (d: Buffer) => conn.receive(d));
  socket.on('close', () => conn.transportClosed());
  socket.on('error', () => conn.transportClosed());
  servePortForward(conn, dial, pod, log);
  if (head.length) conn.receive(head);
}

/** The 101 answer to a raw SPDY port-forward upgrade. */
export function spdyUpgradeResponse(): string {
  return `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${portForwardProtocol}\r\n\r\n`;
}
