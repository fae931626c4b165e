// A UDP listener of the userspace proxy: one upstream socket per client address, so replies find
// their way back; a client's session ends after `idleMs` without traffic (kube-proxy's
// --udp-timeout of the userspace mode).
import dgram from 'node:dgram';
import type { Endpoint } from '../endpoint-slices.js';
import type { Backend } from './tcp.js';

export interface UdpListener {
  port: number;
  close(): void;
}

interface Session {
  socket: dgram.Socket;
  timer: NodeJS.Timeout;
  endpoint: Endpoint;
}

export async function listenUdp(address: string, port: number, backend: Backend, idleMs: number): Promise<UdpListener> {
  const server = dgram.createSocket('udp4');
  const sessions = new Map<string, Session>();
  const end = (key: string) => {
    const s = sessions.get(key);
    if (!s) return;
    sessions.delete(key);
    clearTimeout(s.timer);
    s.socket.close();
  };
  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = sessions.get(key);
    if (!s) {
      const ep = backend.choose(rinfo.address)[0];
      if (!ep) return;
      const socket = dgram.createSocket('udp4');
      socket.on('error', () => end(key));
      socket.on('message', (reply, from) => {
        if (from.address !== ep.ip || from.port !== ep.port) return;
        server.send(reply, rinfo.port, rinfo.address);
        sessions.get(key)?.timer.refresh();
      });
      s = { socket, timer: setTimeout(() => end(key), idleMs), endpoint: ep };
      sessions.set(key, s);
    }
    s.timer.refresh();
    s.socket.send(msg, s.endpoint.port, s.endpoint.ip, (err) => err && end(key));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: server.address().port,
    close() {
      for (const k of [...sessions.keys()]) end(k);
      server.close();
    },
  };
}
