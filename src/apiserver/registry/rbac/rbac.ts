// Shared RBAC validation and printing (pkg/apis/rbac/validation): policy rules, role refs,
// subjects and their defaults; the role and binding tables.
import { type FieldErrorList, invalid, required, notSupported } from '../../../api/field-errors.js';
import { isValidPathSegmentName, isDNS1123Label, isDNS1123Subdomain } from '../../../api/validation/names.js';
import { validateLabelSelector } from '../../../api/validation/labels.js';
import { nameColumn, col, wide, ageColumn, age } from '../printers/columns.js';
import type { KObject, TableConvertor } from '../strategy.js';

export const rbacGroup = 'rbac.authorization.k8s.io';

export function validatePolicyRule(rule: any, path: string, namespaced: boolean): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!(rule?.verbs ?? []).length) errs.push(required(path + '.verbs', 'verbs must contain at least one value'));
  const nonResource: string[] = rule?.nonResourceURLs ?? [];
  if (nonResource.length) {
    if (namespaced) errs.push(invalid(path + '.nonResourceURLs', nonResource, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length || (rule.resources ?? []).length || (rule.resourceNames ?? []).length)
      errs.push(invalid(path + '.nonResourceURLs', nonResource, 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (!(rule?.apiGroups ?? []).length) errs.push(required(path + '.apiGroups', 'resource rules must supply at least one api group'));
  if (!(rule?.resources ?? []).length) errs.push(required(path + '.resources', 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRules(obj: KObject, namespaced: boolean): FieldErrorList {
  const errs: FieldErrorList = [];
  (obj.rules ?? []).forEach((r: any, i: number) => errs.push(...validatePolicyRule(r, `rules[${i}]`, namespaced)));
  return errs;
}

export function validateAggregationRule(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const ar = obj.aggregationRule;
  if (!ar) return errs;
  if (!(ar.clusterRoleSelectors ?? []).length) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  (ar.clusterRoleSelectors ?? []).forEach((s: any, i: number) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  return errs;
}

/** SetDefaults_RoleBinding / SetDefaults_Subject. */
export function defaultBinding(b: KObject): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup;
  for (const s of b.subjects ?? []) {
    if (!s || typeof s !== 'object' || s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = rbacGroup;
  }
}

export function validateBinding(b: KObject, namespaced: boolean): FieldErrorList {
  const errs: FieldErrorList = [];
  const ref = b.roleRef ?? {};
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['ClusterRole', 'Role'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name', ''));
  else for (const m of isValidPathSegmentName(ref.name, false)) errs.push(invalid('roleRef.name', ref.name, m));
  (b.subjects ?? []).forEach((s: any, i: number) => {
    const p = `subjects[${i}]`;
    if (!s?.name) errs.push(required(p + '.name', ''));
    switch (s?.kind) {
      case 'ServiceAccount':
        if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalid(p + '.name', s.name, m));
        if (s.apiGroup) errs.push(notSupported(p + '.apiGroup', s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(required(p + '.namespace', ''));
        if (s.namespace) for (const m of isDNS1123Label(s.namespace)) errs.push(invalid(p + '.namespace', s.namespace, m));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== rbacGroup) errs.push(notSupported(p + '.apiGroup', s.apiGroup ?? '', [rbacGroup]));
        break;
      default:
        errs.push(notSupported(p + '.kind', s?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

export function validateRoleRefUpdate(b: KObject, old: KObject): FieldErrorList {
  const a = b.roleRef ?? {};
  const o = old.roleRef ?? {};
  if (a.apiGroup !== o.apiGroup || a.kind !== o.kind || a.name !== o.name) return [invalid('roleRef', a, 'cannot change roleRef')];
  return [];
}

export const roleTable: TableConvertor = {
  columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
  cells: (r) => [r.metadata?.name ?? '', r.metadata?.creationTimestamp ?? ''],
};

/** SubjectsStrings: users, groups and service accounts ("namespace/name"). */
export function subjectsStrings(subjects: any[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s?.kind === 'User') users.push(s.name);
    else if (s?.kind === 'Group') groups.push(s.name);
    else if (s?.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export const bindingTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Role', 'string', 'Role references the role this binding refers to.'),
    ageColumn,
    wide('Users', 'string', 'Users in the binding'),
    wide('Groups', 'string', 'Groups in the binding'),
    wide('ServiceAccounts', 'string', 'ServiceAccounts in the binding'),
  ],
  cells: (b, now) => [b.metadata?.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(b, now), ...subjectsStrings(b.subjects)],
};
