// The Deployment controller: declarative updates through ReplicaSets. A template change makes a
// new ReplicaSet (named <deployment>-<pod-template-hash>); RollingUpdate scales it up and the old
// ones down within maxSurge/maxUnavailable, Recreate scales the old ones to zero and waits for
// their pods before starting the new one. Revisions (deployment.kubernetes.io/revision) make
// `kubectl rollout history|undo` work; revisionHistoryLimit prunes old ReplicaSets; paused
// deployments only scale; status and the Available/Progressing conditions (with
// progressDeadlineSeconds) make `kubectl rollout status` behave as on a real cluster.
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { controllerRef, isPodActive, nsKey, ownerRefFor, type K } from '../pod-util.js';
import { computeStatus, statusChanged } from './status.js';
import {
  DESIRED_REPLICAS,
  HASH_LABEL,
  MAX_REPLICAS,
  REVISION,
  availableOf,
  maxOldScaleDown,
  newRSReplicasRolling,
  oldestFirst,
  podTemplateHash,
  replicasOf,
  revisionOf,
  surgeAndUnavailable,
  templatesEqual,
} from './rollout.js';

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private readonly runner: QueueRunner;
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('deployment-controller', Number(ctx.options.concurrentDeploymentSyncs ?? 5), (k) => this.sync(k));
    this.deployments = ctx.informers.informerFor(Resources.deployments);
    this.replicaSets = ctx.informers.informerFor(Resources.replicasets);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.recorder = ctx.recorder('deployment-controller');
    const enqueue = (d: K) => this.runner.enqueue(nsKey(d));
    this.deployments.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const rsChanged = (rs: K) => {
      const owner = this.ownerOf(rs);
      if (owner) enqueue(owner);
      else if (!controllerRef(rs)) for (const d of this.deployments.byIndex('namespace', rs.metadata?.namespace)) if (matchesLabelSelector(d.spec?.selector, rs.metadata?.labels)) enqueue(d);
    };
    this.replicaSets.addEventHandler({ onAdd: rsChanged, onUpdate: (_o, n) => rsChanged(n), onDelete: rsChanged });
    // Recreate waits for old pods to go: a pod deletion may unblock it.
    this.pods.addEventHandler({
      onDelete: (p: K) => {
        const ref = controllerRef(p);
        const rs = ref?.kind === 'ReplicaSet' ? this.replicaSets.get(`${p.metadata.namespace}/${ref.name}`) : undefined;
        const d = rs && this.ownerOf(rs);
        if (d?.spec?.strategy?.type === 'Recreate') enqueue(d);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private ownerOf(rs: K): K | undefined {
    const ref = controllerRef(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(`${rs.metadata.namespace}/${ref.name}`);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private rsPath(ns: string, name?: string): string {
    return resourcePath(Resources.replicasets, ns, name);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const d = this.deployments.get(key) as K | undefined;
    if (!d) return;
    const ns = d.metadata.namespace;
    const selector = d.spec?.selector;
    if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) return this.writeStatus(d, rsList, undefined);
    let newRS = rsList.find((rs) => templatesEqual(rs.spec?.template, d.spec?.template));
    const olds = () => rsList.filter((rs) => rs !== newRS);
    if (d.spec?.paused) {
      await this.scale(d, rsList, newRS);
      await this.cleanup(d, olds());
      return this.writeStatus(d, rsList, newRS);
    }
    if (d.spec?.strategy?.type === 'Recreate') {
      const scaledDown = await this.scaleAll(olds(), 0);
      if (scaledDown) return this.writeStatus(d, rsList, newRS);
      const oldUids = new Set(olds().map((rs) => rs.metadata.uid));
      const oldPodsRunning = this.pods.byIndex('namespace', ns).some((p) => oldUids.has(controllerRef(p)?.uid) && isPodActive(p));
      if (oldPodsRunning) return this.writeStatus(d, rsList, newRS);
      newRS = await this.ensureNewRS(d, rsList, newRS, d.spec?.replicas ?? 1);
      if (replicasOf(newRS) !== (d.spec?.replicas ?? 1)) await this.scaleRS(newRS, d.spec?.replicas ?? 1, d);
    } else {
      const scaling = newRS !== undefined && this.isScalingEvent(d, rsList);
      if (!newRS) newRS = await this.ensureNewRS(d, rsList, undefined, newRSReplicasRolling(d, rsList, { spec: { replicas: 0 } }));
      else {
        newRS = await this.ensureNewRS(d, rsList, newRS, replicasOf(newRS));
        const target = newRSReplicasRolling(d, rsList, newRS);
        if (!scaling && target > replicasOf(newRS)) await this.scaleRS(newRS, target, d);
      }
      if (scaling) await this.scale(d, rsList, newRS);
      else await this.scaleDownOld(d, rsList, newRS);
    }
    await this.cleanup(d, olds());
    return this.writeStatus(d, rsList, newRS);
  }

  /**
   * Adopt orphan ReplicaSets matching the selector; release owned ones that stopped matching.
   * Returns copies: objects in the informer's cache are never modified (the informer compares
   * resourceVersions to detect changes).
   */
  private async claimReplicaSets(d: K): Promise<K[]> {
    const out: K[] = [];
    for (const cached of this.replicaSets.byIndex('namespace', d.metadata.namespace) as K[]) {
      const rs = structuredClone(cached);
      const ref = controllerRef(rs);
      const matches = matchesLabelSelector(d.spec.selector, rs.metadata?.labels);
      if (ref?.uid === d.metadata.uid) {
        if (matches) out.push(rs);
        else await this.patchOwners(rs, (rs.metadata.ownerReferences ?? []).filter((r: K) => r.uid !== d.metadata.uid));
      } else if (!ref && matches && !d.metadata.deletionTimestamp) {
        if (await this.patchOwners(rs, [...(rs.metadata.ownerReferences ?? []), ownerRefFor(d, 'apps/v1', 'Deployment')])) out.push(rs);
      }
    }
    return out;
  }

  private async patchOwners(rs: K, refs: K[]): Promise<boolean> {
    try {
      await this.ctx.client.patch(this.rsPath(rs.metadata.namespace, rs.metadata.name), { metadata: { ownerReferences: refs.length ? refs : null, uid: rs.metadata.uid } }, 'merge');
      return true;
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return false;
      throw e;
    }
  }

  /** Create the new ReplicaSet, or bring an existing one's revision/annotations up to date. */
  private async ensureNewRS(d: K, all: K[], existing: K | undefined, replicas: number): Promise<K> {
    const maxOld = Math.max(0, ...all.filter((rs) => rs !== existing).map(revisionOf));
    const { maxSurge } = surgeAndUnavailable(d);
    const annotations = {
      [REVISION]: String(existing && revisionOf(existing) > maxOld ? revisionOf(existing) : maxOld + 1),
      [DESIRED_REPLICAS]: String(d.spec?.replicas ?? 1),
      [MAX_REPLICAS]: String((d.spec?.replicas ?? 1) + (d.spec?.strategy?.type === 'Recreate' ? 0 : maxSurge)),
    };
    for (const k of ['kubernetes.io/change-cause']) if (d.metadata.annotations?.[k]) (annotations as K)[k] = d.metadata.annotations[k];
    if (existing) {
      // Desired/max replicas annotations change only when scaling (scaleRS), so a scale event stays visible.
      const cur = existing.metadata.annotations ?? {};
      const revisionOnly: Record<string, string> = { ...annotations };
      delete revisionOnly[DESIRED_REPLICAS];
      delete revisionOnly[MAX_REPLICAS];
      if (Object.entries(revisionOnly).some(([k, v]) => cur[k] !== v)) {
        const updated = await this.ctx.client.patch(this.rsPath(existing.metadata.namespace, existing.metadata.name), { metadata: { annotations: revisionOnly } }, 'merge');
        Object.assign(existing, updated);
      }
      await this.setDeploymentRevision(d, annotations[REVISION]);
      return existing;
    }
    const collisionCount = d.status?.collisionCount ?? 0;
    const hash = podTemplateHash(d.spec.template, collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations,
        ownerReferences: [ownerRefFor(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    try {
      const created: K = await this.ctx.client.post(this.rsPath(d.metadata.namespace), rs);
      all.push(created);
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicas}`);
      await this.setDeploymentRevision(d, annotations[REVISION]);
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // A ReplicaSet of that name with another template: bump collisionCount and retry later.
      await this.ctx.client.put(resourcePath(Resources.deployments, d.metadata.namespace, d.metadata.name, 'status'), { ...d, status: { ...d.status, collisionCount: collisionCount + 1 } });
      throw new Error(`hash collision for ReplicaSet ${rs.metadata.name}; collisionCount is now ${collisionCount + 1}`, { cause: e });
    }
  }

  private async setDeploymentRevision(d: K, revision: string): Promise<void> {
    if (d.metadata.annotations?.[REVISION] === revision) return;
    await this.ctx.client.patch(resourcePath(Resources.deployments, d.metadata.namespace, d.metadata.name), { metadata: { annotations: { [REVISION]: revision } } }, 'merge');
  }

  private async scaleRS(rs: K, replicas: number, d: K): Promise<void> {
    const from = replicasOf(rs);
    if (from === replicas && rs.metadata.annotations?.[DESIRED_REPLICAS] === String(d.spec?.replicas ?? 1)) return;
    const { maxSurge } = surgeAndUnavailable(d);
    const want = d.spec?.replicas ?? 1;
    const annotations = { [DESIRED_REPLICAS]: String(want), [MAX_REPLICAS]: String(want + (d.spec?.strategy?.type === 'Recreate' ? 0 : maxSurge)) };
    const updated = await this.ctx.client.patch(this.rsPath(rs.metadata.namespace, rs.metadata.name), { spec: { replicas }, metadata: { annotations } }, 'merge');
    Object.assign(rs, updated);
    if (from !== replicas) this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
  }

  private async scaleAll(list: K[], replicas: number): Promise<boolean> {
    let any = false;
    for (const rs of list)
      if (replicasOf(rs) !== replicas) {
        const d = this.ownerOf(rs);
        if (d) await this.scaleRS(rs, replicas, d);
        any = true;
      }
    return any;
  }

  /** The deployment's size changed (desired-replicas annotation differs on an active RS). */
  private isScalingEvent(d: K, all: K[]): boolean {
    const want = String(d.spec?.replicas ?? 1);
    return all.some((rs) => replicasOf(rs) > 0 && rs.metadata.annotations?.[DESIRED_REPLICAS] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS] !== want);
  }

  /** Scale the active ReplicaSets to the deployment's size, proportionally to their sizes. */
  private async scale(d: K, all: K[], newRS: K | undefined): Promise<void> {
    const want = d.spec?.replicas ?? 1;
    const active = all.filter((rs) => replicasOf(rs) > 0);
    if (active.length === 0 && newRS) return this.scaleRS(newRS, want, d);
    if (active.length === 1) return this.scaleRS(active[0], want, d);
    const { maxSurge } = surgeAndUnavailable(d);
    const allowed = want + (d.spec?.strategy?.type === 'Recreate' ? 0 : maxSurge);
    const current = active.reduce((s, rs) => s + replicasOf(rs), 0);
    let delta = allowed - current;
    const targets = new Map<K, number>();
    const sorted = [...active].sort((a, b) => replicasOf(b) - replicasOf(a));
    for (const rs of sorted) {
      const share = current === 0 ? 0 : Math.round((replicasOf(rs) * (allowed - current)) / current);
      const step = delta > 0 ? Math.min(share, delta) : Math.max(share, delta);
      targets.set(rs, replicasOf(rs) + step);
      delta -= step;
    }
    if (delta !== 0) targets.set(sorted[0], Math.max(0, (targets.get(sorted[0]) ?? 0) + delta));
    for (const rs of sorted) await this.scaleRS(rs, Math.max(0, targets.get(rs)!), d);
  }

  private async scaleDownOld(d: K, all: K[], newRS: K): Promise<void> {
    const olds = oldestFirst(all.filter((rs) => rs !== newRS && replicasOf(rs) > 0));
    if (olds.length === 0) return;
    // First the unhealthy old replicas, within the bound.
    let budget = maxOldScaleDown(d, all, newRS);
    for (const rs of olds) {
      if (budget <= 0) break;
      const unhealthy = replicasOf(rs) - availableOf(rs);
      const down = Math.min(budget, unhealthy);
      if (down > 0) {
        await this.scaleRS(rs, replicasOf(rs) - down, d);
        budget -= down;
      }
    }
    // Then available ones, keeping replicas - maxUnavailable available overall.
    const { maxUnavailable } = surgeAndUnavailable(d);
    const minAvailable = (d.spec?.replicas ?? 1) - maxUnavailable;
    const available = all.reduce((s, rs) => s + availableOf(rs), 0);
    let total = available - minAvailable;
    for (const rs of olds) {
      if (total <= 0) break;
      const down = Math.min(replicasOf(rs), total);
      if (down > 0) {
        await this.scaleRS(rs, replicasOf(rs) - down, d);
        total -= down;
      }
    }
  }

  /** Keep at most revisionHistoryLimit old, fully scaled-down ReplicaSets. */
  private async cleanup(d: K, olds: K[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const idle = oldestFirst(olds.filter((rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
      await this.ctx.client.delete(this.rsPath(rs.metadata.namespace, rs.metadata.name)).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  }

  private async writeStatus(d: K, all: K[], newRS: K | undefined): Promise<{ requeueAfter?: number } | void> {
    const { status, requeueAfter } = computeStatus(d, all, newRS, this.ctx.now());
    if (statusChanged(d.status ?? {}, status)) {
      try {
        await this.ctx.client.put(resourcePath(Resources.deployments, d.metadata.namespace, d.metadata.name, 'status'), { ...d, status });
      } catch (e) {
        if (isConflict(e)) return { requeueAfter: 100 };
        if (!isNotFound(e)) throw e;
      }
    }
    return requeueAfter !== undefined ? { requeueAfter } : undefined;
  }
}

export const newDeploymentController = (ctx: ControllerContext): Controller => new DeploymentController(ctx);
