// The pvc-protection controller: a PersistentVolumeClaim being deleted keeps its
// kubernetes.io/pvc-protection finalizer (set at creation by StorageObjectInUseProtection
// admission) while a scheduled, unfinished pod of its namespace uses it; then the finalizer is
// removed and the claim goes.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';
import { claimsOf, podUsesClaim } from './in-use.js';
import { PVC_PROTECTION } from '../../api/finalizers.js';


export class PvcProtectionController implements Controller {
  readonly name = 'pvc-protection';
  private readonly runner: QueueRunner;
  private readonly claims: Informer;
  private readonly pods: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('pvc-protection', 1, (k) => this.sync(k));
    this.claims = ctx.informers.informerFor(Resources.persistentvolumeclaims);
    this.pods = ctx.informers.informerFor(Resources.pods);
    const onClaim = (c: K) => c.metadata?.deletionTimestamp && (c.metadata.finalizers ?? []).includes(PVC_PROTECTION) && this.runner.enqueue(nsKey(c));
    this.claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, n) => onClaim(n) });
    // A pod that stops using a claim (finished, deleted) may free it.
    const onPod = (p: K) => {
      for (const name of claimsOf(p)) {
        const c = this.claims.get(`${p.metadata?.namespace}/${name}`);
        if (c) onClaim(c);
      }
    };
    this.pods.addEventHandler({ onUpdate: (_o, n) => onPod(n), onDelete: onPod });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    const c = this.claims.get(key) as K | undefined;
    if (!c?.metadata?.deletionTimestamp || !(c.metadata.finalizers ?? []).includes(PVC_PROTECTION)) return;
    const ns = c.metadata.namespace;
    if ((this.pods.byIndex('namespace', ns) as K[]).some((p) => podUsesClaim(p, c.metadata.name))) return;
    const finalizers = (c.metadata.finalizers as string[]).filter((f) => f !== PVC_PROTECTION);
    try {
      await this.ctx.client.patch(resourcePath(Resources.persistentvolumeclaims, ns, c.metadata.name), { metadata: { finalizers, resourceVersion: c.metadata.resourceVersion } }, 'merge');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newPvcProtectionController = (ctx: ControllerContext): Controller => new PvcProtectionController(ctx);
