// The proxy's health and metrics server (kube-proxy's --healthz-bind-address, default
// 0.0.0.0:10256, and --metrics-bind-address, default 127.0.0.1:10249): /healthz answers 200
// with {lastUpdated, currentTime} while syncs are recent and 503 otherwise, /livez 200, /metrics
// the Prometheus text, and (a keelson addition) /services the userspace listeners as JSON.
import http from 'node:http';
import type { Logger } from 'pino';
import { metricsText } from '../util/metrics.js';
import type { ServiceProxy } from './proxy.js';

export interface ProxyHttpServer {
  port: number;
  close(): Promise<void>;
}

/** "host:port" (port 0 = any free port) -> [host, port]; "" or a negative port = off. */
export function parseBindAddress(s: string, flag: string): [string, number] | undefined {
  if (!s) return undefined;
  const i = s.lastIndexOf(':');
  const host = i < 0 ? s : s.slice(0, i).replace(/^\[|\]$/g, '');
  const port = i < 0 ? NaN : Number(s.slice(i + 1));
  if (!host || !Number.isInteger(port) || port > 65535) throw new Error(`${flag} "${s}": expected host:port`);
  return port < 0 ? undefined : [host, port];
}

export async function startProxyHttpServer(bind: [string, number], proxy: ServiceProxy, services: () => unknown, log: Logger): Promise<ProxyHttpServer | undefined> {
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const ok = proxy.healthy();
      const body = { lastUpdated: new Date(proxy.lastSyncAt).toISOString(), currentTime: new Date().toISOString() };
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    } else if (path === '/livez') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    else if (path === '/metrics') {
      const m = await metricsText();
      res.writeHead(200, { 'Content-Type': m.contentType }).end(m.body);
    } else if (path === '/services') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(services()));
    else res.writeHead(404).end();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bind[1], bind[0], resolve);
    });
  } catch (e) {
    log.warn({ err: (e as Error).message, address: bind.join(':') }, 'proxy health/metrics server not started');
    return undefined;
  }
  return { port: (server.address() as { port: number }).port, close: () => new Promise((r) => server.close(() => r())) };
}
