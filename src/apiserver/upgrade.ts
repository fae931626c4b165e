// HTTP upgrade requests (kubectl exec over WebSocket; later attach, port-forward, SPDY) go through
// the same pipeline as every request (authentication, authorization, the handler): the server's
// 'upgrade' event makes a ServerResponse on the socket, so errors are ordinary Status responses,
// and a handler that accepts the upgrade takes the socket (with the bytes read past the headers)
// from here.
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

interface Upgrade {
  socket: Socket;
  head: Buffer;
  res: ServerResponse;
}

const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/** Route upgrade requests to `handler` as if they were plain requests. */
export function serveUpgrades(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    // A response written here (an error) ends the connection.
    res.on('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    upgrades.set(req, { socket, head, res });
    handler(req, res);
  });
}

/** True for a request that arrived as an upgrade (and was not taken yet). */
export function isUpgrade(req: IncomingMessage): boolean {
  return upgrades.has(req);
}

/** Take the socket of an upgrade request: the handler now owns it (no response is written). */
export function takeUpgrade(req: IncomingMessage): { socket: Socket; head: Buffer } | undefined {
  const u = upgrades.get(req);
  if (!u) return undefined;
  upgrades.delete(req);
  u.res.detachSocket(u.socket);
  return { socket: u.socket, head: u.head };
}
