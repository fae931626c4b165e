// The StatefulSet controller: pods with stable identities <set>-0 .. <set>-(N-1) (hostname =
// pod name, subdomain = serviceName, labels statefulset.kubernetes.io/pod-name and
// apps.kubernetes.io/pod-index), each with its PVCs from volumeClaimTemplates
// (<claim>-<set>-<ordinal>, created before the pod and kept after it by default).
// OrderedReady creates one pod at a time in order, each after the previous is Running and
// Ready, and removes from the highest ordinal down; Parallel does both at once.
// RollingUpdate replaces pods whose revision is old, from the highest ordinal down to
// `partition`, one at a time, each after the others are Ready; OnDelete leaves that to the user.
// Status: replicas, readyReplicas, currentReplicas, updatedReplicas, availableReplicas,
// currentRevision, updateRevision, observedGeneration.
// persistentVolumeClaimRetentionPolicy: whenDeleted Delete makes the set own its claims (the
// garbage collector removes them with it); whenScaled Delete hands a removed ordinal's claims to
// its pod before the pod is deleted. Retain (the default) keeps them.
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { REVISION_HASH_LABEL, ensureRevision, revisionHash, truncateHistory } from '../history.js';
import { controllerRef, isPodAvailable, isPodReady, nsKey, ownerRefFor, type K } from '../pod-util.js';

