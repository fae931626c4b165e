// Shared by the authorization.k8s.io/v1 reviews (create-only, not stored): validation of a
// SubjectAccessReviewSpec, and the decision of the apiserver's own authorizer for a user and
// resource or non-resource attributes (kube's authorizationutil). Reviews are answered by the
// same union of modes that guards requests, so `kubectl auth can-i` matches what happens.
import { invalid, type FieldErrorList } from '../../../api/field-errors.js';
import type { KObject } from '../strategy.js';
import type { Handler } from '../../handlers/context.js';
import type { UserInfo } from '../../filters/pipeline.js';
import type { RequestInfo } from '../../request-info.js';
import type { RequestAttributes, UserRules } from '../../../auth/authz/types.js';
import type { UnionAuthorizer } from '../../../auth/authz/union.js';

export const authorizationGroup = 'authorization.k8s.io';

/** Exactly one of resourceAttributes / nonResourceAttributes (ValidateSelfSubjectAccessReviewSpec). */
export function validateAttributes(spec: KObject | undefined): FieldErrorList {
  const ra = spec?.resourceAttributes;
  const nra = spec?.nonResourceAttributes;
  if (ra && nra) return [invalid('spec.resourceAttributes', nra, 'cannot be specified in combination with resourceAttributes')];
  if (!ra && !nra) return [invalid('spec.resourceAttributes', nra ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

/** Authorization attributes from a review's spec. */
export function reviewAttributes(user: UserInfo, spec: KObject): RequestAttributes {
  const ra = spec.resourceAttributes;
  if (!ra) return { user, verb: spec.nonResourceAttributes?.verb ?? '', resourceRequest: false, path: spec.nonResourceAttributes?.path ?? '' };
  return {
    user,
    verb: ra.verb ?? '',
    resourceRequest: true,
    apiGroup: ra.group ?? '',
    resource: ra.resource ?? '',
    subresource: ra.subresource || undefined,
    namespace: ra.namespace || undefined,
    name: ra.name || undefined,
  };
}

function toInfo(a: RequestAttributes): RequestInfo {
  return {
    isResourceRequest: a.resourceRequest,
    path: a.path ?? '',
    verb: a.verb,
    apiPrefix: '',
    group: a.apiGroup ?? '',
    version: '',
    namespace: a.namespace ?? '',
    resource: a.resource ?? '',
    subresource: a.subresource ?? '',
    name: a.name ?? '',
    parts: [],
  };
}

/** The review status: allowed, denied (an explicit Deny), reason. */
export async function decide(h: Handler, a: RequestAttributes): Promise<KObject> {
  const authz = h.state.pipeline.authorizer as Partial<UnionAuthorizer> & typeof h.state.pipeline.authorizer;
  let allowed: boolean;
  let denied = false;
  let reason: string;
  if (authz.decide) {
    const d = authz.decide(a);
    allowed = d.decision === 'allow';
    denied = d.decision === 'deny';
    reason = d.reason;
  } else {
    const d = await authz.authorize(a.user, toInfo(a));
    allowed = d.allowed;
    reason = d.reason ?? '';
  }
  const status: KObject = { allowed };
  if (denied) status.denied = true;
  if (reason) status.reason = reason;
  return status;
}

/** The rules the apiserver's authorizer lists for a user in a namespace (incomplete when it cannot list them). */
export function rulesFor(h: Handler, user: UserInfo, namespace: string): UserRules {
  const authz = h.state.pipeline.authorizer as Partial<UnionAuthorizer>;
  return authz.rulesFor ? authz.rulesFor(user, namespace) : { rules: [], incomplete: true };
}

/** A review answered: the request with status, no stored metadata. */
export const answer = (obj: KObject, status: KObject): KObject => ({ ...obj, metadata: { ...(obj.metadata ?? {}), creationTimestamp: null }, status });
