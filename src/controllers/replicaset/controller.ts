// The ReplicaSet controller (and, with another config, the ReplicationController controller):
// keep `spec.replicas` active pods matching the selector. It adopts matching orphans and releases
// owned pods that stopped matching (ownerReferences), creates missing pods in slow-start batches
// (1, 2, 4, ...) and deletes surplus ones in Kubernetes' order (unscheduled, pending, not ready,
// ... first), with expectations so a slow watch never makes it act twice, and writes status
// (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration).
import { matchesLabelSelector, matchesMapSelector } from '../../api/selectors/selector-objects.js';
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound, type KObject } from '../../client/rest-client.js';
import { Resources, resourcePath, splitKey, type ResourceRef } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { Expectations } from '../expectations.js';
import { controllerRef, isPodActive, isPodAvailable, isPodReady, nsKey, podFromTemplate, type K } from '../pod-util.js';
import { rankPodsForDeletion } from './ranking.js';

export interface ReplicaControllerConfig {
  name: string; // replicaset | replicationcontroller
  ref: ResourceRef;
  kind: string;
  apiVersion: string;
  /** Whether the owner's selector matches these labels. */
  selects(owner: K, labels: Record<string, string> | undefined): boolean;
  workersOption: string;
}

export const replicaSetConfig: ReplicaControllerConfig = {
  name: 'replicaset',
  ref: Resources.replicasets,
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  selects: (rs, labels) => matchesLabelSelector(rs.spec?.selector, labels),
  workersOption: 'concurrentReplicasetSyncs',
};

export const replicationControllerConfig: ReplicaControllerConfig = {
  name: 'replicationcontroller',
  ref: Resources.replicationcontrollers,
  kind: 'ReplicationController',
  apiVersion: 'v1',
  selects: (rc, labels) => matchesMapSelector(rc.spec?.selector ?? rc.spec?.template?.metadata?.labels, labels),
  workersOption: 'concurrentRcSyncs',
};

const BURST_REPLICAS = 500;

