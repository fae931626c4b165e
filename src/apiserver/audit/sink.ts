// The audit hook of the request pipeline (kube-apiserver's WithAudit filter, as an interface):
// the front calls begin() once a request is authenticated; the returned AuditRequest follows the
// request through authorization, the handler (to capture bodies only when the level needs them)
// and its end. No sink = no audit (kube without --audit-policy-file).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../request-info.js';
import type { AuthorizationDecision, UserInfo } from '../filters/pipeline.js';

export interface AuditBegin {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  /** The authenticated user (before impersonation): the policy matches on it. */
  user: UserInfo;
  /** Long-running (watch, proxy): a ResponseStarted event when the response starts. */
  longRunning?: boolean;
}

/** A request that failed authentication, before its 401 is written. */
export interface AuditFailedAuthentication {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
}

export interface AuditRequest {
  readonly auditID: string;
  /** The user the request acts as, when impersonating. */
  impersonated(user: UserInfo): void;
  /** authorization.k8s.io/decision and /reason annotations. */
  authorized(decision: AuthorizationDecision): void;
  /** Wrap the handler's body reader (level Request and up) to log the request object. */
  instrument(h: { body(): Promise<Buffer>; object?(): Promise<unknown>; ctx?: { auditAnnotations?: Record<string, string> } }): void;
  /** The request failed with this error (a non-API error is a Panic event). */
  failed(err: unknown): void;
}

export interface AuditSink {
  /** Start auditing a request (sets the Audit-ID response header); undefined when the policy level is None. */
  begin(b: AuditBegin): AuditRequest | undefined;
  /** Audit a request whose authentication failed (kube's WithFailedAuthenticationAudit); called before the 401 is written. */
  failedAuthentication?(b: AuditFailedAuthentication): void;
  /** Flush buffered events and close the log. */
  close?(): Promise<void>;
}
