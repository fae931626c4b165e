// RBAC as Kubernetes evaluates it (plugin/pkg/auth/authorizer/rbac): a request is allowed when
// some binding that applies to the user grants a rule that covers it. Deny is the absence of
// an allow; there are no deny rules.
//   - ClusterRoleBindings grant their ClusterRole everywhere; RoleBindings grant their Role or
//     ClusterRole in their own namespace only.
//   - Subjects: User (by name), Group (by name; system:authenticated etc. included in the user's
//     groups), ServiceAccount (user system:serviceaccount:<ns>:<name>).
//   - Rules: verbs, apiGroups, resources (incl. "pods/log" subresources and "*/scale"),
//     resourceNames, nonResourceURLs (with a trailing "*" prefix match); "*" matches all.
//   - Aggregated ClusterRoles take the rules of every ClusterRole their aggregationRule selects.
// The apiserver evaluates live objects with live-authorizer.ts (indexed by subject), which uses
// ruleAllows from here; authorize() over plain lists stays for tests and tools.
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';

export interface UserInfo {
  name: string;
  groups: string[];
}

/** The attributes of a request, as Kubernetes' authorizer.Attributes. */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  /** Resource requests. */
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests (e.g. /healthz). */
  path?: string;
}

export type K = Record<string, any>;

export interface RbacObjects {
  roles: K[];
  roleBindings: K[];
  clusterRoles: K[];
  clusterRoleBindings: K[];
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);

export function ruleAllows(rule: K, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some((u: string) => u === '*' || u === a.path || (u.endsWith('*') && (a.path ?? '').startsWith(u.slice(0, -1))));
  }
  if (rule.nonResourceURLs?.length && !rule.resources?.length) return false;
  if (!has(rule.apiGroups, a.apiGroup ?? '')) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? '');
  const resources: string[] = rule.resources ?? [];
  const resourceOk = resources.some((r) => r === '*' || r === combined || (a.subresource && r === `*/${a.subresource}`));
  if (!resourceOk) return false;
  if ((rule.resourceNames ?? []).length === 0) return true;
  return !!a.name && rule.resourceNames.includes(a.name);
}

export function subjectMatches(subject: K, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return user.name === `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}`;
    default:
      return false;
  }
}

/** A ClusterRole's rules, with aggregation resolved (cycles ignored). */
export function clusterRoleRules(name: string, all: K[], seen = new Set<string>()): K[] {
  const role = all.find((r) => r.metadata?.name === name);
  if (!role || seen.has(name)) return [];
  seen.add(name);
  const rules: K[] = [...(role.rules ?? [])];
  const selectors: K[] = role.aggregationRule?.clusterRoleSelectors ?? [];
  if (selectors.length)
    for (const other of all)
      if (other !== role && selectors.some((s) => matchesLabelSelector(s, other.metadata?.labels))) rules.push(...clusterRoleRules(other.metadata.name, all, seen));
  return rules;
}

/** Decide a request against the RBAC objects (Kubernetes' RBACAuthorizer.Authorize). */
export function authorize(objs: RbacObjects, a: RequestAttributes): Decision {
  for (const b of objs.clusterRoleBindings) {
    if (!(b.subjects ?? []).some((s: K) => subjectMatches(s, a.user, ''))) continue;
    if (b.roleRef?.kind !== 'ClusterRole') continue;
    if (clusterRoleRules(b.roleRef.name, objs.clusterRoles).some((r) => ruleAllows(r, a)))
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata?.name}" of ClusterRole "${b.roleRef.name}" to ${describe(a.user)}` };
  }
  if (a.resourceRequest && a.namespace) {
    for (const b of objs.roleBindings) {
      if (b.metadata?.namespace !== a.namespace) continue;
      if (!(b.subjects ?? []).some((s: K) => subjectMatches(s, a.user, b.metadata?.namespace))) continue;
      const rules =
        b.roleRef?.kind === 'ClusterRole'
          ? clusterRoleRules(b.roleRef.name, objs.clusterRoles)
          : (objs.roles.find((r) => r.metadata?.namespace === a.namespace && r.metadata?.name === b.roleRef?.name)?.rules ?? []);
      if (rules.some((r: K) => ruleAllows(r, a)))
        return { allowed: true, reason: `RBAC: allowed by RoleBinding "${b.metadata?.name}/${a.namespace}" of ${b.roleRef?.kind} "${b.roleRef?.name}" to ${describe(a.user)}` };
    }
  }
  return { allowed: false, reason: '' };
}

const describe = (u: UserInfo) => `User "${u.name}"`;

/**
 * The Forbidden message Kubernetes returns, e.g.
 * `pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"`.
 */
export function forbiddenMessage(a: RequestAttributes): string {
  if (!a.resourceRequest) return `forbidden: User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const subject = a.name ? `${res} "${a.name}"` : `${res}`;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${subject} is forbidden: User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup ?? ''}"${where}`;
}
