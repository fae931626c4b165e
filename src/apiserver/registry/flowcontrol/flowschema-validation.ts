// FlowSchema spec validation as kube's pkg/apis/flowcontrol/validation: matchingPrecedence in
// 1..10000 (1 only for 'exempt'), a distinguisher ByUser/ByNamespace, a priority level named,
// and rules with subjects (User/Group/ServiceAccount) plus resource or non-resource rules whose
// verbs, groups, resources, namespaces and URLs are well formed ('*' alone or not at all).
import { type FieldErrorList, invalid, forbidden, notSupported, required } from '../../../api/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../api/validation/names.js';

export const maxMatchingPrecedence = 10000;
const supportedVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const distinguisherMethods = ['ByNamespace', 'ByUser'];
const subjectKinds = ['Group', 'ServiceAccount', 'User'];
const nsErrIntro = "each member of this list must be '*' or a DNS-1123 label; ";

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x)) : []);

function validateSubject(s: any, p: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const one = (kind: string, field: 'user' | 'group' | 'serviceAccount') => {
    const v = s?.[field];
    if (v == null) return errs.push(required(`${p}.${field}`, `${field} is required when subject kind is '${kind}'`));
    if (!v.name) return errs.push(required(`${p}.${field}.name`, ''));
    if (field === 'serviceAccount' && v.name !== '*') for (const m of isDNS1123Subdomain(v.name)) errs.push(invalid(`${p}.${field}.name`, v.name, m));
    return 0;
  };
  const notOther = (kind: string) => {
    if (kind !== 'User' && s?.user != null) errs.push(forbidden(`${p}.user`, "user is forbidden when subject kind is not 'User'"));
    if (kind !== 'Group' && s?.group != null) errs.push(forbidden(`${p}.group`, "group is forbidden when subject kind is not 'Group'"));
    if (kind !== 'ServiceAccount' && s?.serviceAccount != null) errs.push(forbidden(`${p}.serviceAccount`, "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"));
  };
  switch (s?.kind) {
    case 'ServiceAccount': {
      one('ServiceAccount', 'serviceAccount');
      const ns = s.serviceAccount?.namespace;
      if (s.serviceAccount != null) {
        if (!ns) errs.push(required(`${p}.serviceAccount.namespace`, 'must specify namespace for service account'));
        else for (const m of isDNS1123Label(ns)) errs.push(invalid(`${p}.serviceAccount.namespace`, ns, m));
      }
      notOther('ServiceAccount');
      break;
    }
    case 'User':
      one('User', 'user');
      notOther('User');
      break;
    case 'Group':
      one('Group', 'group');
      notOther('Group');
      break;
    default:
      errs.push(notSupported(`${p}.kind`, s?.kind ?? '', subjectKinds));
  }
  return errs;
}

function validateVerbs(verbs: string[], p: string): FieldErrorList {
  if (verbs.length === 0) return [required(p, 'verbs must contain at least one value')];
  if (verbs.includes('*')) return verbs.length > 1 ? [invalid(p, verbs, "if '*' is present, must not specify other verbs")] : [];
  return verbs.every((v) => supportedVerbs.includes(v)) ? [] : [notSupported(p, verbs, supportedVerbs)];
}

