// RBAC escalation prevention (kube's rbac policybased storage): creating or updating a Role or
// ClusterRole whose rules the user does not already hold is Forbidden unless the user may
// `escalate` on it; creating or updating a binding is Forbidden unless the user holds every rule
// of the referenced role or may `bind` it. Members of system:masters are never checked. Only the
// RBAC rules count as held rules (as kube's rule resolver). Installed as beforeWrite hooks of
// the four RBAC stores, so every write path (create, update, patch, apply) is covered.
import type { Resources } from '../../apiserver/resources.js';
import type { KObject } from '../../apiserver/registry/strategy.js';
import type { RequestContext } from '../../apiserver/registry/generic/context.js';
import { forbidden, notFound } from '../../apiserver/status.js';
import type { PolicyRule, RequestAttributes } from '../authz/types.js';
import type { UnionAuthorizer } from '../authz/union.js';
import { systemPrivilegedGroup } from '../authz/union.js';
import type { RbacIndex } from './live-authorizer.js';
import { compactRules, compactString, covers, quoteList } from './covers.js';

const rbacGroup = 'rbac.authorization.k8s.io';
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export interface EscalationDeps {
  authorizer: Pick<UnionAuthorizer, 'decide'>;
  rbac: RbacIndex;
}

/** The escalation error message, or undefined when the user holds every rule. */
export function confirmNoEscalation(deps: EscalationDeps, user: RequestContext['user'], namespace: string, rules: PolicyRule[]): string | undefined {
  const owner = deps.rbac.rulesFor({ name: user.name, groups: user.groups }, namespace).rules;
  const [ok, missing] = covers(owner, rules);
  if (ok) return undefined;
  return `user ${JSON.stringify(user.name)} (groups=${quoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${compactRules(missing).map(compactString).join('\n')}`;
}

const allowed = (deps: EscalationDeps, user: RequestContext['user'], a: Omit<RequestAttributes, 'user' | 'resourceRequest'>) =>
  deps.authorizer.decide({ user: { name: user.name, groups: user.groups }, resourceRequest: true, apiGroup: rbacGroup, ...a }).decision === 'allow';

const privileged = (ctx: RequestContext) => ctx.user.groups.includes(systemPrivilegedGroup);

function roleHook(deps: EscalationDeps, resource: 'roles' | 'clusterroles') {
  return (op: 'create' | 'update', obj: KObject, old: KObject | undefined, ctx: RequestContext) => {
    if (privileged(ctx)) return;
    const name = obj.metadata?.name ?? '';
    if (op === 'update' && JSON.stringify(obj.rules ?? []) === JSON.stringify(old?.rules ?? []) && JSON.stringify(obj.aggregationRule) === JSON.stringify(old?.aggregationRule)) return;
    if (allowed(deps, ctx.user, { verb: 'escalate', resource, namespace: ctx.namespace || undefined, name: op === 'update' ? name : undefined })) return;
    const gr = { group: rbacGroup, resource };
    const msg = confirmNoEscalation(deps, ctx.user, ctx.namespace, obj.rules ?? []);
    if (msg) throw forbidden(gr, name, msg);
    if (obj.aggregationRule && confirmNoEscalation(deps, ctx.user, ctx.namespace, fullAuthority)) throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
  };
}

function bindingHook(deps: EscalationDeps, resource: 'rolebindings' | 'clusterrolebindings') {
  return (_op: 'create' | 'update', obj: KObject, _old: KObject | undefined, ctx: RequestContext) => {
    if (privileged(ctx)) return;
    const ref = obj.roleRef ?? {};
    const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (allowed(deps, ctx.user, { verb: 'bind', resource: refResource, namespace: ctx.namespace || undefined, name: ref.name })) return;
    const rules = deps.rbac.roleRefRules(ref, ctx.namespace);
    if (!rules) throw notFound({ group: rbacGroup, resource: refResource }, ref.name ?? '');
    const msg = confirmNoEscalation(deps, ctx.user, ctx.namespace, rules);
    if (msg) throw forbidden({ group: rbacGroup, resource }, obj.metadata?.name ?? '', msg);
  };
}

/** Add the checks to the RBAC stores. */
export function installEscalationChecks(resources: Resources, deps: EscalationDeps): void {
  const add = (resource: string, hook: (op: 'create' | 'update', obj: KObject, old: KObject | undefined, ctx: RequestContext) => void) => {
    const s = resources.storeFor(rbacGroup, resource);
    if (s) s.beforeWrite.push(hook);
  };
  add('roles', roleHook(deps, 'roles'));
  add('clusterroles', roleHook(deps, 'clusterroles'));
  add('rolebindings', bindingHook(deps, 'rolebindings'));
  add('clusterrolebindings', bindingHook(deps, 'clusterrolebindings'));
}

