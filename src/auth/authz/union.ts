// The union of authorization modes (kube's union authorizer): modes are asked in order; the
// first Allow or Deny decides, NoOpinion passes on; when every mode has no opinion the request is
// denied with their reasons joined by newlines. Also the fixed modes: AlwaysAllow, AlwaysDeny and
// the privileged-group mode kube-apiserver puts first (system:masters may do anything).
import type { AuthorizationDecision, Authorizer, UserInfo } from '../../apiserver/filters/pipeline.js';
import type { RequestInfo } from '../../apiserver/request-info.js';
import { attributesOf, type ModeAuthorizer, type ModeDecision, type RequestAttributes, type UserRules } from './types.js';

export const alwaysAllow: ModeAuthorizer = {
  name: 'AlwaysAllow',
  authorize: () => ({ decision: 'allow', reason: '' }),
  rulesFor: () => ({ rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }),
};

export const alwaysDeny: ModeAuthorizer = {
  name: 'AlwaysDeny',
  authorize: () => ({ decision: 'deny', reason: 'Everything is forbidden.' }),
  rulesFor: () => ({ rules: [], incomplete: false }),
};

export const systemPrivilegedGroup = 'system:masters';

export const privilegedGroups: ModeAuthorizer = {
  name: 'PrivilegedGroups',
  authorize: (a) => (a.user.groups.includes(systemPrivilegedGroup) ? { decision: 'allow', reason: '' } : { decision: 'noopinion', reason: '' }),
  rulesFor: (u) => (u.groups.includes(systemPrivilegedGroup) ? alwaysAllow.rulesFor!(u, '') : { rules: [], incomplete: false }),
};

/** An Authorizer for the apiserver's pipeline that also lists a user's rules. */
export interface UnionAuthorizer extends Authorizer {
  authorize(user: UserInfo, info: RequestInfo): AuthorizationDecision;
  modes: ModeAuthorizer[];
  decide(a: RequestAttributes): ModeDecision;
  rulesFor(user: UserInfo, namespace: string): UserRules;
}

export function unionAuthorizer(modes: ModeAuthorizer[]): UnionAuthorizer {
  const decide = (a: RequestAttributes): ModeDecision => {
    const reasons: string[] = [];
    for (const m of modes) {
      const d = m.authorize(a);
      if (d.decision !== 'noopinion') return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { decision: 'noopinion', reason: reasons.join('\n') };
  };
  return {
    modes,
    decide,
    authorize(user: UserInfo, info: RequestInfo): AuthorizationDecision {
      const d = decide(attributesOf(user, info));
      return { allowed: d.decision === 'allow', reason: d.reason };
    },
    rulesFor(user, namespace) {
      const out: UserRules = { rules: [], incomplete: false };
      for (const m of modes) {
        if (!m.rulesFor) {
          out.incomplete = true;
          continue;
        }
        const r = m.rulesFor(user, namespace);
        out.rules.push(...r.rules);
        if (r.incomplete) out.incomplete = true;
      }
      return out;
    },
  };
}
