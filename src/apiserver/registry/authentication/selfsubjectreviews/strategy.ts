// authentication.k8s.io/v1 SelfSubjectReview (create-only, not stored; `kubectl auth whoami`):
// answers status.userInfo with the user the request was authenticated as (name, uid, groups,
// extra).
import { defineVirtual } from '../../../handlers/virtual.js';
import { userInfoStatus } from '../tokenreviews/strategy.js';

export const strategy = defineVirtual({
  info: { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', listKind: 'SelfSubjectReviewList', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', namespaced: false },
  create(obj, h) {
    return { ...obj, metadata: { ...(obj.metadata ?? {}), creationTimestamp: null }, status: { userInfo: userInfoStatus(h.user) } };
  },
});
