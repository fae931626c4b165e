// The authorizer interface as Kubernetes' authorization modes implement it (Allow, Deny or
// NoOpinion with a reason), the rules a user holds (SelfSubjectRulesReview, escalation checks),
// and the mapping from the apiserver's RequestInfo to authorization attributes.
import type { RequestInfo } from '../../apiserver/request-info.js';
import type { UserInfo } from '../../apiserver/filters/pipeline.js';
import type { RequestAttributes } from '../rbac/authorizer.js';

export type { RequestAttributes };
export type Verdict = 'allow' | 'deny' | 'noopinion';

export interface ModeDecision {
  decision: Verdict;
  reason: string;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface UserRules {
  rules: PolicyRule[];
  /** A mode could not list everything it would allow (kube's SelfSubjectRulesReview incomplete). */
  incomplete: boolean;
}

/** One authorization mode (Node, RBAC, AlwaysAllow, AlwaysDeny). */
export interface ModeAuthorizer {
  name: string;
  authorize(a: RequestAttributes): ModeDecision;
  /** The rules this mode grants the user in a namespace ('' = cluster-wide only). */
  rulesFor?(user: UserInfo, namespace: string): UserRules;
}

/** Authorization attributes of a request (kube's RequestInfo -> authorizer.Attributes). */
export function attributesOf(user: UserInfo, info: RequestInfo): RequestAttributes {
  if (!info.isResourceRequest) return { user, verb: info.verb, resourceRequest: false, path: info.path };
  const sub = info.subresource.split('/')[0];
  return {
    user,
    verb: info.verb,
    resourceRequest: true,
    apiGroup: info.group,
    resource: info.resource,
    subresource: sub || undefined,
    namespace: info.namespace || undefined,
    name: info.name || undefined,
  };
}