function validateResourceRule(r: any, p: string): FieldErrorList {
  const errs = validateVerbs(list(r?.verbs), `${p}.verbs`);
  const groups = list(r?.apiGroups);
  if (groups.length === 0) errs.push(required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
  else if (groups.length > 1 && groups.includes('*')) errs.push(invalid(`${p}.apiGroups`, groups, "if '*' is present, must not specify other api groups"));
  const resources = list(r?.resources);
  if (resources.length === 0) errs.push(required(`${p}.resources`, 'resource rules must supply at least one resource'));
  else if (resources.length > 1 && resources.includes('*')) errs.push(invalid(`${p}.resources`, resources, "if '*' is present, must not specify other resources"));
  const namespaces = list(r?.namespaces);
  if (namespaces.length === 0 && !r?.clusterScope) errs.push(required(`${p}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
  else if (namespaces.includes('*')) {
    if (namespaces.length > 1) errs.push(invalid(`${p}.namespaces`, namespaces, "if '*' is present, must not specify other namespaces"));
  } else namespaces.forEach((ns, i) => { for (const m of isDNS1123Label(ns)) errs.push(invalid(`${p}.namespaces[${i}]`, ns, nsErrIntro + m)); });
  return errs;
}

/** kube's ValidateNonResourceURLPath. */
function validateURLPath(path: string, p: string): FieldErrorList {
  if (path === '') return [invalid(p, path, 'must not be empty')];
  if (path === '/') return [];
  if (!path.startsWith('/')) return [invalid(p, path, 'must start with slash')];
  if (path.includes(' ')) return [invalid(p, path, 'must not contain white-space')];
  if (path.includes('//')) return [invalid(p, path, 'must not contain double slash')];
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.endsWith('/*'))) return [invalid(p, path, 'wildcard can only do suffix glob matching')];
  return [];
}

function validateNonResourceRule(r: any, p: string): FieldErrorList {
  const errs = validateVerbs(list(r?.verbs), `${p}.verbs`);
  const urls = list(r?.nonResourceURLs);
  if (urls.length === 0) errs.push(required(`${p}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
  else if (urls.includes('*')) {
    if (urls.length > 1) errs.push(invalid(`${p}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs"));
  } else urls.forEach((u, i) => errs.push(...validateURLPath(u, `${p}.nonResourceURLs[${i}]`)));
  return errs;
}

function validateRule(rule: any, p: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const subjects: any[] = Array.isArray(rule?.subjects) ? rule.subjects : [];
  if (subjects.length === 0) errs.push(required(`${p}.subjects`, 'subjects must contain at least one value'));
  subjects.forEach((s, i) => errs.push(...validateSubject(s, `${p}.subjects[${i}]`)));
  const rr: any[] = Array.isArray(rule?.resourceRules) ? rule.resourceRules : [];
  const nr: any[] = Array.isArray(rule?.nonResourceRules) ? rule.nonResourceRules : [];
  if (rr.length === 0 && nr.length === 0) errs.push(required(p, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  rr.forEach((r, i) => errs.push(...validateResourceRule(r, `${p}.resourceRules[${i}]`)));
  nr.forEach((r, i) => errs.push(...validateNonResourceRule(r, `${p}.nonResourceRules[${i}]`)));
  return errs;
}

/** ValidateFlowSchemaSpec. */
export function validateFlowSchemaSpec(name: string, spec: any): FieldErrorList {
  const errs: FieldErrorList = [];
  const mp = spec?.matchingPrecedence ?? 0;
  if (mp <= 0) errs.push(invalid('spec.matchingPrecedence', mp, 'must be a positive value'));
  if (mp > maxMatchingPrecedence) errs.push(invalid('spec.matchingPrecedence', mp, `must not be greater than ${maxMatchingPrecedence}`));
  if (mp === 1 && name !== 'exempt') errs.push(invalid('spec.matchingPrecedence', mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  const dm = spec?.distinguisherMethod;
  if (dm != null && !distinguisherMethods.includes(dm.type)) errs.push(notSupported('spec.distinguisherMethod.type', dm.type ?? '', distinguisherMethods));
  const pl = spec?.priorityLevelConfiguration?.name;
  if (!pl) errs.push(required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  else for (const m of isDNS1123Subdomain(pl)) errs.push(invalid('spec.priorityLevelConfiguration.name', pl, m));
  (Array.isArray(spec?.rules) ? spec.rules : []).forEach((r: any, i: number) => errs.push(...validateRule(r, `spec.rules[${i}]`)));
  return errs;
}
