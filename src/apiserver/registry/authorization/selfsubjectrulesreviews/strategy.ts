// authorization.k8s.io/v1 SelfSubjectRulesReview (create-only, not stored; `kubectl auth can-i
// --list`): every rule the requesting user holds in spec.namespace, split into resource and
// non-resource rules; incomplete when a mode (Node) cannot list what it would allow.
import { defineVirtual } from '../../../handlers/virtual.js';
import { badRequest } from '../../../status.js';
import { answer, authorizationGroup, rulesFor } from '../review.js';

export const strategy = defineVirtual({
  info: { group: authorizationGroup, version: 'v1', kind: 'SelfSubjectRulesReview', listKind: 'SelfSubjectRulesReviewList', resource: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview', namespaced: false },
  create(obj, h) {
    const ns: string = obj.spec?.namespace ?? '';
    if (!ns) throw badRequest('no namespace on request');
    const { rules, incomplete } = rulesFor(h, h.user, ns);
    const resourceRules = rules
      .filter((r) => !r.nonResourceURLs?.length)
      .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
    const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    return answer(obj, { resourceRules, nonResourceRules, incomplete });
  },
});
