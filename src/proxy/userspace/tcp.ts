// A TCP listener of the userspace proxy: each accepted connection goes to the endpoint the load
// balancer picks (trying the next one when a connect fails) and bytes are piped both ways.
import net from 'node:net';
import type { Endpoint } from '../endpoint-slices.js';

export interface Backend {
  /** Endpoints to try for a client, in order (first = the balancer's pick). */
  choose(clientIP: string): Endpoint[];
}

const CONNECT_TIMEOUT_MS = 5000;

export async function listenTcp(address: string, port: number, backend: Backend): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    const tries = backend.choose(client.remoteAddress?.replace(/^::ffff:/, '') ?? '');
    client.on('error', () => {});
    const attempt = (i: number) => {
      const ep = tries[i];
      if (!ep) {
        client.resetAndDestroy();
        return;
      }
      const up = net.connect({ host: ep.ip, port: ep.port });
      up.setTimeout(CONNECT_TIMEOUT_MS, () => up.destroy(new Error('connect timeout')));
      const fail = () => attempt(i + 1);
      up.once('error', fail);
      up.once('connect', () => {
        up.setTimeout(0);
        up.off('error', fail);
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
        up.on('close', () => client.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
