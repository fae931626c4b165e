// The persistent-volume controller: binds each pending PersistentVolumeClaim to the smallest
// Available PersistentVolume that satisfies it (same storage class, access modes, volume mode,
// selector, enough capacity), both ways (claim.spec.volumeName, volume.spec.claimRef), and sets
// the phases (Pending/Bound/Lost for claims, Available/Bound/Released for volumes). Claims of a
// class whose provisioner is keelson's local-path provisioner get a volume made for them (a
// hostPath directory under --local-path-dir, created by the kubelet: DirectoryOrCreate), like
// k3s' local-path StorageClass. When a claim goes, its volume is deleted (reclaimPolicy Delete) or
// Released (Retain).
// Claims of a WaitForFirstConsumer class are left to the scheduler (its VolumeBinding plugin):
// it either pre-binds a volume to the claim (claimRef with the claim's uid), which this controller
// then completes, or annotates the claim with volume.kubernetes.io/selected-node, on which the
// local-path provisioner makes a volume pinned (nodeAffinity) to that node.
// Partial: provisioned directories are not removed from disk.
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { compareQuantities, tryParseQuantity } from '../../api/quantity.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, volumeFits, volumePreboundTo } from '../../api/volume-fits.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';

export const LOCAL_PATH_PROVISIONER = 'keelson.io/local-path';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export { volumeFits };