const ordinalOf = (set: K, pod: K): number => {
  const m = new RegExp(`^${set.metadata.name}-(\\d+)$`).exec(pod.metadata?.name ?? '');
  return m ? Number(m[1]) : -1;
};
const runningReady = (p: K) => p.status?.phase === 'Running' && isPodReady(p) && !p.metadata?.deletionTimestamp;

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  private readonly runner: QueueRunner;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly claims: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('statefulset-controller', Number(ctx.options.concurrentStatefulsetSyncs ?? 5), (k) => this.sync(k));
    this.sets = ctx.informers.informerFor(Resources.statefulsets);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.revisions = ctx.informers.informerFor(Resources.controllerrevisions);
    this.claims = ctx.informers.informerFor(Resources.persistentvolumeclaims);
    this.recorder = ctx.recorder('statefulset-controller');
    const enqueue = (s: K) => this.runner.enqueue(nsKey(s));
    this.sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
    const pod = (p: K) => {
      const ref = controllerRef(p);
      if (ref?.kind === 'StatefulSet') this.runner.enqueue(`${p.metadata.namespace}/${ref.name}`);
    };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (_o, p) => pod(p), onDelete: pod });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const cached = this.sets.get(key) as K | undefined;
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const set = structuredClone(cached);
    const ns = set.metadata.namespace;
    const uid = set.metadata.uid;
    const revs = (this.revisions.byIndex('namespace', ns) as K[]).filter((r) => controllerRef(r)?.uid === uid);
    const { current: updateRev, all } = await ensureRevision(this.ctx.client, set, 'StatefulSet', revs);
    const updateHash = revisionHash(updateRev);
    const pods = (this.pods.byIndex('namespace', ns) as K[]).filter((p) => controllerRef(p)?.uid === uid);
    const replicas = set.spec?.replicas ?? 1;
    const parallel = set.spec?.podManagementPolicy === 'Parallel';
    const byOrdinal = new Map<number, K>();
    for (const p of pods) byOrdinal.set(ordinalOf(set, p), p);

    // Failed pods are recreated; pods being deleted are waited for.
    for (const [i, p] of byOrdinal)
      if (p.status?.phase === 'Failed' && !p.metadata?.deletionTimestamp) {
        await this.deletePod(set, p);
        byOrdinal.delete(i);
      }

    // Create missing ordinals [0, replicas).
    for (let i = 0; i < replicas; i++) {
      const p = byOrdinal.get(i);
      if (p) {
        if (!parallel && !runningReady(p)) return this.writeStatus(set, pods, updateRev, all);
        continue;
      }
      await this.createPod(set, i, updateHash);
      if (!parallel) return this.writeStatus(set, pods, updateRev, all);
    }
    // Remove ordinals >= replicas, highest first.
    const extra = [...byOrdinal.keys()].filter((i) => i >= replicas).sort((a, b) => b - a);
    for (const i of extra) {
      const p = byOrdinal.get(i)!;
      if (p.metadata?.deletionTimestamp) {
        if (!parallel) return this.writeStatus(set, pods, updateRev, all);
        continue;
      }
      if (!parallel && [...byOrdinal.entries()].some(([j, q]) => j < i && !runningReady(q))) break;
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') await this.handClaimsToPod(set, p);
      await this.deletePod(set, p);
      if (!parallel) return this.writeStatus(set, pods, updateRev, all);
    }
    // Rolling update from the highest ordinal down to the partition.
    if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      const active = [...byOrdinal.entries()].filter(([i]) => i < replicas).sort((a, b) => b[0] - a[0]);
      const allReady = active.every(([, p]) => runningReady(p));
      for (const [i, p] of active) {
        if (i < partition) break;
        if (p.metadata?.labels?.[REVISION_HASH_LABEL] === updateHash) continue;
        if (allReady && !p.metadata?.deletionTimestamp) await this.deletePod(set, p);
        break;
      }
    }
    await truncateHistory(this.ctx.client, all, updateRev, pods, set.spec?.revisionHistoryLimit ?? 10);
    return this.writeStatus(set, pods, updateRev, all);
  }

  private async createPod(set: K, ordinal: number, hash: string): Promise<void> {
    const ns = set.metadata.namespace;
    const name = `${set.metadata.name}-${ordinal}`;
    // Claims first, so the pod never starts without its volumes.
    const volumes: K[] = [];
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata.name}-${name}`;
      volumes.push({ name: t.metadata.name, persistentVolumeClaim: { claimName: claim } });
      if (this.claims.get(`${ns}/${claim}`)) continue;
      const owned = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
      const pvc = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claim, namespace: ns, labels: { ...(set.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) }, annotations: t.metadata?.annotations, ...(owned ? { ownerReferences: [ownerRefFor(set, 'apps/v1', 'StatefulSet')] } : {}) },
        spec: structuredClone(t.spec ?? {}),
      };
      try {
        await this.ctx.client.post(resourcePath(Resources.persistentvolumeclaims, ns), pvc);
        this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${name} in StatefulSet ${set.metadata.name} success`);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
    const tmpl = set.spec.template ?? {};
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(tmpl.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
        ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
        ownerReferences: [ownerRefFor(set, 'apps/v1', 'StatefulSet')],
      },
      spec: { ...structuredClone(tmpl.spec ?? {}), hostname: name, ...(set.spec?.serviceName ? { subdomain: set.spec.serviceName } : {}) },
    };
    const named = new Set(volumes.map((v) => v.name));
    pod.spec.volumes = [...(pod.spec.volumes ?? []).filter((v: K) => !named.has(v.name)), ...volumes];
    try {
      await this.ctx.client.post(resourcePath(Resources.pods, ns), pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    }
  }

  /** Make the pod own its claims, so they go with it (whenScaled: Delete). */
  private async handClaimsToPod(set: K, pod: K): Promise<void> {
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata.name}-${pod.metadata.name}`;
      const ref = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true };
      await this.ctx.client.patch(resourcePath(Resources.persistentvolumeclaims, pod.metadata.namespace, claim), { metadata: { ownerReferences: [ref] } }, 'merge').catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  private async deletePod(set: K, pod: K): Promise<void> {
    await this.ctx.client.delete(resourcePath(Resources.pods, pod.metadata.namespace, pod.metadata.name)).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
    this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  private async writeStatus(set: K, pods: K[], updateRev: K, all: K[]): Promise<void> {
    const now = this.ctx.now();
    const replicas = set.spec?.replicas ?? 1;
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp && ordinalOf(set, p) >= 0);
    const updateHash = revisionHash(updateRev);
    const prevCurrent = all.find((r) => r.metadata?.name === set.status?.currentRevision);
    const updated = live.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] === updateHash).length;
    // Once every replica runs the update revision it becomes the current one.
    const currentRev = updated >= replicas && live.length >= replicas ? updateRev : (prevCurrent ?? updateRev);
    const status = {
      ...(set.status?.collisionCount ? { collisionCount: set.status.collisionCount } : {}),
      observedGeneration: set.metadata.generation,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      currentReplicas: live.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] === revisionHash(currentRev)).length,
      updatedReplicas: updated,
      currentRevision: currentRev.metadata.name,
      updateRevision: updateRev.metadata.name,
      availableReplicas: live.filter((p) => isPodAvailable(p, set.spec?.minReadySeconds ?? 0, now)).length,
    };
    if (JSON.stringify(status) === JSON.stringify(set.status ?? {})) return;
    try {
      await this.ctx.client.put(resourcePath(Resources.statefulsets, set.metadata.namespace, set.metadata.name, 'status'), { ...set, status });
    } catch (e) {
      if (isConflict(e)) throw e;
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newStatefulSetController = (ctx: ControllerContext): Controller => new StatefulSetController(ctx);
