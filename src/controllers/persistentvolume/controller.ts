// The persistent-volume controller: binds each pending PersistentVolumeClaim to the smallest
// Available PersistentVolume that satisfies it (same storage class, access modes, volume mode,
// selector, enough capacity), both ways (claim.spec.volumeName, volume.spec.claimRef), and sets
// the phases (Pending/Bound/Lost for claims, Available/Bound/Released for volumes). Claims of a
// class whose provisioner is keelson's local-path provisioner get a volume made for them (a
// hostPath directory under --local-path-dir, created by the kubelet: DirectoryOrCreate), like
// k3s' local-path StorageClass. When a claim goes, its volume is deleted (reclaimPolicy Delete) or
// Released (Retain).
// Partial: volumeBindingMode WaitForFirstConsumer is treated as Immediate (the scheduler's
// VolumeBinding plugin is not built yet); provisioned directories are not removed from disk.
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { compareQuantities, tryParseQuantity } from '../../api/quantity.js';
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, type K } from '../pod-util.js';

export const LOCAL_PATH_PROVISIONER = 'keelson.io/local-path';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** Whether volume `pv` can serve claim `pvc`. */
export function volumeFits(pv: K, pvc: K, className: string): boolean {
  if ((pv.spec?.storageClassName ?? '') !== className) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m: string) => modes.includes(m))) return false;
  if (pvc.spec?.selector && !matchesLabelSelector(pvc.spec.selector, pv.metadata?.labels)) return false;
  const want = tryParseQuantity(pvc.spec?.resources?.requests?.storage);
  const have = tryParseQuantity(pv.spec?.capacity?.storage);
  return !want || (!!have && compareQuantities(have, want) >= 0);
}

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  private readonly runner: QueueRunner;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly recorder: EventRecorder;

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
      onUpdate: (_o, v) => volume(v),
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
    const candidates = (this.volumes.list() as K[])
      .filter((pv) => (!pv.spec?.claimRef || (pv.spec.claimRef.namespace === ns && pv.spec.claimRef.name === pvc.metadata.name && !pv.spec.claimRef.uid)) && (pv.status?.phase ?? 'Available') === 'Available' && volumeFits(pv, pvc, cls))
      .sort((a, b) => compareQuantities(tryParseQuantity(a.spec?.capacity?.storage)!, tryParseQuantity(b.spec?.capacity?.storage)!));
    const pv = candidates[0] ? structuredClone(candidates[0]) : await this.provision(pvc, cls);
    if (!pv) {
      if (pvc.status?.phase !== 'Pending') await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    // Volume first (claimRef), then the claim (volumeName), as Kubernetes binds.
    pv.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: ns, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
    pv.metadata.annotations = { ...pv.metadata.annotations, 'pv.kubernetes.io/bound-by-controller': 'yes' };
    const updated = await this.ctx.client.put(resourcePath(Resources.persistentvolumes, undefined, pv.metadata.name), pv);
    await this.ctx.client.put(resourcePath(Resources.persistentvolumes, undefined, pv.metadata.name, 'status'), { ...updated, status: { phase: 'Bound' } });
    pvc.spec.volumeName = pv.metadata.name;
    pvc.metadata.annotations = { ...pvc.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
    const c = await this.ctx.client.put(resourcePath(Resources.persistentvolumeclaims, ns, pvc.metadata.name), pvc);
    await this.setClaimBound(c, updated);
  }

  private async provision(pvc: K, cls: string): Promise<K | undefined> {
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