/** Available, or Pending: just created and not synced yet (the apiserver creates volumes Pending). */
const unboundPhase = (pv: K) => ['Available', 'Pending'].includes(pv.status?.phase ?? 'Available');

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  private readonly runner: QueueRunner;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly recorder: EventRecorder;
  /** Claims told "waiting for first consumer" once (uids), so resyncs don't repeat the event. */
  private readonly waiting = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('persistentvolume-binder-controller', 1, (k) => this.sync(k));
    this.claims = ctx.informers.informerFor(Resources.persistentvolumeclaims);
    this.volumes = ctx.informers.informerFor(Resources.persistentvolumes);
    this.classes = ctx.informers.informerFor(Resources.storageclasses);
    this.recorder = ctx.recorder('persistentvolume-controller');
    const claim = (c: K) => this.runner.enqueue(`claim:${nsKey(c)}`);
    const volume = (v: K) => this.runner.enqueue(`volume:${v.metadata.name}`);
    this.claims.addEventHandler({ onAdd: claim, onUpdate: (_o, c) => claim(c), onDelete: (c) => c.spec?.volumeName && this.runner.enqueue(`volume:${c.spec.volumeName}`) });
    this.volumes.addEventHandler({
      onAdd: (v) => {
        volume(v);
        for (const c of this.claims.list()) if (!c.spec?.volumeName) claim(c);
      },
      onUpdate: (o, v) => {
        volume(v);
        // A new volume turns Available after its first sync: claims that found none may fit now.
        if (v.status?.phase === 'Available' && o.status?.phase !== 'Available') for (const c of this.claims.list()) if (!c.spec?.volumeName) claim(c);
        // The scheduler pre-binds (claimRef) volumes of WaitForFirstConsumer claims: finish those.
        const ref = v.spec?.claimRef;
        if (ref) this.runner.enqueue(`claim:${ref.namespace}/${ref.name}`);
      },
      onDelete: (v) => {
        const ref = v.spec?.claimRef;
        if (ref) this.runner.enqueue(`claim:${ref.namespace}/${ref.name}`);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith('claim:')) return this.syncClaim(key.slice(6));
    return this.syncVolume(key.slice(7));
  }

  private className(pvc: K): string {
    if (pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) return pvc.spec.storageClassName;
    const dflt = (this.classes.list() as K[]).find((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
    return dflt?.metadata?.name ?? '';
  }

  private async syncClaim(key: string): Promise<void> {
    const cached = this.claims.get(key) as K | undefined;
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const pvc = structuredClone(cached);
    const ns = pvc.metadata.namespace;
    if (pvc.spec?.volumeName) {
      const pv = this.volumes.get(pvc.spec.volumeName) as K | undefined;
      if (!pv) return this.setClaimPhase(pvc, 'Lost');
      if (pv.spec?.claimRef?.uid === pvc.metadata.uid && pvc.status?.phase !== 'Bound') return this.setClaimBound(pvc, pv);
      return;
    }
    const cls = this.className(pvc);
    const volumes = this.volumes.list() as K[];
    let pv: K | undefined = volumes.find((v) => !v.metadata?.deletionTimestamp && volumePreboundTo(v, pvc) && volumeFits(v, pvc, cls));
    if (!pv) {
      const sc = this.classes.get(cls) as K | undefined;
      if (sc?.volumeBindingMode === 'WaitForFirstConsumer') {
        // The scheduler picks the node (and maybe the volume) when a pod uses the claim.
        const node = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
        if (node) pv = await this.provision(pvc, cls, node);
        else if (!this.waiting.has(pvc.metadata.uid)) {
          this.waiting.add(pvc.metadata.uid);
          this.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        }
      } else {
        const candidates = volumes
          .filter((v) => (!v.spec?.claimRef || (v.spec.claimRef.namespace === ns && v.spec.claimRef.name === pvc.metadata.name && !v.spec.claimRef.uid)) && unboundPhase(v) && volumeFits(v, pvc, cls))
          .sort((x, y) => compareQuantities(tryParseQuantity(x.spec?.capacity?.storage)!, tryParseQuantity(y.spec?.capacity?.storage)!));
        pv = candidates[0] ?? (await this.provision(pvc, cls));
      }
    }
    if (!pv) {
      if (pvc.status?.phase !== 'Pending') await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    pv = structuredClone(pv);
    // Volume first (claimRef), then the claim (volumeName), as Kubernetes binds.
    pv.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: ns, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
    pv.metadata.annotations = { ...pv.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    const updated = await this.ctx.client.put(resourcePath(Resources.persistentvolumes, undefined, pv.metadata.name), pv);
    await this.ctx.client.put(resourcePath(Resources.persistentvolumes, undefined, pv.metadata.name, 'status'), { ...updated, status: { phase: 'Bound' } });
    pvc.spec.volumeName = pv.metadata.name;
    pvc.metadata.annotations = { ...pvc.metadata.annotations, [ANN_BIND_COMPLETED]: 'yes', [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    const c = await this.ctx.client.put(resourcePath(Resources.persistentvolumeclaims, ns, pvc.metadata.name), pvc);
    await this.setClaimBound(c, updated);
  }

  /** `node`: the scheduler's selected node (WaitForFirstConsumer); the volume is pinned to it. */
  private async provision(pvc: K, cls: string, node?: string): Promise<K | undefined> {
    const sc = this.classes.get(cls) as K | undefined;
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return undefined;
    const name = `pvc-${pvc.metadata.uid}`;
    const dir = String(this.ctx.options.localPathDir ?? '/var/lib/keelson/storage');
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': LOCAL_PATH_PROVISIONER } },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: cls,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        hostPath: { path: `${dir}/${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`, type: 'DirectoryOrCreate' },
        ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
      },
    };
    try {
      const created = await this.ctx.client.post(resourcePath(Resources.persistentvolumes), pv);
      this.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
      return created;
    } catch (e) {
      if (isAlreadyExists(e)) return this.ctx.client.get(resourcePath(Resources.persistentvolumes, undefined, name));
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', (e as Error).message);
      throw e;
    }
  }

  private async setClaimBound(pvc: K, pv: K): Promise<void> {
    const status = { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity };
    if (JSON.stringify(pvc.status ?? {}) === JSON.stringify(status)) return;
    await this.ctx.client.put(resourcePath(Resources.persistentvolumeclaims, pvc.metadata.namespace, pvc.metadata.name, 'status'), { ...pvc, status }).catch(retryable);
  }

  private async setClaimPhase(pvc: K, phase: string): Promise<void> {
    if (pvc.status?.phase === phase) return;
    await this.ctx.client.put(resourcePath(Resources.persistentvolumeclaims, pvc.metadata.namespace, pvc.metadata.name, 'status'), { ...pvc, status: { ...pvc.status, phase } }).catch(retryable);
  }

  private async syncVolume(name: string): Promise<void> {
    const cached = this.volumes.get(name) as K | undefined;
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const pv = structuredClone(cached);
    const ref = pv.spec?.claimRef;
    let phase = ref ? 'Bound' : 'Available';
    if (ref?.uid) {
      const pvc = this.claims.get(`${ref.namespace}/${ref.name}`) as K | undefined;
      if (!pvc || pvc.metadata?.uid !== ref.uid) {
        // The claim is gone: reclaim.
        if ((pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain') === 'Delete') {
          await this.ctx.client.delete(resourcePath(Resources.persistentvolumes, undefined, name)).catch((e) => {
            if (!isNotFound(e)) throw e;
          });
          return;
        }
        phase = 'Released';
      }
    }
    if (pv.status?.phase === phase) return;
    await this.ctx.client.put(resourcePath(Resources.persistentvolumes, undefined, name, 'status'), { ...pv, status: { phase } }).catch(retryable);
  }
}

function retryable(e: unknown): void {
  if (isConflict(e)) throw e;
  if (!isNotFound(e)) throw e;
}

export const newPersistentVolumeController = (ctx: ControllerContext): Controller => new PersistentVolumeController(ctx);
