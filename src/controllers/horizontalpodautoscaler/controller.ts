// The HorizontalPodAutoscaler controller (kube's podautoscaler.HorizontalController,
// "horizontalpodautoscaling" in --controllers): every --horizontal-pod-autoscaler-sync-period
// (15 s) each HPA reads its target's scale subresource, the resource metrics of the target's
// pods from metrics.k8s.io (PodMetrics), computes the replica count (replica-calculator.ts),
// stabilizes and rate-limits it (behavior.ts), writes the target's scale and its own status
// (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime, conditions AbleToScale,
// ScalingActive, ScalingLimited) and records SuccessfulRescale / FailedGetScale /
// FailedGetResourceMetric / FailedComputeMetricsReplicas / FailedRescale events with kube's
// messages. Divergence: only Resource and ContainerResource metrics (cpu, memory; Utilization and
// AverageValue); Pods, Object and External metrics need custom/external metrics APIs keelson does
// not serve and make ScalingActive False ("FailedGetPodsMetric", ...).
import { parseLabelSelector, matchLabels } from '../../api/selectors/labels.js';
import { milliValue, parseQuantity } from '../../api/quantity.js';
import type { Informer } from '../../client/informer.js';
import { isNotFound, type KObject } from '../../client/rest-client.js';
import { Resources } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { nsKey, podReadyCondition, type K } from '../pod-util.js';
import { ScalingHistory, type Behavior } from './behavior.js';
import { ReplicaCalcError, resourceReplicas, type PodSample } from './replica-calculator.js';

/** Scale subresource paths of the kinds an HPA may target. */
const scaleTargets: Record<string, { prefix: string; resource: string }> = {
  'apps/Deployment': { prefix: '/apis/apps/v1', resource: 'deployments' },
  'apps/ReplicaSet': { prefix: '/apis/apps/v1', resource: 'replicasets' },
  'apps/StatefulSet': { prefix: '/apis/apps/v1', resource: 'statefulsets' },
  '/ReplicationController': { prefix: '/api/v1', resource: 'replicationcontrollers' },
};

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export interface HpaOptions {
  syncPeriodMs: number;
  tolerance: number;
  downscaleStabilizationMs: number;
}

const metricNames = (type: string, name: string, target: string) => (target === 'Utilization' ? `${name} ${type === 'ContainerResource' ? 'container ' : ''}resource utilization (percentage of request)` : `${name} ${type === 'ContainerResource' ? 'container ' : ''}resource`);

