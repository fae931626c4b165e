// The kubelet server (the real kubelet's :10250): GET /healthz, GET
// /containerLogs/{namespace}/{pod}/{container} and /exec/{namespace}/{pod}/{container} over
// WebSocket (v5/v4.channel.k8s.io, see exec.ts). The apiserver proxies pods/log and pods/exec
// here. With `tls` (always, in keelson's commands) it serves HTTPS and every request but
// /healthz must carry a client certificate the apiserver's CA signed and be authorized by the
// apiserver (auth.ts); without `tls` (tests of the server alone) plain HTTP, unauthenticated.
// Not yet: attach, portforward, SPDY exec, /stats, /metrics, /pods, /runningpods.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { KubeletTls } from './serving-cert.js';
import { authenticateKubeletRequest, KubeletAuthError, type KubeletAuthorizer } from './auth.js';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../util/log.js';
import type { ContainerView, PodView } from '../pod-worker.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { acceptedProtocol, runExec } from './exec.js';
import { streamLog, type LogOptions } from './logs.js';

export interface KubeletServerOptions {
  /** Address to listen on (the node's InternalIP; "0.0.0.0" for all). */
  address: string;
  /** --port (default 10250; 0 = a free port). */
  port: number;
  runtime: ContainerRuntime;
  /** The pod namespace/name this kubelet runs. */
  findPod(namespace: string, name: string): PodView | undefined;
  log: Logger;
  /** Serve HTTPS with this serving certificate, verifying clients against `clientCa` (made
   * when the server starts listening: see serving-cert.ts). */
  tls?: () => Promise<KubeletTls | undefined>;
  /** Authorizes authenticated requests (required with `tls`). */
  authorizer?: KubeletAuthorizer;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class KubeletServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly ac = new AbortController();
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => acceptedProtocol(p) ?? false });
  port = 0;
  /** Serving HTTPS with authentication (set by listen()). */
  secure = false;

  constructor(private readonly o: KubeletServerOptions) {}

  async listen(): Promise<number> {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      this.guard(req)
        .then(() => this.handle(req, res))
        .catch((e) => {
          const code = e instanceof HttpError || e instanceof KubeletAuthError ? e.code : 500;
          if (!res.headersSent) {
            res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
            res.end(`${(e as Error).message}\n`);
          } else res.destroy();
        });
    };
    const t = await this.o.tls?.();
    this.secure = !!t;
    if (this.o.tls && !t) this.o.log.warn('no CA to verify the apiserver with: the kubelet server serves plain HTTP WITHOUT authentication (debugging only)');
    const server: Server = t ? (createTlsServer({ cert: t.cert, key: t.key, ca: t.clientCa, requestCert: true, rejectUnauthorized: false }, listener) as unknown as Server) : createServer(listener);
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.guard(req)
        .then(() => this.upgrade(req, socket, head))
        .catch((e) => {
          const code = e instanceof HttpError || e instanceof KubeletAuthError ? e.code : 500;
          const text: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };
          const body = `${(e as Error).message}\n`;
          socket.end(`HTTP/1.1 ${code} ${text[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.address, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Authentication and authorization of a request (TLS mode); /healthz is open. */
  private async guard(req: IncomingMessage): Promise<void> {
    if (!this.secure) return;
    const path = new URL(req.url ?? '/', 'https://kubelet').pathname;
    if (path === '/healthz') return;
    const user = authenticateKubeletRequest(req);
    if (!this.o.authorizer) throw new KubeletAuthError(403, 'Forbidden (no authorizer)');
    await this.o.authorizer.authorize(user, req.method ?? 'GET', path);
  }

  private route(path: string, prefix: string): { namespace: string; pod: string; container: string } | undefined {
    if (!path.startsWith(prefix)) return undefined;
    const parts = path.slice(prefix.length).split('/').map(decodeURIComponent);
    if (parts.length !== 3 || parts.some((p) => !p)) throw new HttpError(404, '404 page not found');
    return { namespace: parts[0], pod: parts[1], container: parts[2] };
  }

  /** The pod and container, or the kubelet's 404s. */
  private lookup(r: { namespace: string; pod: string; container: string }): { view: PodView; c: ContainerView } {
    const view = this.o.findPod(r.namespace, r.pod);
    if (!view) throw new HttpError(404, `pod "${r.pod}" does not exist`);
    const c = view.containers.find((x) => x.name === r.container);
    if (!c) throw new HttpError(404, `container "${r.container}" not found in pod "${r.pod}"`);
    return { view, c };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const logs = this.route(url.pathname, '/containerLogs/');
    if (logs) {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      return this.containerLogs(logs, url.searchParams, req, res);
    }
    if (this.route(url.pathname, '/exec/')) throw new HttpError(400, 'Upgrade request required');
    throw new HttpError(404, '404 page not found');
  }

  private async containerLogs(r: { namespace: string; pod: string; container: string }, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { c } = this.lookup(r);
    const bool = (k: string) => q.has(k) && q.get(k) !== 'false' && q.get(k) !== '0';
    const int = (k: string): number | undefined => {
      if (!q.has(k)) return undefined;
      const n = Number(q.get(k));
      if (!Number.isInteger(n)) throw new HttpError(400, `${k}: Invalid value: "${q.get(k)}": must be an integer`);
      return n;
    };
    const previous = bool('previous');
    const o: LogOptions = { follow: bool('follow') && !previous, timestamps: bool('timestamps'), tailLines: int('tailLines'), limitBytes: int('limitBytes') };
    const since = int('sinceSeconds');
    if (since !== undefined) o.sinceMs = Date.now() - since * 1000;
    else if (q.get('sinceTime')) o.sinceMs = Date.parse(q.get('sinceTime')!);
    let path: string | undefined;
    let running = async () => false;
    if (previous) {
      if (!c.previousLogPath) throw new HttpError(400, `previous terminated container "${r.container}" in pod "${r.pod}" not found`);
      path = c.previousLogPath;
    } else {
      const st = c.id ? await this.o.runtime.containerStatus(c.id) : undefined;
      if (!st) throw new HttpError(400, `container "${r.container}" in pod "${r.pod}" is waiting to start: ${c.waiting ?? 'ContainerCreating'}`);
      path = st.logPath || c.logPath;
      const id = st.id;
      running = async () => (await this.o.runtime.containerStatus(id))?.state === 'running';
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const ac = new AbortController();
    const abort = () => ac.abort();
    req.once('close', abort);
    this.ac.signal.addEventListener('abort', abort, { once: true });
    const sink = { write: (s: string) => res.write(s), get closed() { return res.destroyed || res.writableEnded; } };
    try {
      await streamLog(path, o, sink, running, ac.signal);
    } finally {
      this.ac.signal.removeEventListener('abort', abort);
      res.end();
    }
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const r = this.route(url.pathname, '/exec/');
    if (!r) throw new HttpError(404, '404 page not found');
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket') throw new HttpError(400, `unsupported upgrade "${req.headers.upgrade}": only WebSocket (v5/v4.channel.k8s.io) is served; SPDY is not implemented`);
    const { view, c } = this.lookup(r);
    if (!c.id) throw new HttpError(400, `container "${r.container}" in pod "${r.pod}" is waiting to start: ${c.waiting ?? 'ContainerCreating'}`);
    const runtime = this.o.runtime;
    if (!runtime.execStream) throw new HttpError(400, `the ${runtime.runtimeName} runtime cannot exec into containers`);
    const q = url.searchParams;
    const command = q.getAll('command');
    if (!command.length) throw new HttpError(400, 'you must specify at least one command for the container');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!acceptedProtocol(new Set(offered))) throw new HttpError(400, `no supported subprotocol in "${offered.join(', ')}": want v5.channel.k8s.io or v4.channel.k8s.io`);
    const containerId = c.id;
    const bool = (k: string) => q.has(k) && q.get(k) !== 'false' && q.get(k) !== '0';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.o.log.info({ pod: `${view.pod.metadata.namespace}/${view.pod.metadata.name}`, container: r.container, command }, 'exec');
      runExec(ws, runtime, containerId, command, { stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty') }, this.o.log);
    });
  }

  async close(): Promise<void> {
    this.ac.abort();
    for (const ws of this.wss.clients) ws.terminate();
    if (!this.server) return;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}
