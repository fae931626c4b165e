// The clusterrole-aggregation controller (kube's ClusterRoleAggregationController): a ClusterRole
// with an aggregationRule gets as its rules the rules of every other ClusterRole its selectors
// match, in name order, duplicates left out; any ClusterRole change re-checks every aggregated
// role. So `kubectl get clusterrole <aggregated> -o yaml` shows the rules, as in kube (the RBAC
// authorizer resolves aggregation itself too, so access never waits for this controller).
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { resourcePath, type ResourceRef } from '../../client/resources.js';
import { matchesLabelSelector, type LabelSelectorObject } from '../../api/selectors/selector-objects.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';

const clusterRoles: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false };

/** Field order as kube's PolicyRule, so equal rules compare equal whatever order a client wrote. */
const canonical = (r: K) => JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);

/** The rules an aggregated role should hold, from the roles it selects (kube's order and dedup). */
export function aggregatedRules(role: K, all: K[]): K[] {
  const out: K[] = [];
  const seen = new Set<string>();
  for (const sel of (role.aggregationRule?.clusterRoleSelectors ?? []) as LabelSelectorObject[]) {
    const picked = all.filter((r) => r.metadata?.name !== role.metadata?.name && matchesLabelSelector(sel, r.metadata?.labels)).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    for (const r of picked)
      for (const rule of (r.rules ?? []) as K[]) {
        const key = canonical(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(rule);
      }
  }
  return out;
}

export class ClusterRoleAggregationController implements Controller {
  readonly name = 'clusterrole-aggregation';
  private readonly runner: QueueRunner;
  private readonly roles: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('clusterrole-aggregation', 1, (k) => this.sync(k));
    this.roles = ctx.informers.informerFor(clusterRoles);
    const all = () => {
      for (const r of this.roles.list() as K[]) if (r.aggregationRule) this.runner.enqueue(r.metadata.name);
    };
    this.roles.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(name: string): Promise<void> {
    const role = this.roles.get(name) as K | undefined;
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list() as K[]);
    const same = rules.length === (role.rules ?? []).length && rules.every((r, i) => canonical(r) === canonical(role.rules[i]));
    if (same) return;
    await this.ctx.client.put(resourcePath(clusterRoles, '', name), { ...role, rules }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

export const newClusterRoleAggregationController = (ctx: ControllerContext): Controller => new ClusterRoleAggregationController(ctx);
