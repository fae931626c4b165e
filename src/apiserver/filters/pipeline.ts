// The request pipeline's hooks, in kube-apiserver's order: authentication -> audit ->
// authorization -> admission (mutating, then validating) -> validation -> storage. Until the
// security issue fills them, authentication yields the admin user, authorization allows all,
// and admission runs only the built-in namespace lifecycle check (admission/).
import type { IncomingMessage } from 'node:http';
import type { RequestInfo } from '../request-info.js';
import type { KObject } from '../registry/strategy.js';
import type { RequestContext } from '../registry/generic/context.js';
import type { AuditSink } from '../audit/sink.js';

export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  /** Extra attributes (authentication.kubernetes.io/pod-name, credential-id, ...). */
  extra?: Record<string, string[]>;
}

export interface Authenticator {
  /** The user, or undefined when the request carries no credentials this authenticator knows (401 if none succeed). */
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined> | UserInfo | undefined;
}

export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Promise<AuthorizationDecision> | AuthorizationDecision;
}


export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  info: RequestInfo;
  object?: KObject;
  oldObject?: KObject;
  ctx: RequestContext;
}

/** An admission plugin: mutate (may change attrs.object) and/or validate (throw ApiError to deny). */
export interface AdmissionPlugin {
  name: string;
  admit?(a: AdmissionAttributes): Promise<void> | void;
  validate?(a: AdmissionAttributes): Promise<void> | void;
}

export interface Pipeline {
  /** Tried in order; see server.ts authenticate(). */
  authenticators: Authenticator[];
  /** Requests without credentials are system:anonymous (`--anonymous-auth`). */
  anonymous: boolean;
  authorizer: Authorizer;
  audit?: AuditSink;
  admission: AdmissionPlugin[];
}

export const adminUser: UserInfo = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

export const allowAll: Authorizer = { authorize: () => ({ allowed: true }) };


export async function runAdmission(p: Pipeline, a: AdmissionAttributes): Promise<void> {
  for (const pl of p.admission) await pl.admit?.(a);
  for (const pl of p.admission) await pl.validate?.(a);
}
