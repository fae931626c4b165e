// Impersonation (kube's WithImpersonation filter), right after authentication: the headers
// Impersonate-User, Impersonate-Group (repeatable), Impersonate-Uid and Impersonate-Extra-<key>
// make the request act as another user, each one allowed only by the `impersonate` verb on
// users / groups / serviceaccounts (core group) or uids / userextras/<key>
// (authentication.k8s.io). A service account user gets its groups unless groups are given; every
// impersonated user but system:anonymous is in system:authenticated.
import type { IncomingMessage } from 'node:http';
import type { Authorizer, UserInfo } from '../apiserver/filters/pipeline.js';
import { ApiError } from '../apiserver/status.js';
import type { RequestInfo } from '../apiserver/request-info.js';
import { forbiddenError } from './authz/forbidden.js';
import type { RequestAttributes } from './authz/types.js';
import type { UnionAuthorizer } from './authz/union.js';

const extraPrefix = 'impersonate-extra-';

function headerValues(req: IncomingMessage, name: string): string[] {
  const d = req.headersDistinct?.[name];
  if (d) return d;
  const v = req.headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Whether the request carries any impersonation header. */
export function wantsImpersonation(req: IncomingMessage): boolean {
  return Object.keys(req.headers).some((h) => h.startsWith('impersonate-'));
}

function toInfo(a: RequestAttributes): RequestInfo {
  return {
    isResourceRequest: true,
    path: '',
    verb: a.verb,
    apiPrefix: a.apiGroup ? 'apis' : 'api',
    group: a.apiGroup ?? '',
    version: 'v1',
    namespace: a.namespace ?? '',
    resource: a.resource ?? '',
    subresource: a.subresource ?? '',
    name: a.name ?? '',
    parts: [],
  };
}

/** The user the request acts as (the authenticated one when there are no impersonation headers). */
export async function impersonate(req: IncomingMessage, requester: UserInfo, authorizer: Authorizer): Promise<UserInfo> {
  if (!wantsImpersonation(req)) return requester;
  const userName = headerValues(req, 'impersonate-user')[0];
  const groups = headerValues(req, 'impersonate-group');
  const uid = headerValues(req, 'impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  for (const h of Object.keys(req.headers)) {
    if (!h.startsWith(extraPrefix)) continue;
    const key = decodeURIComponent(h.slice(extraPrefix.length)).toLowerCase();
    extra[key] = headerValues(req, h);
  }
  if (!userName) {
    if (groups.length || uid !== undefined || Object.keys(extra).length)
      throw new ApiError(500, 'InternalError', 'Internal error occurred: requested impersonation of groups, extra or uid without impersonating a user');
    return requester;
  }
  const check = async (a: Omit<RequestAttributes, 'user' | 'verb' | 'resourceRequest'>) => {
    const attrs: RequestAttributes = { user: requester, verb: 'impersonate', resourceRequest: true, ...a };
    // The union authorizer takes attributes directly (an extra key may contain "/").
    const union = authorizer as Partial<UnionAuthorizer>;
    const md = union.decide?.(attrs);
    const d = md ? { allowed: md.decision === 'allow', reason: md.reason } : await authorizer.authorize(requester, toInfo(attrs));
    if (!d.allowed) throw forbiddenError(attrs, d.reason);
  };
  let userGroups: string[] = [];
  const sa = userName.match(/^system:serviceaccount:([^:]+):([^:]+)$/);
  if (sa) {
    await check({ apiGroup: '', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] });
    if (!groups.length) userGroups = ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`];
  } else await check({ apiGroup: '', resource: 'users', name: userName });
  for (const g of groups) await check({ apiGroup: '', resource: 'groups', name: g });
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) await check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: k, name: v });
  if (uid !== undefined) await check({ apiGroup: 'authentication.k8s.io', resource: 'uids', name: uid });
  userGroups.push(...groups);
  if (userName === 'system:anonymous') {
    if (!userGroups.includes('system:unauthenticated')) userGroups.push('system:unauthenticated');
  } else if (!userGroups.includes('system:authenticated')) userGroups.push('system:authenticated');
  const out: UserInfo = { name: userName, groups: userGroups };
  if (uid !== undefined) out.uid = uid;
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}