function containerRequestMilli(pod: K, resource: string, container?: string): number {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    if (container && c.name !== container) continue;
    const q = c.resources?.requests?.[resource];
    if (q === undefined) throw new ReplicaCalcError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name}`);
    total += milliValue(parseQuantity(String(q)));
  }
  return total;
}

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  private readonly runner: QueueRunner;
  private readonly hpas: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  readonly history = new ScalingHistory();
  private readonly o: HpaOptions;

  constructor(private readonly ctx: ControllerContext) {
    this.o = {
      syncPeriodMs: Number(ctx.options.horizontalPodAutoscalerSyncPeriodMs ?? 15_000),
      tolerance: Number(ctx.options.horizontalPodAutoscalerTolerance ?? 0.1),
      downscaleStabilizationMs: Number(ctx.options.horizontalPodAutoscalerDownscaleStabilizationMs ?? 300_000),
    };
    this.runner = new QueueRunner('horizontal-pod-autoscaler', 5, (k) => this.sync(k));
    this.hpas = ctx.informers.informerFor(Resources.horizontalpodautoscalers);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.recorder = ctx.recorder('horizontal-pod-autoscaler');
    const enqueue = (o: KObject) => this.runner.enqueue(nsKey(o));
    this.hpas.addEventHandler({ onAdd: enqueue, onUpdate: (o, n) => o.metadata?.generation !== n.metadata?.generation && enqueue(n), onDelete: enqueue });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number }> {
    const cached = this.hpas.get(key) as K | undefined;
    if (!cached) {
      this.history.forget(key);
      return {};
    }
    const hpa = structuredClone(cached);
    try {
      await this.reconcile(key, hpa);
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
    return { requeueAfter: this.o.syncPeriodMs };
  }

  private setCondition(conds: Condition[], c: Condition): void {
    const now = new Date(this.ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const old = conds.find((x) => x.type === c.type);
    if (old) {
      if (old.status !== c.status) old.lastTransitionTime = now;
      Object.assign(old, { status: c.status, reason: c.reason, message: c.message });
    } else conds.push({ ...c, lastTransitionTime: now });
  }

  private async reconcile(key: string, hpa: K): Promise<void> {
    const ns = hpa.metadata.namespace;
    const spec = hpa.spec ?? {};
    const status = (hpa.status ??= {});
    const conds: Condition[] = (status.conditions ??= []);
    const ref = spec.scaleTargetRef ?? {};
    const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
    const target = scaleTargets[`${group}/${ref.kind}`];
    const scalePath = target && `${target.prefix}/namespaces/${encodeURIComponent(ns)}/${target.resource}/${encodeURIComponent(ref.name)}/scale`;
    let scale: K;
    try {
      if (!scalePath) throw new Error(`no scale subresource for ${ref.apiVersion}, Kind=${ref.kind}`);
      scale = await this.ctx.client.get(scalePath);
    } catch (e) {
      const msg = `the HPA controller was unable to get the target's current scale: ${(e as Error).message}`;
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', (e as Error).message);
      this.setCondition(conds, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: msg });
      await this.writeStatus(hpa);
      return;
    }
    this.setCondition(conds, { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' });
    const current = Number(scale.spec?.replicas ?? 0);
    const minReplicas = Number(spec.minReplicas ?? 1);
    const maxReplicas = Number(spec.maxReplicas);
    status.currentReplicas = Number(scale.status?.replicas ?? current);
    let desired = current;
    let reason = '';
    let metricsOk = true;
    if (current === 0 && minReplicas !== 0) {
      desired = 0;
      this.setCondition(conds, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    } else if (current > maxReplicas) {
      desired = maxReplicas;
      reason = 'Current number of replicas above Spec.MaxReplicas';
    } else if (current < minReplicas) {
      desired = minReplicas;
      reason = 'Current number of replicas below Spec.MinReplicas';
    } else {
      const computed = await this.computeFromMetrics(hpa, scale, current);
      if (computed.error) {
        metricsOk = false;
        this.setCondition(conds, { type: 'ScalingActive', status: 'False', reason: computed.error.reason, message: computed.error.message });
      } else {
        this.setCondition(conds, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${computed.metric}` });
        status.currentMetrics = computed.statuses;
        const n = this.history.normalize({ key, now: this.ctx.now(), currentReplicas: current, desiredReplicas: computed.replicas, minReplicas, maxReplicas, behavior: spec.behavior as Behavior | undefined, downscaleStabilizationMs: this.o.downscaleStabilizationMs });
        this.setCondition(conds, { type: 'AbleToScale', status: 'True', reason: n.ableToScale.reason, message: n.ableToScale.message });
        this.setCondition(conds, { type: 'ScalingLimited', status: n.limited.status, reason: n.limited.reason, message: n.limited.message });
        desired = n.replicas;
        if (desired > current) reason = `${computed.metric} above target`;
        else if (desired < current) reason = 'All metrics below target';
      }
    }
    if (!metricsOk) {
      status.desiredReplicas = current;
      await this.writeStatus(hpa);
      return;
    }
    if (desired !== current) {
      try {
        await this.ctx.client.put(scalePath!, { ...scale, spec: { ...(scale.spec ?? {}), replicas: desired } });
      } catch (e) {
        this.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${(e as Error).message}`);
        this.setCondition(conds, { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${(e as Error).message}` });
        status.desiredReplicas = current;
        await this.writeStatus(hpa);
        return;
      }
      this.setCondition(conds, { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.history.record(key, this.ctx.now(), desired - current, spec.behavior);
      status.lastScaleTime = new Date(this.ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    }
    status.desiredReplicas = desired;
    await this.writeStatus(hpa);
  }

  /** The largest proposal over the HPA's metrics, with their statuses, or the error condition. */
  private async computeFromMetrics(hpa: K, scale: K, current: number): Promise<{ replicas: number; metric: string; statuses: K[]; error?: undefined } | { error: { reason: string; message: string } }> {
    const selectorText: string = scale.status?.selector ?? '';
    if (!selectorText) return { error: { reason: 'InvalidSelector', message: 'the HPA target\'s scale is missing a selector' } };
    const selector = parseLabelSelector(selectorText);
    const ns = hpa.metadata.namespace;
    const pods = (this.pods.list() as K[]).filter((p) => p.metadata?.namespace === ns && matchLabels(selector, p.metadata?.labels));
    let podMetrics: K[] | undefined;
    let best: { replicas: number; metric: string } | undefined;
    const statuses: K[] = [];
    let lastError: { reason: string; message: string } | undefined;
    for (const m of (hpa.spec?.metrics ?? []) as K[]) {
      const type = m.type;
      if (type !== 'Resource' && type !== 'ContainerResource') {
        lastError = { reason: `FailedGet${type}Metric`, message: `the HPA was unable to compute the replica count: ${type} metrics are not served by this cluster (no custom or external metrics API)` };
        continue;
      }
      const src = type === 'Resource' ? m.resource : m.containerResource;
      const resource: string = src.name;
      const container: string | undefined = src.container;
      const t = src.target ?? {};
      const metric = metricNames(type, resource, t.type);
      try {
        podMetrics ??= (await this.ctx.client.get<{ items: K[] }>(`/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`, { labelSelector: selectorText })).items ?? [];
        const usage = new Map<string, number>();
        for (const pm of podMetrics) {
          const cs = ((pm.containers ?? []) as K[]).filter((c) => !container || c.name === container);
          if (!cs.length) continue;
          usage.set(pm.metadata?.name, cs.reduce((a, c) => a + milliValue(parseQuantity(String(c.usage?.[resource] ?? '0'))), 0));
        }
        if (!usage.size) throw new ReplicaCalcError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
        const samples: PodSample[] = pods.map((p) => ({
          name: p.metadata?.name,
          ready: podReadyCondition(p)?.status === 'True',
          phase: p.status?.phase ?? 'Pending',
          deleted: !!p.metadata?.deletionTimestamp,
          requestMilli: t.type === 'Utilization' ? containerRequestMilli(p, resource, container) : undefined,
          usageMilli: usage.get(p.metadata?.name),
        }));
        const targetAverageMilli = t.type === 'AverageValue' ? milliValue(parseQuantity(String(t.averageValue))) : undefined;
        if (t.type !== 'Utilization' && t.type !== 'AverageValue') throw new ReplicaCalcError(`invalid ${type} metric source: neither a utilization target nor a value target was set`);
        const r = resourceReplicas({ currentReplicas: current, pods: samples, resource, targetUtilization: t.type === 'Utilization' ? Number(t.averageUtilization) : undefined, targetAverageMilli, tolerance: this.o.tolerance });
        const avg = resource === 'cpu' ? `${r.averageMilli}m` : String(Math.round(r.averageMilli / 1000));
        const cur = { ...(r.utilization !== undefined ? { averageUtilization: r.utilization } : {}), averageValue: avg };
        statuses.push(type === 'Resource' ? { type, resource: { name: resource, current: cur } } : { type, containerResource: { name: resource, container, current: cur } });
        if (!best || r.replicas > best.replicas) best = { replicas: r.replicas, metric };
      } catch (e) {
        const reason = type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
        const message = `the HPA was unable to compute the replica count: ${(e as Error).message}`;
        this.recorder.event(hpa, 'Warning', reason, (e as Error).message);
        lastError = { reason, message };
      }
    }
    if (!best) {
      const err = lastError ?? { reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count: no metrics' };
      this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${(hpa.spec?.metrics ?? []).length} invalid out of ${(hpa.spec?.metrics ?? []).length}), first error is: ${err.message.replace(/^the HPA was unable to compute the replica count: /, '')}`);
      return { error: err };
    }
    return { ...best, statuses };
  }

  private async writeStatus(hpa: K): Promise<void> {
    hpa.status.observedGeneration = hpa.metadata.generation;
    const path = `/apis/autoscaling/v2/namespaces/${encodeURIComponent(hpa.metadata.namespace)}/horizontalpodautoscalers/${encodeURIComponent(hpa.metadata.name)}/status`;
    await this.ctx.client.put(path, hpa);
  }
}

export function newHorizontalPodAutoscalerController(ctx: ControllerContext): Controller {
  return new HorizontalPodAutoscalerController(ctx);
}
