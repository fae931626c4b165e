// authentication.k8s.io/v1 TokenReview (create-only, not stored): runs spec.token through the
// apiserver's bearer-token authenticators (static token file, bootstrap tokens, service account
// tokens) for spec.audiences (default: the API audiences) and answers status.authenticated,
// status.user, status.audiences and status.error. Authenticators that are not audience-aware
// (token file, bootstrap) accept the API audiences only, as kube's implicit-audience wrapper.
import { defineVirtual } from '../../../handlers/virtual.js';
import { badRequest } from '../../../status.js';
import type { KObject } from '../../strategy.js';
import { apiServerTokens } from '../../../../auth/tokens/registry.js';
import { AuthenticationError } from '../../../../auth/authn/errors.js';
import { tokenAudiences } from '../../../../auth/authn/service-account.js';
import type { UserInfo } from '../../../filters/pipeline.js';

export function userInfoStatus(u: UserInfo): KObject {
  const out: KObject = { username: u.name, groups: u.groups };
  if (u.uid) out.uid = u.uid;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

const goStrings = (a: string[]) => `[${a.map((x) => JSON.stringify(x)).join(' ')}]`;
const withAuthenticated = (groups: string[]) => (groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated']);

export const strategy = defineVirtual({
  info: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', listKind: 'TokenReviewList', resource: 'tokenreviews', singular: 'tokenreview', namespaced: false },
  async create(obj, h) {
    const token: string = obj.spec?.token ?? '';
    if (!token) throw badRequest('token is required for TokenReview in authentication');
    const tokens = apiServerTokens(h.state.resources);
    const requested: string[] = obj.spec?.audiences ?? [];
    const apiAudiences = tokens?.apiAudiences ?? [];
    const status: KObject = { user: {} };
    const errors: string[] = [];
    let user: UserInfo | undefined;
    for (const t of tokens?.tokens ?? []) {
      try {
        user = await t.authenticateToken(token, requested.length ? requested : undefined);
      } catch (e) {
        if (!(e instanceof AuthenticationError)) throw e;
        errors.push(e.message);
      }
      if (user) break;
    }
    let auds = user && tokenAudiences(user);
    if (user && !auds) {
      // Not audience-aware: the API audiences are implied.
      auds = requested.length ? requested.filter((a) => apiAudiences.includes(a)) : apiAudiences;
      if (!auds.length) {
        errors.push(`token audiences ${goStrings(apiAudiences)} is invalid for the target audiences ${goStrings(requested)}`);
        user = undefined;
      }
    }
    status.authenticated = !!user;
    if (user) {
      status.user = userInfoStatus({ ...user, groups: withAuthenticated(user.groups) });
      status.audiences = auds;
    }
    if (!user && errors.length) status.error = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
    return { ...obj, metadata: { ...(obj.metadata ?? {}), creationTimestamp: null }, status };
  },
});
