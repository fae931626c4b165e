// The REST client every component uses to talk to the apiserver (client-go's rest.Interface):
// JSON requests with keep-alive, a client-side QPS/burst limit, errors decoded from the
// Kubernetes Status, and watch streams (one JSON event per line).
import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { BucketRateLimiter } from './rate-limiter.js';
import { InProcessAgent } from './in-process.js';
import type { ClientConfig } from './kubeconfig.js';

export type KObject = Record<string, any> & { apiVersion?: string; kind?: string; metadata?: Record<string, any> };

/** The Status of a failed request, with its HTTP code and reason (NotFound, Conflict, ...). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: KObject,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof ApiError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Extra headers (e.g. impersonation). */
  headers?: Record<string, string>;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject;
}

export function buildQuery(query?: RequestOptions['query']): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export class RestClient {
  private readonly url: URL;
  private agent: http.Agent;
  private readonly limiter: BucketRateLimiter<string>;
  private readonly baseHeaders: Record<string, string>;

  constructor(readonly config: ClientConfig) {
    this.url = new URL(config.server);
    this.agent = this.newAgent();
    this.limiter = new BucketRateLimiter<string>(config.qps ?? 50, config.burst ?? 100);
    this.baseHeaders = { 'User-Agent': config.userAgent ?? 'keelson' };
    if (config.token) this.baseHeaders.Authorization = `Bearer ${config.token}`;
    if (config.impersonateUser) this.baseHeaders['Impersonate-User'] = config.impersonateUser;
  }

  private async throttle(): Promise<void> {
    const wait = this.limiter.when('');
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  private open(method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...this.baseHeaders, Accept: opts.accept ?? 'application/json', ...opts.headers };
    if (body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    // In process, plain HTTP/1.1 over the transport's connections (no TLS to negotiate).
    const inProcess = this.agent instanceof InProcessAgent;
    const mod = this.url.protocol === 'https:' && !inProcess ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        { protocol: inProcess ? 'http:' : this.url.protocol, hostname: this.url.hostname, port: this.url.port, path: path + buildQuery(opts.query), method, headers, agent: this.agent, signal: opts.signal },
        resolve,
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** One request; resolves with the decoded JSON body (or text for non-JSON), throws ApiError on >= 400. */
  async request<T = KObject>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    await this.throttle();
    let res: http.IncomingMessage;
    try {
      res = await this.open(method, path, opts);
    } catch (e) {
      // A keep-alive connection the server closed as we reused it: reads are safe to retry once.
      if (method !== 'GET' || !isConnectionReset(e) || opts.signal?.aborted) throw e;
      res = await this.open(method, path, opts);
    }
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const isJson = (res.headers['content-type'] ?? '').includes('json');
    const data = isJson && text ? JSON.parse(text) : text;
    if ((res.statusCode ?? 500) >= 400) throw toApiError(res, data);
    return data as T;
  }

  get<T = KObject>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  post<T = KObject>(path: string, body: unknown, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('POST', path, { body, query });
  }
  put<T = KObject>(path: string, body: unknown, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('PUT', path, { body, query });
  }
  patch<T = KObject>(path: string, body: unknown, type: 'merge' | 'strategic' | 'json' | 'apply' = 'merge', query?: RequestOptions['query']): Promise<T> {
    const contentType = {
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
      json: 'application/json-patch+json',
      apply: 'application/apply-patch+yaml',
    }[type];
    return this.request<T>('PATCH', path, { body, contentType, query });
  }
  delete<T = KObject>(path: string, body?: unknown, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('DELETE', path, { body, query });
  }

  /**
   * Stream a watch: calls `onEvent` per event until the server closes the stream, the signal
   * aborts, or an error occurs. Resolves when the stream ends; rejects on HTTP errors.
   */
  async watch(path: string, query: RequestOptions['query'], onEvent: (e: WatchEvent) => void, signal?: AbortSignal): Promise<void> {
    await this.throttle();
    const res = await this.open('GET', path, { query: { ...query, watch: 'true' }, signal });
    if ((res.statusCode ?? 500) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let data: unknown = text;
      try {
        data = JSON.parse(text);
      } catch {}
      throw toApiError(res, data);
    }
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) onEvent(JSON.parse(line) as WatchEvent);
        }
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  }

  /** New client credentials (a rotated certificate, as client-go's cert rotation): new
   * connections present them; open ones (watches included) are closed so that nothing keeps
   * using the old certificate past its expiry, as the kubelet closes its connections. */
  setClientCertificate(cert: Buffer, key: Buffer): void {
    if (this.url.protocol !== 'https:') return;
    const old = this.agent;
    this.config.cert = cert;
    this.config.key = key;
    this.agent = this.newAgent();
    old.destroy();
  }

  /** The connection pool: in-process (keelson server's components), TLS, or plain HTTP. */
  private newAgent(): http.Agent {
    const c = this.config;
    const pool = { keepAlive: true, maxSockets: 64 };
    if (c.transport) return new InProcessAgent(c.transport, { cert: c.cert, key: c.key }, pool);
    // One SecureContext instead of ca/cert/key options: the agent keys its socket pool by a name
    // that concatenates those PEM strings (hashed again on every request).
    if (this.url.protocol === 'https:') return new https.Agent({ ...pool, secureContext: createSecureContext({ ca: c.ca, cert: c.cert, key: c.key }), rejectUnauthorized: !c.insecureSkipTLSVerify });
    return new http.Agent(pool);
  }

  close(): void {
    this.agent.destroy();
  }
}

function isConnectionReset(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (e as Error).message === 'socket hang up';
}

function toApiError(res: http.IncomingMessage, data: unknown): ApiError {
  const code = res.statusCode ?? 500;
  const retry = Number(res.headers['retry-after']) || undefined;
  if (data && typeof data === 'object' && (data as KObject).kind === 'Status') {
    const s = data as KObject;
    return new ApiError(code, s.reason ?? '', s.message ?? `HTTP ${code}`, s, retry);
  }
  return new ApiError(code, res.statusMessage ?? '', typeof data === 'string' && data ? data : `HTTP ${code}`, undefined, retry);
}
