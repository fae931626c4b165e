// The disruption controller (kube-controller-manager's "disruption"): keeps every
// PodDisruptionBudget's status current (expectedPods, desiredHealthy, currentHealthy,
// disruptionsAllowed, the DisruptionAllowed condition, observedGeneration) from the pods it
// selects and the scale of their controllers, and drops disruptedPods entries once the pod is
// deleting or the 2-minute DeletionTimeout passed. The eviction subresource reads this status
// (and decrements disruptionsAllowed) to decide whether a pod may be evicted.
// Controllers are found among ReplicationControllers, ReplicaSets (and their Deployments) and
// StatefulSets; other kinds' scale subresources are not read yet (such pods make the budget
// SyncFailed when it needs the expected count, i.e. for percentages and maxUnavailable).
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { controllerRef, nsKey, type K } from '../pod-util.js';
import { computeBudget, podsForBudget } from './budget.js';
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import { formatLabelSelectorObject } from '../../api/selectors/labels.js';
import { stableStringify } from '../deployment/rollout.js';

export class DisruptionController implements Controller {
  readonly name = 'disruption';
  private readonly runner: QueueRunner;
  private readonly pdbs: Informer;
  private readonly pods: Informer;
  private readonly owners: Record<string, Informer>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('disruption', 1, (k) => this.sync(k));
    this.recorder = ctx.recorder('controllermanager');
    this.pdbs = ctx.informers.informerFor(Resources.poddisruptionbudgets);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.owners = {
      ReplicationController: ctx.informers.informerFor(Resources.replicationcontrollers),
      ReplicaSet: ctx.informers.informerFor(Resources.replicasets),
      Deployment: ctx.informers.informerFor(Resources.deployments),
      StatefulSet: ctx.informers.informerFor(Resources.statefulsets),
    };
    const enqueuePdb = (p: K) => this.runner.enqueue(nsKey(p));
    this.pdbs.addEventHandler({ onAdd: enqueuePdb, onUpdate: (_o, n) => enqueuePdb(n) });
    // A pod change reaches the budgets selecting it (before and after a label change).
    const forPod = (p: K) => {
      for (const b of this.pdbs.byIndex('namespace', p.metadata?.namespace ?? '')) if (matchesLabelSelector(b.spec?.selector, p.metadata?.labels)) enqueuePdb(b);
    };
    this.pods.addEventHandler({
      onAdd: forPod,
      onUpdate: (o, n) => {
        forPod(o);
        if (o.metadata?.labels !== n.metadata?.labels) forPod(n);
      },
      onDelete: forPod,
    });
    // A controller scaled changes the expected count of budgets over its pods.
    const forOwner = (o: K) => {
      for (const p of this.pods.byIndex('namespace', o.metadata?.namespace ?? '')) if (controllerRef(p)?.uid === o.metadata?.uid) return forPod(p);
    };
    for (const inf of Object.values(this.owners)) inf.addEventHandler({ onUpdate: (o, n) => o.spec?.replicas !== n.spec?.replicas && forOwner(n) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  /** The replicas of a pod's controller (a ReplicaSet owned by a Deployment counts the Deployment's). */
  private scaleOf(ref: K, ns: string): number | undefined {
    const inf = this.owners[ref.kind];
    const owner = inf?.get(`${ns}/${ref.name}`) as K | undefined;
    if (!owner || owner.metadata?.uid !== ref.uid) return undefined;
    if (ref.kind === 'ReplicaSet') {
      const dref = controllerRef(owner);
      if (dref?.kind === 'Deployment') {
        const d = this.owners.Deployment.get(`${ns}/${dref.name}`) as K | undefined;
        if (d && d.metadata?.uid === dref.uid) return d.spec?.replicas ?? 1;
      }
    }
    return owner.spec?.replicas ?? 1;
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const pdb = this.pdbs.get(key) as K | undefined;
    if (!pdb || pdb.metadata?.deletionTimestamp) return;
    const ns = pdb.metadata.namespace;
    const pods = this.pods.byIndex('namespace', ns) as K[];
    const now = this.ctx.now();
    const r = computeBudget({ pdb, pods, scaleOf: (ref, n) => this.scaleOf(ref, n), now });
    if (podsForBudget(pdb, pods).length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    if (r.unmanaged.length)
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelectorObject(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    if (r.error) this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${r.error}`);
    if (!sameStatus(pdb.status ?? {}, r.status)) {
      try {
        await this.ctx.client.put(resourcePath(Resources.poddisruptionbudgets, ns, pdb.metadata.name, 'status'), { ...pdb, status: r.status });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    if (r.recheckAt !== undefined) return { requeueAfter: Math.max(1000, r.recheckAt - now) };
  }
}

/** Equal statuses up to the conditions' lastTransitionTime (a no-op write is skipped). */
function sameStatus(a: K, b: K): boolean {
  const strip = (s: K) => stableStringify({ ...s, conditions: (s.conditions ?? []).map((c: K) => ({ ...c, lastTransitionTime: undefined })) });
  return strip(a) === strip(b);
}

export const newDisruptionController = (ctx: ControllerContext): Controller => new DisruptionController(ctx);
