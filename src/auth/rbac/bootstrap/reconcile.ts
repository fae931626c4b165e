// Reconciles the bootstrap policy on apiserver start (kube's rbac/bootstrap-roles post-start
// hook): missing roles and bindings are created; existing ones annotated
// rbac.authorization.kubernetes.io/autoupdate=true get the rules, subjects and aggregation
// selectors they lack (nothing is removed: kube's reconcile without --remove-extra).
import type { Resources } from '../../../apiserver/resources.js';
import type { KObject } from '../../../apiserver/registry/strategy.js';
import { newContext } from '../../../apiserver/registry/generic/context.js';
import { ApiError } from '../../../apiserver/status.js';
import { userFacingClusterRoles } from './user-facing.js';
import { systemClusterRoles } from './system.js';
import { controllerClusterRoles } from './controllers.js';
import { clusterRoleBindings, namespacedRoleBindings, namespacedRoles } from './bindings.js';
import { logger } from '../../../util/log.js';

const log = logger('rbac');
const rbacGroup = 'rbac.authorization.k8s.io';
const autoupdate = 'rbac.authorization.kubernetes.io/autoupdate';

export const bootstrapClusterRoles = (): KObject[] => [...userFacingClusterRoles, ...systemClusterRoles, ...controllerClusterRoles];

const json = (v: unknown) => JSON.stringify(v);

/** Items of `want` not in `have` (by JSON equality). */
const missing = (have: unknown[] = [], want: unknown[] = []) => want.filter((w) => !have.some((h) => json(h) === json(w)));

function merge(kind: string, cur: KObject, want: KObject): KObject | undefined {
  if (cur.metadata?.annotations?.[autoupdate] === 'false') return undefined;
  const next = structuredClone(cur);
  let changed = false;
  if (kind === 'ClusterRole' || kind === 'Role') {
    const add = missing(cur.rules, want.rules);
    if (add.length) {
      next.rules = [...(cur.rules ?? []), ...add];
      changed = true;
    }
    if (want.aggregationRule) {
      const sel = missing(cur.aggregationRule?.clusterRoleSelectors, want.aggregationRule.clusterRoleSelectors);
      if (sel.length) {
        next.aggregationRule = { clusterRoleSelectors: [...(cur.aggregationRule?.clusterRoleSelectors ?? []), ...sel] };
        changed = true;
      }
    }
  } else {
    const norm = (s: KObject) => ({ kind: s.kind, name: s.name, namespace: s.namespace || undefined });
    const add = (want.subjects ?? []).filter((w: KObject) => !(cur.subjects ?? []).some((h: KObject) => json(norm(h)) === json(norm(w))));
    if (add.length) {
      next.subjects = [...(cur.subjects ?? []), ...add];
      changed = true;
    }
  }
  const meta = (next.metadata ??= {});
  for (const [k, v] of Object.entries(want.metadata?.labels ?? {}))
    if (meta.labels?.[k] === undefined) {
      (meta.labels ??= {})[k] = v;
      changed = true;
    }
  return changed ? next : undefined;
}

async function reconcileOne(resources: Resources, resource: string, obj: KObject): Promise<void> {
  const s = resources.storeFor(rbacGroup, resource);
  if (!s) return;
  const ns = obj.metadata!.namespace ?? '';
  const ctx = newContext(ns);
  const cur = await s.get(ns, obj.metadata!.name).catch((e) => {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  });
  try {
    if (!cur) {
      await s.create(ctx, structuredClone(obj));
      return;
    }
    const next = merge(obj.kind!, cur, obj);
    if (next) {
      await s.update(ctx, obj.metadata!.name, next);
      log.info({ kind: obj.kind, name: obj.metadata!.name }, 'reconciled bootstrap policy object');
    }
  } catch (e) {
    if (e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'Conflict')) return;
    throw e;
  }
}

/** Create or update every bootstrap policy object. */
export async function reconcileBootstrapPolicy(resources: Resources): Promise<void> {
  const work: Array<[string, KObject]> = [
    ...bootstrapClusterRoles().map((o) => ['clusterroles', o] as [string, KObject]),
    ...clusterRoleBindings.map((o) => ['clusterrolebindings', o] as [string, KObject]),
    ...namespacedRoles.map((o) => ['roles', o] as [string, KObject]),
    ...namespacedRoleBindings.map((o) => ['rolebindings', o] as [string, KObject]),
  ];
  await Promise.all(work.map(([res, o]) => reconcileOne(resources, res, o)));
}
