// The RBAC authorization mode over live objects: Roles, ClusterRoles and their bindings come
// from the apiserver's watch caches (cache-informer.ts) and bindings are indexed by subject
// (user, group, service account), so a request looks only at the bindings that name its user or
// one of its groups. Aggregated ClusterRoles are resolved here, at evaluation time, and memoized
// until a ClusterRole changes (kube's clusterrole-aggregation controller writes the union into
// the aggregated role instead; both give the same answers). RBAC never denies: no matching rule
// is "no opinion", so the next mode decides.
import type { KObject } from '../../apiserver/registry/strategy.js';
import type { UserInfo } from '../../apiserver/filters/pipeline.js';
import type { Resources } from '../../apiserver/resources.js';
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import { CacheInformer, type InformerHandler } from '../authz/cache-informer.js';
import type { ModeAuthorizer, ModeDecision, PolicyRule, RequestAttributes, UserRules } from '../authz/types.js';
import { ruleAllows } from './authorizer.js';

const rbacGroup = 'rbac.authorization.k8s.io';
const saPrefix = 'system:serviceaccount:';

/** The index keys of a binding subject. */
function subjectKey(s: KObject, bindingNamespace: string): string | undefined {
  if (s?.kind === 'User') return `u:${s.name}`;
  if (s?.kind === 'Group') return `g:${s.name}`;
  if (s?.kind === 'ServiceAccount') return `u:${saPrefix}${s.namespace || bindingNamespace}:${s.name}`;
  return undefined;
}

