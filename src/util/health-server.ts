// The small HTTP server each component runs beside its work (like kube-scheduler's 10259 and
// kube-controller-manager's 10257): /healthz, /livez, /readyz and /metrics. Plain HTTP on the
// bind address; a port of 0 picks a free one, a negative port disables it. A busy port is
// logged and the component carries on without it.
import http from 'node:http';
import type { Logger } from 'pino';
import { metricsText } from './metrics.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(opts: { port: number; bindAddress?: string; ready: () => boolean; log: Logger }): Promise<HealthServer | undefined> {
  if (opts.port < 0) return undefined;
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      const m = await metricsText();
      res.writeHead(200, { 'Content-Type': m.contentType }).end(m.body);
    } else if (path === '/healthz' || path === '/livez') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    else if (path === '/readyz') res.writeHead(opts.ready() ? 200 : 503, { 'Content-Type': 'text/plain' }).end(opts.ready() ? 'ok' : 'not ready');
    else res.writeHead(404).end();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.bindAddress ?? '127.0.0.1', resolve);
    });
  } catch (e) {
    opts.log.warn({ err: (e as Error).message, port: opts.port }, 'health/metrics server not started');
    return undefined;
  }
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
