// The audit sink (kube-apiserver's audit filter + log backend): per request, the policy picks a
// level; events in audit.k8s.io/v1 Event form go to the log at RequestReceived,
// ResponseStarted (long-running requests), ResponseComplete, or Panic (an unexpected error).
// The request object is captured from the body only at level Request and up, the response
// object only at RequestResponse (never for watches). Admission's audit annotations (PodSecurity's
// enforce-policy, audit-violations, ...) join the authorization ones. A request that fails
// authentication is audited as kube's WithFailedAuthenticationAudit does: the policy is matched
// with no user, and one ResponseStarted event carries an empty user and a 401 responseStatus
// whose message names the credentials tried. objectRef.name of a create comes from the request
// object, at every level (kube's LogRequestObject).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestInfo } from '../request-info.js';
import type { AuthorizationDecision, UserInfo } from '../filters/pipeline.js';
import { ApiError, toApiError } from '../status.js';
import { decodeBody } from '../negotiation.js';
import { AuditPolicy, levelAtLeast, type PolicyDecision, type Stage } from './policy.js';
import { AuditLogWriter } from './log-writer.js';
import type { AuditBegin, AuditFailedAuthentication, AuditRequest, AuditSink } from './sink.js';
import type { AuditLogOptions } from './log-writer.js';

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const micros = String(Math.floor((ms % 1000) * 1000)).padStart(6, '0');
  return d.toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

const nowMs = () => performance.timeOrigin + performance.now();

/** kube's getAuthMethods: the credentials a request that failed authentication presented. */
function authMethods(req: IncomingMessage): string {
  const methods: string[] = [];
  const auth = String(req.headers.authorization ?? '').trim();
  if (/^basic\s+\S/i.test(auth)) methods.push('basic');
  const parts = auth.split(' ');
  if (parts.length > 1 && parts[0].toLowerCase() === 'bearer') methods.push('bearer');
  if (new URL(req.url ?? '/', 'http://x').searchParams.get('access_token')?.trim()) methods.push('access_token');
  const peer = (req.socket as TLSSocket).getPeerCertificate?.();
  if (peer && Object.keys(peer).length) methods.push('x509');
  return methods.length ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}

const sortedKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function userInfo(u: UserInfo): Record<string, unknown> {
  const o: Record<string, unknown> = { username: u.name };
  if (u.uid) o.uid = u.uid;
  if (u.groups?.length) o.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) o.extra = u.extra;
  return o;
}

function sourceIPs(req: IncomingMessage): string[] {
  const ips: string[] = [];
  const xff = req.headers['x-forwarded-for'];
  if (typeof xff === 'string') for (const p of xff.split(',')) if (p.trim()) ips.push(p.trim());
  const xr = req.headers['x-real-ip'];
  if (typeof xr === 'string' && xr && !ips.includes(xr)) ips.push(xr);
  const remote = req.socket?.remoteAddress?.replace(/^::ffff:/, '');
  if (remote && !ips.includes(remote)) ips.push(remote);
  return ips;
}

function objectRef(info: RequestInfo): Record<string, string> | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: Record<string, string> = { resource: info.resource };
  if (info.namespace) ref.namespace = info.namespace;
  if (info.name) ref.name = info.name;
  if (info.group) ref.apiGroup = info.group;
  ref.apiVersion = info.version;
  if (info.subresource) ref.subresource = info.subresource;
  return ref;
}

