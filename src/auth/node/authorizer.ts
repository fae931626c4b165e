// The Node authorization mode (kube's plugin/pkg/auth/authorizer/node): a kubelet, user
// system:node:<name> in group system:nodes, may read the secrets, configmaps, persistent volume
// claims and volumes only of pods bound to its node (graph.ts), request tokens only for their
// service accounts, and touch only its own Lease and CSINode; for every other resource the static
// node rules (the system:node ClusterRole's) apply. Anything else is "no opinion" with a reason.
// keelson divergence: two NodeRestriction admission checks live here instead: a node may modify
// only its own Node object and the status of pods bound to it.
import type { Resources } from '../../apiserver/resources.js';
import { CacheInformer } from '../authz/cache-informer.js';
import type { ModeAuthorizer, ModeDecision, RequestAttributes, UserRules } from '../authz/types.js';
import type { UserInfo } from '../../apiserver/filters/pipeline.js';
import { ruleAllows } from '../rbac/authorizer.js';
import { nodeRules } from '../rbac/bootstrap/system.js';
import { NodeGraph, type RefKind } from './graph.js';

const staticRules = nodeRules();
const noOpinion = (reason = ''): ModeDecision => ({ decision: 'noopinion', reason });
const allow: ModeDecision = { decision: 'allow', reason: '' };

/** The node a user is the kubelet of, or undefined. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.groups.includes('system:nodes') || !user.name.startsWith('system:node:')) return undefined;
  return user.name.slice('system:node:'.length) || undefined;
}

export class NodeDecider {
  constructor(readonly graph: NodeGraph) {}

  authorize(a: RequestAttributes): ModeDecision {
    const node = nodeIdentity(a.user);
    if (!node) return noOpinion();
    if (a.resourceRequest) {
      const group = a.apiGroup ?? '';
      const res = a.resource ?? '';
      if (group === '') {
        if (res === 'secrets') return this.readNamespaced(node, 'secret', a);
        if (res === 'configmaps') return this.readNamespaced(node, 'configmap', a);
        if (res === 'persistentvolumeclaims') return a.subresource === 'status' ? this.claimStatus(node, a) : this.getOnly(a) ?? this.related(node, 'pvc', a);
        if (res === 'persistentvolumes') return this.getOnly(a) ?? (this.graph.referencesVolume(node, a.name ?? '') ? allow : noOpinion(`no relationship found between node '${node}' and this object`));
        if (res === 'serviceaccounts') return this.createToken(node, a);
        if (res === 'nodes' && a.name && a.name !== node && ['update', 'patch', 'delete'].includes(a.verb)) return noOpinion(`node '${node}' cannot modify node '${a.name}'`);
        if (res === 'pods' && a.subresource === 'status' && ['update', 'patch'].includes(a.verb) && this.graph.podNode(a.namespace ?? '', a.name ?? '') !== node)
          return noOpinion(`node '${node}' can only update the status of pods bound to it`);
      }
      if (group === 'coordination.k8s.io' && res === 'leases') return this.lease(node, a);
      if (group === 'storage.k8s.io' && res === 'csinodes') return this.ownObject(node, a, 'CSINode');
    }
    return staticRules.some((r) => ruleAllows(r, a)) ? allow : noOpinion();
  }

  private getOnly(a: RequestAttributes): ModeDecision | undefined {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    return undefined;
  }

  private readNamespaced(node: string, kind: RefKind, a: RequestAttributes): ModeDecision {
    if (!['get', 'list', 'watch'].includes(a.verb)) return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return this.related(node, kind, a);
  }

  private related(node: string, kind: RefKind, a: RequestAttributes): ModeDecision {
    if (!a.name) return noOpinion('No Object name found');
    return this.graph.references(node, kind, a.namespace ?? '', a.name) ? allow : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private claimStatus(node: string, a: RequestAttributes): ModeDecision {
    if (!['update', 'patch'].includes(a.verb)) return noOpinion('can only get, update, or patch the status of persistentvolumeclaims');
    return this.related(node, 'pvc', a);
  }

  private createToken(node: string, a: RequestAttributes): ModeDecision {
    if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.related(node, 'serviceaccount', a);
  }

  private lease(node: string, a: RequestAttributes): ModeDecision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (a.namespace !== 'kube-node-lease') return noOpinion('can only access leases in the kube-node-lease namespace');
    if (a.verb !== 'create' && a.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
    return allow;
  }

  private ownObject(node: string, a: RequestAttributes, kind: string): ModeDecision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion(`can only get, create, update, patch, or delete a ${kind}`);
    if (a.subresource) return noOpinion(`cannot authorize ${kind} subresources`);
    if (a.verb !== 'create' && a.name !== node) return noOpinion(`can only access ${kind} with the same name as the requesting node`);
    return allow;
  }
}

/** The Node mode fed from the pods and persistentvolumeclaims watch caches. */
export class NodeAuthorizer implements ModeAuthorizer {
  readonly name = 'Node';
  readonly graph = new NodeGraph();
  private decider = new NodeDecider(this.graph);
  private informers: CacheInformer[];
  readonly synced: Promise<void>;

  constructor(resources: Resources) {
    this.informers = [new CacheInformer(resources, '', 'pods', this.graph.podHandler), new CacheInformer(resources, '', 'persistentvolumeclaims', this.graph.claimHandler)];
    this.synced = Promise.all(this.informers.map((i) => i.synced)).then(() => {});
  }
  authorize(a: RequestAttributes): ModeDecision {
    return this.decider.authorize(a);
  }
  rulesFor(user: UserInfo): UserRules {
    // The graph-dependent grants cannot be listed as rules (kube's node authorizer does not list any).
    return nodeIdentity(user) ? { rules: staticRules, incomplete: true } : { rules: [], incomplete: false };
  }
  async waitFor(rv: number): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitFor(rv)));
  }
  stop(): void {
    for (const i of this.informers) i.stop();
  }
}
