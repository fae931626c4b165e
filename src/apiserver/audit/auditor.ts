// The audit sink (kube-apiserver's audit filter + log backend): per request, the policy picks a
// level; events in audit.k8s.io/v1 Event form go to the log at RequestReceived,
// ResponseStarted (long-running requests), ResponseComplete, or Panic (an unexpected error).
// The request object is captured from the body only at level Request and up, the response
// object only at RequestResponse (never for watches). Divergences: requests that fail
// authentication are not audited; objectRef.name of a create comes from the request object
// (so only at Request and up, as kube).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../request-info.js';
import type { AuthorizationDecision, UserInfo } from '../filters/pipeline.js';
import { ApiError, toApiError } from '../status.js';
import { decodeBody } from '../negotiation.js';
import { AuditPolicy, levelAtLeast, type PolicyDecision, type Stage } from './policy.js';
import { AuditLogWriter } from './log-writer.js';
import type { AuditBegin, AuditRequest, AuditSink } from './sink.js';

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const micros = String(Math.floor((ms % 1000) * 1000)).padStart(6, '0');
  return d.toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

const nowMs = () => performance.timeOrigin + performance.now();

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
  private requestObject?: unknown;
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

  instrument(h: { body(): Promise<Buffer> }): void {
    if (!levelAtLeast(this.decision.level, 'Request')) return;
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
      this.status = { metadata: {}, status: 'Failure', message: toApiError(err).message, reason: 'InternalError', code: 500 };
      this.emit('Panic', 500);
      this.done = true;
      return;
    }
    const s = err.toStatus();
    this.status = { metadata: {}, status: 'Failure', message: s.message, reason: s.reason, code: s.code };
    if (s.details) this.status.details = s.details;
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
      const meta = (this.requestObject as { metadata?: { name?: string; namespace?: string } }).metadata;
      const ref = ev.objectRef as Record<string, string> | undefined;
      if (ref && !ref.name && meta?.name) ev.objectRef = { ...ref, name: meta.name };
    }
    if (stage === 'ResponseComplete' && levelAtLeast(this.decision.level, 'RequestResponse')) {
      const r = this.responseObject();
      if (r !== undefined) ev.responseObject = strip(r);
    }
    ev.requestReceivedTimestamp = microTime(this.received);
    ev.stageTimestamp = microTime(now);
    if (stage !== 'RequestReceived' && Object.keys(this.annotations).length) ev.annotations = { ...this.annotations };
    this.sink.writer.write(ev);
  }
}

export class Auditor implements AuditSink {
  constructor(
    private readonly policy: AuditPolicy,
    readonly writer: AuditLogWriter,
  ) {}

  /** From --audit-policy-file and --audit-log-path: both are needed (kube logs nothing without a policy). */
  static fromOptions(o: { auditPolicyFile?: string; auditLogPath?: string }): Auditor | undefined {
    if (!o.auditPolicyFile || !o.auditLogPath) return undefined;
    return new Auditor(AuditPolicy.fromFile(o.auditPolicyFile), new AuditLogWriter(o.auditLogPath));
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

