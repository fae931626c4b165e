// authorization.k8s.io/v1 SelfSubjectAccessReview (create-only, not stored; `kubectl auth
// can-i`): may the requesting user (after impersonation) do this?
import { defineVirtual } from '../../../handlers/virtual.js';
import { answer, authorizationGroup, decide, reviewAttributes, validateAttributes } from '../review.js';

export const strategy = defineVirtual({
  info: { group: authorizationGroup, version: 'v1', kind: 'SelfSubjectAccessReview', listKind: 'SelfSubjectAccessReviewList', resource: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', namespaced: false },
  validate: (obj) => validateAttributes(obj.spec),
  async create(obj, h) {
    return answer(obj, await decide(h, reviewAttributes(h.user, obj.spec)));
  },
});
