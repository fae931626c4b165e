// authorization.k8s.io/v1 SubjectAccessReview (create-only, not stored): may user/groups in the
// spec do this? Answered by the apiserver's authorizer; the user is taken as given (no
// system:authenticated added), as kube does.
import { defineVirtual } from '../../../handlers/virtual.js';
import { invalid } from '../../../../api/field-errors.js';
import { answer, authorizationGroup, decide, reviewAttributes, validateAttributes } from '../review.js';

export const strategy = defineVirtual({
  info: { group: authorizationGroup, version: 'v1', kind: 'SubjectAccessReview', listKind: 'SubjectAccessReviewList', resource: 'subjectaccessreviews', singular: 'subjectaccessreview', namespaced: false },
  validate(obj) {
    const errs = validateAttributes(obj.spec);
    if (!obj.spec?.user && !(obj.spec?.groups ?? []).length) errs.push(invalid('spec.user', obj.spec?.user ?? '', 'at least one of user or group must be specified'));
    return errs;
  },
  async create(obj, h) {
    const s = obj.spec;
    const user = { name: s.user ?? '', groups: s.groups ?? [], uid: s.uid, extra: s.extra };
    return answer(obj, await decide(h, reviewAttributes(user, s)));
  },
});
