// createAuthorizer: the apiserver's authorizer from --authorization-mode (Node, RBAC,
// AlwaysAllow, AlwaysDeny, in the order given), behind kube-apiserver's system:masters bypass.
// The RBAC and Node modes read live objects from the apiserver's watch caches.
import type { Resources } from '../../apiserver/resources.js';
import { RbacAuthorizer } from '../rbac/live-authorizer.js';
import { NodeAuthorizer } from '../node/authorizer.js';
import { alwaysAllow, alwaysDeny, privilegedGroups, unionAuthorizer, type UnionAuthorizer } from './union.js';
import type { ModeAuthorizer } from './types.js';

export interface ApiAuthorizer extends UnionAuthorizer {
  rbac?: RbacAuthorizer;
  /** Resolves when every live mode has loaded its objects. */
  synced: Promise<void>;
  /** Resolves when every live mode has seen the store up to revision `rv`. */
  waitFor(rv: number): Promise<void>;
  stop(): void;
}

export function createAuthorizer(modes: string[], resources: Resources): ApiAuthorizer {
  const list: ModeAuthorizer[] = [privilegedGroups];
  const live: Array<{ synced: Promise<void>; waitFor(rv: number): Promise<void>; stop(): void }> = [];
  let rbac: RbacAuthorizer | undefined;
  for (const m of modes) {
    switch (m) {
      case 'Node': {
        const n = new NodeAuthorizer(resources);
        live.push(n);
        list.push(n);
        break;
      }
      case 'RBAC':
        rbac = new RbacAuthorizer(resources);
        live.push(rbac);
        list.push(rbac);
        break;
      case 'AlwaysAllow':
        list.push(alwaysAllow);
        break;
      case 'AlwaysDeny':
        list.push(alwaysDeny);
        break;
      default:
        throw new Error(`unknown authorization mode "${m}" specified`);
    }
  }
  return {
    ...unionAuthorizer(list),
    rbac,
    synced: Promise.all(live.map((l) => l.synced)).then(() => {}),
    waitFor: async (rv) => void (await Promise.all(live.map((l) => l.waitFor(rv)))),
    stop: () => live.forEach((l) => l.stop()),
  };
}