function stripManagedFields(o: unknown): unknown {
  if (!o || typeof o !== 'object') return o;
  const obj = o as Record<string, any>;
  let out = obj;
  if (obj.metadata?.managedFields) out = { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
  if (Array.isArray(obj.items)) out = { ...out, items: obj.items.map(stripManagedFields) };
  return out;
}

class Audited implements AuditRequest {
  readonly auditID: string;
  private readonly received = nowMs();
  private readonly base: Record<string, unknown>;
  private readonly annotations: Record<string, string> = {};
  private admissionAnnotations?: () => Record<string, string> | undefined;
  private requestObject?: unknown;
  private requestName?: string;
  private responseChunks?: Buffer[];
  private status?: Record<string, unknown>;
  private done = false;

  constructor(
    private readonly sink: Auditor,
    private readonly b: AuditBegin,
    private readonly decision: PolicyDecision,
    auditID: string,
  ) {
    this.auditID = auditID;
    const { req, info } = b;
    this.base = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: decision.level,
      auditID,
      stage: '',
      requestURI: req.url ?? '/',
      verb: info.verb,
      user: userInfo(b.user),
      sourceIPs: sourceIPs(req),
    };
    if (req.headers['user-agent']) this.base.userAgent = req.headers['user-agent'];
    const ref = objectRef(info);
    if (ref) this.base.objectRef = ref;
    this.emit('RequestReceived');
    const res = b.res;
    if (b.longRunning) {
      const writeHead = res.writeHead;
      res.writeHead = ((...args: Parameters<typeof writeHead>) => {
        const r = writeHead.apply(res, args);
        this.emit('ResponseStarted', res.statusCode);
        return r;
      }) as typeof writeHead;
    } else if (levelAtLeast(decision.level, 'RequestResponse')) this.captureResponse(res);
    const end = () => this.complete();
    res.once('finish', end);
    res.once('close', end);
  }

  impersonated(user: UserInfo): void {
    this.base.impersonatedUser = userInfo(user);
  }

  authorized(d: AuthorizationDecision): void {
    this.annotations['authorization.k8s.io/decision'] = d.allowed ? 'allow' : 'forbid';
    this.annotations['authorization.k8s.io/reason'] = d.reason ?? '';
  }

  instrument(h: { body(): Promise<Buffer>; object?(): Promise<unknown>; ctx?: { auditAnnotations?: Record<string, string> } }): void {
    const ctx = h.ctx;
    if (ctx) this.admissionAnnotations = () => ctx.auditAnnotations;
    if (!levelAtLeast(this.decision.level, 'Request')) {
      // kube's LogRequestObject completes objectRef from the request object at Metadata too (a
      // create's name is only there): take it from the handler's own decode, no second parse.
      const object = h.object;
      if (object && !this.b.info.name)
        h.object = async () => {
          const o = await object();
          this.requestName ??= (o as { metadata?: { name?: string } } | undefined)?.metadata?.name;
          return o;
        };
      return;
    }
    const body = h.body;
    h.body = async () => {
      const buf = await body();
      this.requestObject ??= this.decodeRequest(buf);
      return buf;
    };
  }

  failed(err: unknown): void {
    if (!(err instanceof ApiError)) {
      // kube's Panic stage: the handler failed unexpectedly; no ResponseComplete follows.
      this.status = { metadata: {}, status: 'Failure', message: `APIServer panic'd: ${err instanceof Error ? err.message : toApiError(err).message}`, reason: 'InternalError', code: 500 };
      this.emit('Panic', 500);
      this.done = true;
      return;
    }
    const s = err.toStatus();
    this.status = { metadata: {}, status: 'Failure', message: s.message, reason: s.reason, ...(s.details ? { details: s.details } : {}), code: s.code };
  }

  private decodeRequest(buf: Buffer): unknown {
    if (!buf.length) return undefined;
    const ct = this.b.req.headers['content-type'];
    try {
      return decodeBody(buf, ct);
    } catch {
      try {
        return JSON.parse(buf.toString('utf8'));
      } catch {
        return undefined;
      }
    }
  }

  private captureResponse(res: ServerResponse): void {
    const chunks: Buffer[] = (this.responseChunks = []);
    const add = (c: unknown, enc?: unknown) => {
      if (c === undefined || c === null || typeof c === 'function') return;
      chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8'));
    };
    const write = res.write;
    const end = res.end;
    res.write = ((c: unknown, ...rest: unknown[]) => (add(c, rest[0]), (write as (...a: unknown[]) => boolean).call(res, c, ...rest))) as typeof write;
    res.end = ((c: unknown, ...rest: unknown[]) => (add(c, rest[0]), (end as (...a: unknown[]) => ServerResponse).call(res, c, ...rest))) as typeof end;
  }

  private responseObject(): unknown {
    const chunks = this.responseChunks;
    if (!chunks?.length) return undefined;
    const ct = String(this.b.res.getHeader('content-type') ?? '');
    if (!ct.includes('json')) return undefined;
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return undefined;
    }
  }

  private complete(): void {
    if (this.done) return;
    this.done = true;
    this.emit('ResponseComplete', this.b.res.statusCode);
  }

  private emit(stage: Stage, code?: number): void {
    if (this.decision.omitStages.has(stage)) return;
    const now = nowMs();
    const ev: Record<string, unknown> = { ...this.base, stage };
    if (stage !== 'RequestReceived') ev.responseStatus = this.status && this.status.code === code ? this.status : { metadata: {}, code };
    const strip = this.decision.omitManagedFields ? stripManagedFields : (o: unknown) => o;
    if (levelAtLeast(this.decision.level, 'Request') && this.requestObject !== undefined) {
      ev.requestObject = strip(this.requestObject);
      this.requestName ??= (this.requestObject as { metadata?: { name?: string } }).metadata?.name;
    }
    const ref = ev.objectRef as Record<string, string> | undefined;
    if (ref && !ref.name && this.requestName) ev.objectRef = { ...ref, name: this.requestName };
    if (stage === 'ResponseComplete' && levelAtLeast(this.decision.level, 'RequestResponse')) {
      const r = this.responseObject();
      if (r !== undefined) ev.responseObject = strip(r);
    }
    ev.requestReceivedTimestamp = microTime(this.received);
    ev.stageTimestamp = microTime(now);
    const annotations = { ...this.annotations, ...this.admissionAnnotations?.() };
    if (stage !== 'RequestReceived' && Object.keys(annotations).length) ev.annotations = sortedKeys(annotations);
    this.sink.writer.write(ev);
  }
}