function userKeys(user: UserInfo): string[] {
  return [`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)];
}

const describeSubject = (user: UserInfo, b: KObject, ns: string): string => {
  for (const s of b.subjects ?? []) {
    const k = subjectKey(s, ns);
    if (k === `u:${user.name}`) return s.kind === 'ServiceAccount' ? `ServiceAccount "${s.name}/${s.namespace || ns}"` : `User "${s.name}"`;
    if (k?.startsWith('g:') && user.groups.includes(s.name)) return `Group "${s.name}"`;
  }
  return `User "${user.name}"`;
};

/** A multimap key -> set of bindings. */
class BindingIndex implements InformerHandler {
  readonly bySubject = new Map<string, Set<KObject>>();
  private byKey = new Map<string, KObject>();
  constructor(private namespaced: boolean) {}
  private id = (o: KObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  upsert(obj: KObject): void {
    this.remove(obj);
    this.byKey.set(this.id(obj), obj);
    for (const s of obj.subjects ?? []) {
      const k = subjectKey(s, this.namespaced ? obj.metadata?.namespace : '');
      if (!k) continue;
      let set = this.bySubject.get(k);
      if (!set) this.bySubject.set(k, (set = new Set()));
      set.add(obj);
    }
  }
  remove(obj: KObject): void {
    const old = this.byKey.get(this.id(obj));
    if (!old) return;
    this.byKey.delete(this.id(obj));
    for (const s of old.subjects ?? []) {
      const k = subjectKey(s, this.namespaced ? old.metadata?.namespace : '');
      const set = k ? this.bySubject.get(k) : undefined;
      set?.delete(old);
      if (set && !set.size) this.bySubject.delete(k!);
    }
  }
  clear(): void {
    this.bySubject.clear();
    this.byKey.clear();
  }
  /** Bindings naming the user, one of its groups (or its service account). */
  forUser(user: UserInfo): KObject[] {
    const out = new Set<KObject>();
    for (const k of userKeys(user)) for (const b of this.bySubject.get(k) ?? []) out.add(b);
    return [...out];
  }
}

class RoleIndex implements InformerHandler {
  readonly byKey = new Map<string, KObject>();
  constructor(private onChange?: () => void) {}
  upsert(obj: KObject): void {
    this.byKey.set(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`, obj);
    this.onChange?.();
  }
  remove(obj: KObject): void {
    this.byKey.delete(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`);
    this.onChange?.();
  }
  clear(): void {
    this.byKey.clear();
    this.onChange?.();
  }
}

/** The RBAC state as plain maps (fed by informers in the apiserver, by hand in tests). */
export class RbacIndex {
  readonly roles = new RoleIndex();
  readonly clusterRoles = new RoleIndex(() => this.aggregated.clear());
  readonly roleBindings = new BindingIndex(true);
  readonly clusterRoleBindings = new BindingIndex(false);
  private aggregated = new Map<string, PolicyRule[]>();

  /** A ClusterRole's rules with its aggregationRule resolved (memoized; cycles ignored). */
  clusterRoleRules(name: string, seen = new Set<string>()): PolicyRule[] {
    const memo = this.aggregated.get(name);
    if (memo) return memo;
    const role = this.clusterRoles.byKey.get(`/${name}`);
    if (!role || seen.has(name)) return [];
    seen.add(name);
    const rules: PolicyRule[] = [...(role.rules ?? [])];
    const selectors: Parameters<typeof matchesLabelSelector>[0][] = role.aggregationRule?.clusterRoleSelectors ?? [];
    if (selectors.length) {
      const names = [...this.clusterRoles.byKey.values()].filter((o) => o !== role && selectors.some((s) => matchesLabelSelector(s, o.metadata?.labels))).map((o) => o.metadata!.name as string);
      for (const n of names.sort()) for (const r of this.clusterRoleRules(n, seen)) if (!rules.some((x) => sameRule(x, r))) rules.push(r);
    }
    if (seen.size === 1) this.aggregated.set(name, rules);
    return rules;
  }

  /** The rules a roleRef points at (undefined: the role does not exist). */
  roleRefRules(ref: KObject, namespace: string): PolicyRule[] | undefined {
    if (ref?.kind === 'ClusterRole') return this.clusterRoles.byKey.has(`/${ref.name}`) ? this.clusterRoleRules(ref.name) : undefined;
    if (ref?.kind === 'Role') return this.roles.byKey.get(`${namespace}/${ref.name}`)?.rules ?? (this.roles.byKey.has(`${namespace}/${ref.name}`) ? [] : undefined);
    return undefined;
  }

  authorize(a: RequestAttributes): ModeDecision {
    for (const b of this.clusterRoleBindings.forUser(a.user)) {
      if (b.roleRef?.kind !== 'ClusterRole') continue;
      if (this.clusterRoleRules(b.roleRef.name).some((r) => ruleAllows(r, a)))
        return { decision: 'allow', reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata?.name}" of ClusterRole "${b.roleRef.name}" to ${describeSubject(a.user, b, '')}` };
    }
    if (a.resourceRequest && a.namespace) {
      for (const b of this.roleBindings.forUser(a.user)) {
        const ns = b.metadata?.namespace;
        if (ns !== a.namespace) continue;
        if ((this.roleRefRules(b.roleRef, ns) ?? []).some((r) => ruleAllows(r, a)))
          return { decision: 'allow', reason: `RBAC: allowed by RoleBinding "${b.metadata?.name}/${ns}" of ${b.roleRef?.kind} "${b.roleRef?.name}" to ${describeSubject(a.user, b, ns)}` };
      }
    }
    return { decision: 'noopinion', reason: '' };
  }

  /** Every rule the user holds in a namespace (cluster-wide bindings plus the namespace's). */
  rulesFor(user: UserInfo, namespace: string): UserRules {
    const rules: PolicyRule[] = [];
    for (const b of this.clusterRoleBindings.forUser(user)) if (b.roleRef?.kind === 'ClusterRole') rules.push(...this.clusterRoleRules(b.roleRef.name));
    if (namespace && namespace !== '*')
      for (const b of this.roleBindings.forUser(user)) if (b.metadata?.namespace === namespace) rules.push(...(this.roleRefRules(b.roleRef, namespace) ?? []));
    return { rules, incomplete: false };
  }
}

const sameRule = (a: PolicyRule, b: PolicyRule) => JSON.stringify(a) === JSON.stringify(b);

/** The RBAC mode, fed from the apiserver's watch caches. */
export class RbacAuthorizer implements ModeAuthorizer {
  readonly name = 'RBAC';
  readonly index = new RbacIndex();
  private informers: CacheInformer[];
  readonly synced: Promise<void>;

  constructor(resources: Resources) {
    const ix = this.index;
    this.informers = [
      new CacheInformer(resources, rbacGroup, 'clusterroles', ix.clusterRoles),
      new CacheInformer(resources, rbacGroup, 'roles', ix.roles),
      new CacheInformer(resources, rbacGroup, 'clusterrolebindings', ix.clusterRoleBindings),
      new CacheInformer(resources, rbacGroup, 'rolebindings', ix.roleBindings),
    ];
    this.synced = Promise.all(this.informers.map((i) => i.synced)).then(() => {});
  }
  authorize(a: RequestAttributes): ModeDecision {
    return this.index.authorize(a);
  }
  rulesFor(user: UserInfo, namespace: string): UserRules {
    return this.index.rulesFor(user, namespace);
  }
  async waitFor(rv: number): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitFor(rv)));
  }
  stop(): void {
    for (const i of this.informers) i.stop();
  }
}
