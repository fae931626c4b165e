// Builders for the bootstrap policy data (kube's rbacv1helpers): rules from space-separated
// words, ClusterRoles/Roles/bindings carrying kube's bootstrapping label and the autoupdate
// annotation that lets the apiserver's reconciler add missing rules and subjects on start.
import type { KObject } from '../../../apiserver/registry/strategy.js';
import type { PolicyRule } from '../../authz/types.js';

const words = (s: string) => s.split(' ').filter(Boolean);
const rbacGroup = 'rbac.authorization.k8s.io';

/** A resource rule: verbs, API groups ('' is core; several separated by spaces: use ',' for core), resources. */
export function r(verbs: string, groups: string, resources: string, names?: string): PolicyRule {
  const rule: PolicyRule = { verbs: words(verbs), apiGroups: groups.split(' ').map((g) => (g === 'core' ? '' : g)), resources: words(resources) };
  if (names) rule.resourceNames = words(names);
  return rule;
}

/** A non-resource rule. */
export const nr = (verbs: string, urls: string): PolicyRule => ({ verbs: words(verbs), nonResourceURLs: words(urls) });

export const read = 'get list watch';
export const readWrite = 'create delete deletecollection patch update';
/** create/update/patch events in core and events.k8s.io (kube's eventsRule). */
export const events = (): PolicyRule[] => [r('create patch update', 'core events.k8s.io', 'events')];

const meta = (name: string, namespace?: string, labels: Record<string, string> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

export function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): KObject {
  const o: KObject = { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole', metadata: meta(name, undefined, extra.labels), rules };
  if (extra.aggregateFrom) o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${extra.aggregateFrom}`]: 'true' } }] };
  return o;
}

export const role = (namespace: string, name: string, rules: PolicyRule[]): KObject => ({ apiVersion: `${rbacGroup}/v1`, kind: 'Role', metadata: meta(name, namespace), rules });

/** Subjects: 'User:name', 'Group:name', 'SA:namespace:name'. */
function subjects(list: string[]): KObject[] {
  return list.map((s) => {
    const [kind, a, b] = s.split(':');
    if (kind === 'SA') return { kind: 'ServiceAccount', name: b, namespace: a };
    const name = s.slice(kind.length + 1);
    return { kind, apiGroup: rbacGroup, name };
  });
}

export const clusterRoleBinding = (name: string, roleName: string, subs: string[]): KObject => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: meta(name),
  roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName },
  subjects: subjects(subs),
});

export const roleBinding = (namespace: string, name: string, roleName: string, subs: string[]): KObject => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'RoleBinding',
  metadata: meta(name, namespace),
  roleRef: { apiGroup: rbacGroup, kind: 'Role', name: roleName },
  subjects: subjects(subs),
});
