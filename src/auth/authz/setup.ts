// Authorization for one apiserver: the authorizer from --authorization-mode (unless the caller
// passes its own), RBAC escalation checks on the RBAC stores, and at start the bootstrap policy
// reconciled and the live modes caught up with the store, so the first requests are judged on
// the whole policy (kube's rbac/bootstrap-roles post-start hook gates readiness the same way).
import type { Authorizer } from '../../apiserver/filters/pipeline.js';
import type { Resources } from '../../apiserver/resources.js';
import { createAuthorizer, type ApiAuthorizer } from './index.js';
import { installEscalationChecks } from '../rbac/escalation.js';
import { reconcileBootstrapPolicy } from '../rbac/bootstrap/reconcile.js';

export interface Authorization {
  authorizer: Authorizer;
  /** Reconcile the bootstrap policy and wait until the authorizer has seen it. */
  start(): Promise<void>;
  stop(): void;
}

export function setupAuthorization(modes: string[], resources: Resources, custom?: Authorizer): Authorization {
  const authz: ApiAuthorizer | undefined = custom ? undefined : createAuthorizer(modes, resources);
  if (authz?.rbac) installEscalationChecks(resources, { authorizer: authz, rbac: authz.rbac.index });
  return {
    authorizer: custom ?? authz!,
    async start() {
      if (modes.includes('RBAC')) await reconcileBootstrapPolicy(resources);
      if (!authz) return;
      await authz.synced;
      const s = resources.storeFor('rbac.authorization.k8s.io', 'clusterroles');
      if (s) await authz.waitFor((await s.store.range({ key: Buffer.from('/registry/health') })).header.revision);
    },
    stop: () => authz?.stop(),
  };
}
