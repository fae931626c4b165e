// Port-forward over the WebSocket channel protocol (the kubelet's portforward/websocket.go), which
// the official client libraries use (@kubernetes/client-node's PortForward, the Python client):
// `?port=P` (repeatable, or comma-separated), subprotocol `v4.channel.k8s.io` (binary messages,
// the first byte the channel), `v4.base64.channel.k8s.io` (text messages, the channel as an ASCII
// digit and the payload in base64) or none (binary). Each port has two channels: 2i carries its
// data both ways, 2i+1 the kubelet's error text. Both start with the port number (2 bytes, little
// endian). A connection to the pod's port is made per port; when every one of them has ended the
// WebSocket is closed, as kube's handler does.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger } from '../../util/log.js';
import { forwardError, type PortDialer } from './port-forward.js';

export const channelProtocols = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** The ports of `?port=`, or the kubelet's 400 text (NewV4Options). */
export function channelPorts(query: URLSearchParams): number[] | string {
  const values = query.getAll('port');
  if (values.length === 0) return 'query parameter "port" is required';
  const ports: number[] = [];
  for (const v of values) {
    if (v === '') return 'query parameter "port" cannot be empty';
    for (const p of v.split(',')) {
      if (!/^\d+$/.test(p)) return `unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax`;
      const n = Number(p);
      if (n > 65535) return `unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": value out of range`;
      if (n < 1) return `port "${v}" must be > 0`;
      ports.push(n);
    }
  }
  return ports;
}

/** Serves one port-forward session on an open WebSocket. */
export function portForwardOverChannels(ws: WebSocket, ports: number[], dial: PortDialer, pod: string, log: Logger): void {
  const base64 = ws.protocol === 'v4.base64.channel.k8s.io';
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(48 + channel) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true });
  };
  const sockets: (Duplex | undefined)[] = [];
  const pending: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  let closed = false;
  const finished = () => {
    if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };

  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    dial(port).then(
      (sock) => {
        if (closed) {
          sock.destroy();
          return;
        }
        sockets[i] = sock;
        for (const d of pending[i]) sock.write(d);
        pending[i] = [];
        let done = false;
        const end = () => {
          if (done) return;
          done = true;
          finished();
        };
        sock.on('data', (d: Buffer) => send(2 * i, d));
        sock.once('error', (e: Error) => {
          log.debug({ port, err: e.message }, 'port-forward connection error');
          send(2 * i + 1, Buffer.from(forwardError(port, pod, e)));
          end();
        });
        sock.once('close', end);
      },
      (e: Error) => {
        send(2 * i + 1, Buffer.from(forwardError(port, pod, e)));
        finished();
      },
    );
  });

  ws.on('message', (raw: Buffer | string, isBinary: boolean) => {
    let msg: Buffer;
    let channel: number;
    if (base64 || !isBinary) {
      const text = raw.toString();
      if (text.length === 0) return;
      channel = text.charCodeAt(0) - 48;
      msg = Buffer.from(text.slice(1), 'base64');
    } else {
      const b = raw as Buffer;
      if (b.length === 0) return;
      channel = b[0];
      msg = b.subarray(1);
    }
    // Only the data channels take input; what comes on an error channel is dropped.
    if (channel % 2 !== 0 || channel / 2 >= ports.length || msg.length === 0) return;
    const i = channel / 2;
    const sock = sockets[i];
    if (sock) sock.write(msg);
    else pending[i].push(Buffer.from(msg));
  });
  const teardown = () => {
    closed = true;
    for (const s of sockets) s?.destroy();
  };
  ws.on('close', teardown);
  ws.on('error', teardown);
}
