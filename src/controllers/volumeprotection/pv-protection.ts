// The pv-protection controller: a PersistentVolume being deleted keeps its
// kubernetes.io/pv-protection finalizer (set at creation by StorageObjectInUseProtection
// admission) while it is Bound to a claim that exists; then the finalizer is removed and the
// volume goes.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { volumeInUse } from './in-use.js';
import { PV_PROTECTION } from '../../api/finalizers.js';


export class PvProtectionController implements Controller {
  readonly name = 'pv-protection';
  private readonly runner: QueueRunner;
  private readonly volumes: Informer;
  private readonly claims: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('pv-protection', 1, (k) => this.sync(k));
    this.volumes = ctx.informers.informerFor(Resources.persistentvolumes);
    const onVolume = (v: K) => v.metadata?.deletionTimestamp && (v.metadata.finalizers ?? []).includes(PV_PROTECTION) && this.runner.enqueue(v.metadata.name);
    this.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, n) => onVolume(n) });
    this.claims = ctx.informers.informerFor(Resources.persistentvolumeclaims);
    // A claim gone may free its volume.
    this.claims.addEventHandler({
      onDelete: (c: K) => {
        const v = c.spec?.volumeName ? this.volumes.get(c.spec.volumeName) : undefined;
        if (v) onVolume(v);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private claimExists(ns: string, name: string, uid?: string): boolean {
    const c = this.claims.get(`${ns}/${name}`) as K | undefined;
    return !!c && (!uid || c.metadata?.uid === uid);
  }

  async sync(name: string): Promise<void> {
    const v = this.volumes.get(name) as K | undefined;
    if (!v?.metadata?.deletionTimestamp || !(v.metadata.finalizers ?? []).includes(PV_PROTECTION) || volumeInUse(v, (ns, n, uid) => this.claimExists(ns, n, uid))) return;
    const finalizers = (v.metadata.finalizers as string[]).filter((f) => f !== PV_PROTECTION);
    try {
      await this.ctx.client.patch(resourcePath(Resources.persistentvolumes, undefined, name), { metadata: { finalizers, resourceVersion: v.metadata.resourceVersion } }, 'merge');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newPvProtectionController = (ctx: ControllerContext): Controller => new PvProtectionController(ctx);