export class Auditor implements AuditSink {
  constructor(
    private readonly policy: AuditPolicy,
    readonly writer: AuditLogWriter,
  ) {}

  /** From --audit-policy-file and --audit-log-path: both are needed (kube logs nothing without a policy). */
  static fromOptions(o: { auditPolicyFile?: string; auditLogPath?: string; auditLogFormat?: AuditLogOptions['format']; auditLogMaxSize?: number; auditLogMaxBackup?: number; auditLogMaxAge?: number }): Auditor | undefined {
    if (!o.auditPolicyFile || !o.auditLogPath) return undefined;
    const writer = new AuditLogWriter(o.auditLogPath, { format: o.auditLogFormat, maxSizeMB: o.auditLogMaxSize, maxBackups: o.auditLogMaxBackup, maxAgeDays: o.auditLogMaxAge });
    return new Auditor(AuditPolicy.fromFile(o.auditPolicyFile), writer);
  }

  /** A request that failed authentication (401): one ResponseStarted event with no user, as kube. */
  failedAuthentication(b: AuditFailedAuthentication): void {
    const decision = this.policy.decide(undefined, b.info);
    if (decision.level === 'None' || decision.omitStages.has('ResponseStarted')) return;
    const given = b.req.headers['audit-id'];
    const auditID = typeof given === 'string' && given ? given : randomUUID();
    if (!b.res.headersSent) b.res.setHeader('Audit-ID', auditID);
    const received = nowMs();
    const ev: Record<string, unknown> = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: decision.level, auditID, stage: 'ResponseStarted', requestURI: b.req.url ?? '/', verb: b.info.verb, user: {}, sourceIPs: sourceIPs(b.req) };
    if (b.req.headers['user-agent']) ev.userAgent = b.req.headers['user-agent'];
    const ref = objectRef(b.info);
    if (ref) ev.objectRef = ref;
    const message = authMethods(b.req);
    const res = b.res;
    const writeHead = res.writeHead;
    res.writeHead = ((...args: Parameters<typeof writeHead>) => {
      res.writeHead = writeHead;
      const r = writeHead.apply(res, args);
      this.writer.write({ ...ev, responseStatus: { metadata: {}, message, code: res.statusCode }, requestReceivedTimestamp: microTime(received), stageTimestamp: microTime(nowMs()) });
      return r;
    }) as typeof writeHead;
  }

  begin(b: AuditBegin): AuditRequest | undefined {
    const given = b.req.headers['audit-id'];
    const auditID = typeof given === 'string' && given ? given : randomUUID();
    if (!b.res.headersSent) b.res.setHeader('Audit-ID', auditID);
    const decision = this.policy.decide(b.user, b.info);
    if (decision.level === 'None') return undefined;
    return new Audited(this, b, decision, auditID);
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

