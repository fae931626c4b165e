// The 403 Forbidden Status kube-apiserver answers a denied request with
// (responsewriters.ForbiddenStatusError): `pods "web" is forbidden: User "jane" cannot get
// resource "pods" in API group "" in the namespace "default"`, the authorizer's reason appended
// after ": " when it has one.
import { ApiError, forbidden } from '../../apiserver/status.js';
import type { RequestAttributes } from './types.js';

export function forbiddenReason(a: RequestAttributes): string {
  if (!a.resourceRequest) return `User ${JSON.stringify(a.user.name)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? '');
  const where = a.namespace ? ` in the namespace ${JSON.stringify(a.namespace)}` : ' at the cluster scope';
  return `User ${JSON.stringify(a.user.name)} cannot ${a.verb} resource ${JSON.stringify(res)} in API group ${JSON.stringify(a.apiGroup ?? '')}${where}`;
}

export function forbiddenError(a: RequestAttributes, reason = ''): ApiError {
  const why = forbiddenReason(a) + (reason ? `: ${reason}` : '');
  if (!a.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${why}`);
  return forbidden({ group: a.apiGroup ?? '', resource: a.resource ?? '' }, a.name ?? '', why);
}
