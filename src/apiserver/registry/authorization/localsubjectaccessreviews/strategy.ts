// authorization.k8s.io/v1 LocalSubjectAccessReview (create-only, not stored): a
// SubjectAccessReview confined to the namespace it is posted to (spec.resourceAttributes.namespace
// must be that namespace; non-resource attributes are not allowed).
import { defineVirtual } from '../../../handlers/virtual.js';
import { invalid } from '../../../../api/field-errors.js';
import { badRequest } from '../../../status.js';
import { answer, authorizationGroup, decide, reviewAttributes } from '../review.js';

export const strategy = defineVirtual({
  info: { group: authorizationGroup, version: 'v1', kind: 'LocalSubjectAccessReview', listKind: 'LocalSubjectAccessReviewList', resource: 'localsubjectaccessreviews', singular: 'localsubjectaccessreview', namespaced: true },
  validate(obj) {
    const s = obj.spec ?? {};
    if (s.nonResourceAttributes) return [invalid('spec.nonResourceAttributes', s.nonResourceAttributes, 'disallowed on this kind of request')];
    if (!s.resourceAttributes) return [invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
    if (!s.user && !(s.groups ?? []).length) return [invalid('spec.user', s.user ?? '', 'at least one of user or group must be specified')];
    return [];
  },
  async create(obj, h) {
    const s = obj.spec;
    if ((s.resourceAttributes.namespace ?? '') !== h.info.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${h.info.namespace}`);
    const user = { name: s.user ?? '', groups: s.groups ?? [], uid: s.uid, extra: s.extra };
    return answer({ ...obj, metadata: { ...(obj.metadata ?? {}), namespace: h.info.namespace } }, await decide(h, reviewAttributes(user, s)));
  },
});
