// The DaemonSet controller: one pod on every eligible node — nodeSelector, required node
// affinity and NoSchedule/NoExecute taints decide, with the tolerations Kubernetes adds to
// daemon pods (not-ready/unreachable NoExecute; disk/memory/pid-pressure and unschedulable
// NoSchedule; network-unavailable for hostNetwork). Pods are pinned with a required node
// affinity on metadata.name and bound by the scheduler, as in Kubernetes. Extra or misplaced
// pods are deleted. Updates: RollingUpdate (maxUnavailable, default 1) replaces old-revision pods
// a few nodes at a time, OnDelete waits for the user; ControllerRevisions record templates.
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import { nodeMatchesPod } from '../../scheduler/plugins/node-affinity/index.js';
import { findUntoleratedTaint } from '../../scheduler/plugins/taint-toleration/tolerations.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { REVISION_HASH_LABEL, ensureRevision, revisionHash, truncateHistory } from '../history.js';
import { controllerRef, isPodActive, isPodAvailable, isPodReady, nsKey, podFromTemplate, type K } from '../pod-util.js';
import { resolveIntOrPercent } from '../deployment/rollout.js';

export function daemonTolerations(template: K): K[] {
  const t: K[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (template.spec?.hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const have: K[] = template.spec?.tolerations ?? [];
  return [...have, ...t.filter((x) => !have.some((h) => h.key === x.key && h.effect === x.effect))];
}

/** Whether a daemon pod of `ds` should run on `node`. */
export function shouldRun(ds: K, node: K): boolean {
  const pod = { spec: { ...ds.spec?.template?.spec, tolerations: daemonTolerations(ds.spec?.template ?? {}) } };
  if (!nodeMatchesPod(pod, node)) return false;
  return !findUntoleratedTaint(node.spec?.taints, pod.spec.tolerations, ['NoSchedule', 'NoExecute']);
}

/** The node a daemon pod is pinned to (its metadata.name node affinity), or its nodeName. */
export function podNode(pod: K): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In') return f.values?.[0];
  return undefined;
}

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  private readonly runner: QueueRunner;
  private readonly daemonsets: Informer;
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('daemonset-controller', Number(ctx.options.concurrentDaemonsetSyncs ?? 2), (k) => this.sync(k));
    this.daemonsets = ctx.informers.informerFor(Resources.daemonsets);
    this.nodes = ctx.informers.informerFor(Resources.nodes);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.revisions = ctx.informers.informerFor(Resources.controllerrevisions);
    this.recorder = ctx.recorder('daemonset-controller');
    const enqueue = (d: K) => this.runner.enqueue(nsKey(d));
    const all = () => this.daemonsets.list().forEach(enqueue);
    this.daemonsets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, d) => enqueue(d) });
    this.nodes.addEventHandler({ onAdd: all, onUpdate: (o, n) => JSON.stringify([o.metadata?.labels, o.spec?.taints]) !== JSON.stringify([n.metadata?.labels, n.spec?.taints]) && all(), onDelete: all });
    const pod = (p: K) => {
      const ref = controllerRef(p);
      if (ref?.kind === 'DaemonSet') this.runner.enqueue(`${p.metadata.namespace}/${ref.name}`);
    };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (_o, p) => pod(p), onDelete: pod });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const cached = this.daemonsets.get(key) as K | undefined;
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const ds = structuredClone(cached);
    const ns = ds.metadata.namespace;
    const uid = ds.metadata.uid;
    const revs = (this.revisions.byIndex('namespace', ns) as K[]).filter((r) => controllerRef(r)?.uid === uid);
    const { current, all } = await ensureRevision(this.ctx.client, ds, 'DaemonSet', revs);
    const hash = revisionHash(current);
    const pods = (this.pods.byIndex('namespace', ns) as K[]).filter((p) => controllerRef(p)?.uid === uid && isPodActive(p) && matchesLabelSelector(ds.spec?.selector, p.metadata?.labels));
    const byNode = new Map<string, K[]>();
    for (const p of pods) {
      const n = podNode(p) ?? '';
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const nodes = this.nodes.list() as K[];
    const create: string[] = [];
    const remove: K[] = [];
    let desired = 0;
    for (const node of nodes) {
      const name = node.metadata.name;
      const here = byNode.get(name) ?? [];
      if (shouldRun(ds, node)) {
        desired++;
        if (here.length === 0) create.push(name);
        else if (here.length > 1) remove.push(...here.slice(1));
      } else remove.push(...here);
      byNode.delete(name);
    }
    for (const orphaned of byNode.values()) remove.push(...orphaned); // pods on vanished nodes
    // Rolling update: replace old-revision pods while at most maxUnavailable are unavailable.
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const maxUnavailable = resolveIntOrPercent(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, desired, true, '1') || 1;
      const minReady = ds.spec?.minReadySeconds ?? 0;
      let unavailable = pods.filter((p) => !isPodAvailable(p, minReady, this.ctx.now())).length + create.length;
      const old = pods.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] !== hash && !remove.includes(p));
      // Unavailable old pods go first; they cost no availability.
      old.sort((a, b) => Number(isPodAvailable(a, minReady, this.ctx.now())) - Number(isPodAvailable(b, minReady, this.ctx.now())));
      for (const p of old) {
        if (!isPodAvailable(p, minReady, this.ctx.now())) remove.push(p);
        else if (unavailable < maxUnavailable) {
          remove.push(p);
          unavailable++;
        }
      }
    }
    for (const p of remove) {
      await this.ctx.client.delete(resourcePath(Resources.pods, ns, p.metadata.name)).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
    }
    for (const nodeName of create) await this.createPod(ds, nodeName, hash);
    await truncateHistory(this.ctx.client, all, current, pods, ds.spec?.revisionHistoryLimit ?? 10);
    await this.writeStatus(ds, nodes, pods.filter((p) => !remove.includes(p)), desired, hash);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady && pods.some((p) => isPodReady(p) && !isPodAvailable(p, minReady, this.ctx.now()))) return { requeueAfter: minReady * 1000 };
  }

  private async createPod(ds: K, nodeName: string, hash: string): Promise<void> {
    const pod = podFromTemplate(ds.spec.template, ds, 'apps/v1', 'DaemonSet', { [REVISION_HASH_LABEL]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) });
    pod.spec.tolerations = daemonTolerations(ds.spec.template);
    const aff = pod.spec.affinity ?? {};
    const na = aff.nodeAffinity ?? {};
    pod.spec.affinity = { ...aff, nodeAffinity: { ...na, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } } };
    try {
      const created = await this.ctx.client.post(resourcePath(Resources.pods, ds.metadata.namespace), pod);
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    } catch (e) {
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  }

  private async writeStatus(ds: K, nodes: K[], pods: K[], desired: number, hash: string): Promise<void> {
    const now = this.ctx.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const eligible = new Set(nodes.filter((n) => shouldRun(ds, n)).map((n) => n.metadata.name));
    const scheduled = pods.filter((p) => eligible.has(podNode(p) ?? ''));
    const available = scheduled.filter((p) => isPodAvailable(p, minReady, now)).length;
    const status = {
      ...(ds.status?.collisionCount ? { collisionCount: ds.status.collisionCount } : {}),
      currentNumberScheduled: new Set(scheduled.map(podNode)).size,
      numberMisscheduled: pods.filter((p) => !eligible.has(podNode(p) ?? '')).length,
      desiredNumberScheduled: desired,
      numberReady: scheduled.filter(isPodReady).length,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] === hash).length,
      numberAvailable: available,
      numberUnavailable: Math.max(0, desired - available),
    };
    const clean = Object.fromEntries(Object.entries(status).filter(([k, v]) => v !== 0 || ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'].includes(k)));
    if (JSON.stringify(clean) === JSON.stringify(ds.status ?? {})) return;
    try {
      await this.ctx.client.put(resourcePath(Resources.daemonsets, ds.metadata.namespace, ds.metadata.name, 'status'), { ...ds, status: clean });
    } catch (e) {
      if (isConflict(e)) throw e;
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newDaemonSetController = (ctx: ControllerContext): Controller => new DaemonSetController(ctx);