export class ReplicaController implements Controller {
  readonly name: string;
  private readonly runner: QueueRunner;
  private readonly owners: Informer;
  private readonly pods: Informer;
  private readonly expectations = new Expectations();
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly cfg: ReplicaControllerConfig,
  ) {
    this.name = cfg.name;
    this.runner = new QueueRunner(`${cfg.name}-controller`, Number(ctx.options[cfg.workersOption] ?? 5), (k) => this.sync(k));
    this.owners = ctx.informers.informerFor(cfg.ref);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.recorder = ctx.recorder(`${cfg.name}-controller`);
    const enqueue = (o: KObject) => this.runner.enqueue(nsKey(o));
    this.owners.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: (o) => (this.expectations.delete(nsKey(o)), enqueue(o)) });
    this.pods.addEventHandler({
      onAdd: (p) => {
        const owner = this.ownerOf(p);
        if (owner) {
          this.expectations.creationObserved(nsKey(owner));
          enqueue(owner);
        } else if (!controllerRef(p)) for (const o of this.matchingOwners(p)) enqueue(o);
      },
      onUpdate: (old, p) => {
        const a = this.ownerOf(old);
        const b = this.ownerOf(p);
        if (a && a !== b) enqueue(a);
        if (b) enqueue(b);
        if (p.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp && b) this.expectations.deletionObserved(nsKey(b), nsKey(p));
        if (!controllerRef(p) && JSON.stringify(old.metadata?.labels) !== JSON.stringify(p.metadata?.labels)) for (const o of this.matchingOwners(p)) enqueue(o);
      },
      onDelete: (p) => {
        const owner = this.ownerOf(p);
        if (owner) {
          this.expectations.deletionObserved(nsKey(owner), nsKey(p));
          enqueue(owner);
        }
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private ownerOf(pod: K): K | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== this.cfg.kind) return undefined;
    const o = this.owners.get(`${pod.metadata.namespace}/${ref.name}`);
    return o && o.metadata?.uid === ref.uid ? o : undefined;
  }

  private matchingOwners(pod: K): K[] {
    return this.owners.byIndex('namespace', pod.metadata?.namespace ?? '').filter((o) => this.cfg.selects(o, pod.metadata?.labels));
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const owner = this.owners.get(key) as K | undefined;
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const { namespace } = splitKey(key);
    const uid = owner.metadata.uid;
    // Claim: adopt orphans that match, release owned pods that no longer match.
    const owned: K[] = [];
    for (const p of this.pods.byIndex('namespace', namespace)) {
      const ref = controllerRef(p);
      const matches = this.cfg.selects(owner, p.metadata?.labels);
      if (ref?.uid === uid) {
        if (matches) owned.push(p);
        else if (!owner.metadata.deletionTimestamp) await this.release(owner, p);
      } else if (!ref && matches && isPodActive(p) && !owner.metadata.deletionTimestamp) {
        if (await this.adopt(owner, p)) owned.push(p);
      }
    }
    const active = owned.filter(isPodActive);
    if (this.expectations.satisfied(key) && !owner.metadata.deletionTimestamp) await this.manage(owner, active);
    await this.updateStatus(owner, active);
    const minReady = owner.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && active.some((p) => isPodReady(p) && !isPodAvailable(p, minReady, this.ctx.now()))) return { requeueAfter: minReady * 1000 };
  }

  private path(owner: K, sub?: string): string {
    return resourcePath(this.cfg.ref, owner.metadata.namespace, owner.metadata.name, sub);
  }

  private async adopt(owner: K, pod: K): Promise<boolean> {
    const refs = [...(pod.metadata.ownerReferences ?? []), { apiVersion: this.cfg.apiVersion, kind: this.cfg.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }];
    try {
      await this.ctx.client.patch(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name), { metadata: { ownerReferences: refs, uid: pod.metadata.uid } }, 'merge');
      return true;
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return false;
      throw e;
    }
  }

  private async release(owner: K, pod: K): Promise<void> {
    const refs = (pod.metadata.ownerReferences ?? []).filter((r: K) => r.uid !== owner.metadata.uid);
    await this.ctx.client
      .patch(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name), { metadata: { ownerReferences: refs.length ? refs : null, uid: pod.metadata.uid } }, 'merge')
      .catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  }

  private async manage(owner: K, active: K[]): Promise<void> {
    const key = nsKey(owner);
    const want = owner.spec?.replicas ?? 1;
    const diff = active.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      let created = 0;
      // Slow start: batches of 1, 2, 4, ... stop at the first failure (quota, admission...).
      for (let batch = 1; created < n; batch *= 2) {
        const size = Math.min(batch, n - created);
        const results = await Promise.allSettled(Array.from({ length: size }, () => this.createPod(owner)));
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        created += size;
        if (failed.length) {
          for (let i = 0; i < failed.length + (n - created); i++) this.expectations.creationFailed(key);
          this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(failed[0].reason as Error).message}`);
          throw failed[0].reason;
        }
      }
    } else if (diff > 0) {
      const victims = rankPodsForDeletion(active, this.pods.list()).slice(0, Math.min(diff, BURST_REPLICAS));
      this.expectations.expectDeletions(key, victims.map(nsKey));
      await Promise.all(
        victims.map(async (p) => {
          try {
            await this.ctx.client.delete(resourcePath(Resources.pods, p.metadata.namespace, p.metadata.name));
            this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          } catch (e) {
            this.expectations.deletionObserved(key, nsKey(p));
            if (!isNotFound(e)) throw e;
          }
        }),
      );
    }
  }

  private async createPod(owner: K): Promise<void> {
    const pod = podFromTemplate(owner.spec?.template ?? {}, owner, this.cfg.apiVersion, this.cfg.kind);
    const created = await this.ctx.client.post(resourcePath(Resources.pods, owner.metadata.namespace), pod);
    this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  }

  private async updateStatus(owner: K, active: K[]): Promise<void> {
    const now = this.ctx.now();
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const templateLabels = owner.spec?.template?.metadata?.labels ?? {};
    const status: K = {
      ...owner.status,
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: owner.metadata.generation,
    };
    const old = owner.status ?? {};
    if (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'].every((f) => (old[f] ?? 0) === (status[f] ?? 0))) return;
    try {
      await this.ctx.client.put(this.path(owner, 'status'), { ...owner, status });
    } catch (e) {
      if (isConflict(e)) this.runner.enqueue(nsKey(owner));
      else if (!isNotFound(e)) throw e;
    }
  }
}

export const newReplicaSetController = (ctx: ControllerContext): Controller => new ReplicaController(ctx, replicaSetConfig);
export const newReplicationControllerController = (ctx: ControllerContext): Controller => new ReplicaController(ctx, replicationControllerConfig);
