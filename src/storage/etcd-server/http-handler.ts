// HTTP/1 endpoints on the client port, as etcd 3.4 serves them: /health, /version, /metrics, and the
// v2 API under /v2 when enabled. Unknown paths: Go's "404 page not found".
import type http from 'node:http';
import { etcdClusterVersion, etcdServerVersion } from '../../version.js';
import { metricsText } from '../../util/metrics.js';
import type { Store } from '../store.js';

export type V2Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

const CORS = {
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Origin': '*',
};

export function send(res: http.ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...CORS, 'Content-Type': contentType, ...headers });
  res.end(body);
}

/** etcd's /health: healthy when the store answers a read and no alarm is raised. */
async function health(store: Store): Promise<boolean> {
  try {
    const alarms = await store.alarms();
    if (alarms.length > 0) return false;
    await Promise.race([
      store.range({ key: Buffer.from('health') }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** Serves etcd's gRPC gateway paths (/v3/...); answers whether the request was one. */
export type GatewayHandler = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => boolean;

export function httpHandler(store: Store, v2?: V2Handler, gateway?: GatewayHandler): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/health') {
      void health(store).then((ok) =>
        send(res, ok ? 200 : 503, 'text/plain; charset=utf-8', JSON.stringify({ health: ok ? 'true' : 'false' })),
      );
      return;
    }
    if (path === '/version') {
      send(res, 200, 'application/json', JSON.stringify({ etcdserver: etcdServerVersion, etcdcluster: etcdClusterVersion }));
      return;
    }
    if (path === '/metrics') {
      void metricsText().then(
        (m) => send(res, 200, m.contentType, m.body),
        (e: unknown) => send(res, 500, 'text/plain; charset=utf-8', String(e)),
      );
      return;
    }
    if (v2 && (path === '/v2' || path.startsWith('/v2/'))) {
      v2(req, res, url);
      return;
    }
    if (gateway?.(req, res, path)) return;
    send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n', { 'X-Content-Type-Options': 'nosniff' });
  };
}
