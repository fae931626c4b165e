// The kubelet server (the real kubelet's :10250): GET /healthz, GET
// /containerLogs/{namespace}/{pod}/{container} and /exec/{namespace}/{pod}/{container} over
// WebSocket (v5/v4.channel.k8s.io, see exec.ts). The apiserver proxies pods/log and pods/exec
// here. With `tls` (always, in keelson's commands) it serves HTTPS and every request but
// /healthz must carry a client certificate the apiserver's CA signed and be authorized by the
// apiserver (auth.ts); without `tls` (tests of the server alone) plain HTTP, unauthenticated.
// GET /stats/summary (stats.ts; authorized as nodes/stats) when the kubelet gives `stats`.
// /attach/{ns}/{pod}/{c} over WebSocket (attach.ts) and /portForward/{ns}/{pod} over SPDY, raw or
// tunnelled in WebSocket (port-forward.ts), or the client libraries' WebSocket channel protocol
// (port-forward-channels.ts); exec and attach also over SPDY/3.1
// (spdy-remote-command.ts). GET /pods: the PodList of this kubelet's pods (pods.ts; nodes/proxy).
// Not yet: /metrics, /runningpods.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { KubeletTls } from './serving-cert.js';
import { authenticateKubeletRequest, KubeletAuthError, type KubeletAuthorizer } from './auth.js';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../util/log.js';
import type { ContainerView, PodView } from '../pod-worker.js';
import type { ContainerRuntime, ExecSession } from '../runtime/types.js';
import { acceptedProtocol, exitStatus, runExec } from './exec.js';
import { offeredStreamProtocols, remoteCommandProtocol, serveSpdyRemoteCommand, spdyRemoteCommandResponse } from './spdy-remote-command.js';
import { streamLog, type LogOptions } from './logs.js';
import { runAttach } from './attach.js';
import { portForwardOverSocket, portForwardOverWebSocket, portForwardProtocol, spdyUpgradeResponse, tunnelProtocol } from './port-forward.js';
import { channelPorts, channelProtocols, portForwardOverChannels } from './port-forward-channels.js';
import type { StatsProvider } from './stats.js';
import { kubeletPodList } from './pods.js';

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
  /** The Summary API (/stats/summary). */
  stats?: StatsProvider;
  /** The pods this kubelet runs (/pods). */
  pods?: () => Iterable<PodView>;
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
  /** Port-forward tunnels: SPDY in WebSocket binary messages (port-forward.ts). */
  private readonly tunnelWss = new WebSocketServer({ noServer: true });
  /** Port-forward over the WebSocket channel protocol (port-forward-channels.ts). */
  private readonly channelWss = new WebSocketServer({ noServer: true, handleProtocols: (p) => channelProtocols.find((x) => p.has(x)) ?? false });
  port = 0;
  /** Serving HTTPS with authentication (set by listen()). */
  secure = false;
  private clientCa?: string;

  constructor(private readonly o: KubeletServerOptions) {}

  /** A new serving certificate (--rotate-server-certificates): new TLS connections get it. */
  setServingCertificate(cert: string, key: string): void {
    if (!this.secure || !this.server) return;
    (this.server as unknown as import('node:https').Server).setSecureContext({ cert, key, ca: this.clientCa });
  }

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
    this.clientCa = t?.clientCa;
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
    if (url.pathname === '/stats/summary' && this.o.stats) {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      const body = JSON.stringify(await this.o.stats.summary());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
      return;
    }
    if ((url.pathname === '/pods' || url.pathname === '/pods/') && this.o.pods) {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(kubeletPodList(this.o.pods())));
      return;
    }
    const logs = this.route(url.pathname, '/containerLogs/');
    if (logs) {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      return this.containerLogs(logs, url.searchParams, req, res);
    }
    if (this.route(url.pathname, '/exec/') || this.route(url.pathname, '/attach/') || url.pathname.startsWith('/portForward/')) throw new HttpError(400, 'Upgrade request required');
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

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname.startsWith('/portForward/')) return this.portForward(url, req, socket, head);
    if (url.pathname.startsWith('/attach/')) return this.attach(url, req, socket, head);
    const r = this.route(url.pathname, '/exec/');
    if (!r) throw new HttpError(404, '404 page not found');
    const { view, c } = this.lookup(r);
    if (!c.id) throw new HttpError(400, `container "${r.container}" in pod "${r.pod}" is waiting to start: ${c.waiting ?? 'ContainerCreating'}`);
    const runtime = this.o.runtime;
    if (!runtime.execStream) throw new HttpError(400, `the ${runtime.runtimeName} runtime cannot exec into containers`);
    const q = url.searchParams;
    const command = q.getAll('command');
    if (!command.length) throw new HttpError(400, 'you must specify at least one command for the container');
    const bool = (k: string) => q.has(k) && q.get(k) !== 'false' && q.get(k) !== '0';
    const streams = { stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty') };
    if (this.spdyUpgrade(req, socket)) {
      const id = c.id;
      serveSpdyRemoteCommand(socket, head, streams, () => runtime.execStream!(id, command, { tty: streams.tty, stdin: streams.stdin }), (code, s) => exitStatus(code, s.startError), this.o.log);
      return;
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!acceptedProtocol(new Set(offered))) throw new HttpError(400, `no supported subprotocol in "${offered.join(', ')}": want v5.channel.k8s.io or v4.channel.k8s.io`);
    const containerId = c.id;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.o.log.info({ pod: `${view.pod.metadata.namespace}/${view.pod.metadata.name}`, container: r.container, command }, 'exec');
      runExec(ws, runtime, containerId, command, streams, this.o.log);
    });
  }

  /** /attach/{namespace}/{pod}/{container} over WebSocket (attach.ts). */
  private async attach(url: URL, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const r = this.route(url.pathname, '/attach/')!;
    const { c } = this.lookup(r);
    const runtime = this.o.runtime;
    if (!runtime.attach) throw new HttpError(400, `the ${runtime.runtimeName} runtime cannot attach to containers`);
    // The kubelet finds the container among the running ones (findContainer).
    const notFound = new HttpError(500, `container not found ("${r.container}")`);
    if (!c.id || (await runtime.containerStatus(c.id))?.state !== 'running') throw notFound;
    const q = url.searchParams;
    const bool = (k: string) => q.has(k) && q.get(k) !== 'false' && q.get(k) !== '0';
    const streams = { stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty') };
    const id = c.id;
    if (this.spdyUpgrade(req, socket)) {
      const status = (_code: number, s: ExecSession) => (s.startError ? { metadata: {}, status: 'Failure', message: s.startError, reason: 'InternalError', code: 500 } : { metadata: {}, status: 'Success' });
      serveSpdyRemoteCommand(socket, head, streams, () => runtime.attach!(id, { stdin: streams.stdin, tty: streams.tty }), status, this.o.log, false);
      return;
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!acceptedProtocol(new Set(offered))) throw new HttpError(400, `no supported subprotocol in "${offered.join(', ')}": want v5.channel.k8s.io or v4.channel.k8s.io`);
    let session;
    try {
      session = runtime.attach(id, { stdin: streams.stdin, tty: streams.tty });
    } catch {
      throw notFound;
    }
    const sess = session;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.o.log.info({ pod: `${r.namespace}/${r.pod}`, container: r.container }, 'attach');
      runAttach(ws, sess, streams, this.o.log);
    });
  }

  /** For a SPDY/3.1 upgrade (exec/attach): negotiates the protocol and writes the 101; false
   * for WebSocket; throws for anything else. */
  private spdyUpgrade(req: IncomingMessage, socket: Socket): boolean {
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') return false;
    if (upgrade !== 'spdy/3.1') throw new HttpError(400, `unsupported upgrade "${req.headers.upgrade}": want websocket or SPDY/3.1`);
    const offered = offeredStreamProtocols(req.headers['x-stream-protocol-version']);
    if (!offered.includes(remoteCommandProtocol)) throw new HttpError(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${remoteCommandProtocol}]`);
    socket.write(spdyRemoteCommandResponse());
    return true;
  }

  /** /portForward/{namespace}/{pod}[/{uid}]: SPDY tunnelled in WebSocket, the WebSocket channel protocol, or a raw SPDY upgrade. */
  private async portForward(url: URL, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const parts = url.pathname.slice('/portForward/'.length).split('/').map(decodeURIComponent);
    if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw new HttpError(404, '404 page not found');
    const view = this.o.findPod(parts[0], parts[1]);
    if (!view) throw new HttpError(500, `pod not found ("${parts[1]}_${parts[0]}")`);
    const runtime = this.o.runtime;
    if (!runtime.portForward) throw new HttpError(400, `the ${runtime.runtimeName} runtime cannot forward ports`);
    const id = view.containers.find((x) => x.id)?.id;
    const sandboxId = id ? (await runtime.containerStatus(id))?.sandboxId : undefined;
    if (!sandboxId) throw new HttpError(500, `pod not found ("${parts[1]}_${parts[0]}")`);
    const dial = (port: number) => runtime.portForward!(sandboxId, port);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    this.o.log.info({ pod: `${parts[0]}/${parts[1]}`, transport: upgrade }, 'port-forward');
    if (upgrade === 'websocket') {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (!offered.includes(tunnelProtocol)) {
        // The channel protocol of the client libraries (or no subprotocol at all).
        if (offered.length && !offered.some((p) => channelProtocols.includes(p))) throw new HttpError(400, `no supported subprotocol in "${offered.join(', ')}": want ${tunnelProtocol} or ${channelProtocols.join(', ')}`);
        const ports = channelPorts(url.searchParams);
        if (typeof ports === 'string') throw new HttpError(400, ports);
        this.channelWss.handleUpgrade(req, socket, head, (ws) => portForwardOverChannels(ws, ports, dial, sandboxId, this.o.log));
        return;
      }
      // ws refuses the "/" of this subprotocol token: hand it a request without the header and
      // name the protocol in the 101 ourselves.
      delete req.headers['sec-websocket-protocol'];
      const addProtocol = (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${tunnelProtocol}`);
      this.tunnelWss.once('headers', addProtocol);
      this.tunnelWss.handleUpgrade(req, socket, head, (ws) => portForwardOverWebSocket(ws, dial, sandboxId, this.o.log));
      this.tunnelWss.off('headers', addProtocol);
      return;
    }
    if (upgrade !== 'spdy/3.1') throw new HttpError(400, `unsupported upgrade "${req.headers.upgrade}": want websocket (${tunnelProtocol}) or SPDY/3.1`);
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
    if (!versions.includes(portForwardProtocol)) throw new HttpError(403, `unable to upgrade: unable to negotiate protocol: client supports [${versions.join(' ')}], server supports [${portForwardProtocol}]`);
    socket.write(spdyUpgradeResponse());
    portForwardOverSocket(socket, head, dial, sandboxId, this.o.log);
  }

  async close(): Promise<void> {
    this.ac.abort();
    for (const ws of this.wss.clients) ws.terminate();
    for (const ws of this.tunnelWss.clients) ws.terminate();
    for (const ws of this.channelWss.clients) ws.terminate();
    if (!this.server) return;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}
