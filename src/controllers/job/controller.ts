// The Job controller: run pods until `completions` succeed (or, without completions, until one
// does), at most `parallelism` at a time; NonIndexed or Indexed completion mode (one pod per index,
// JOB_COMPLETION_INDEX, hostname <job>-<index>); failed pods are replaced after an exponential
// back-off (10 s doubling, capped at 6 min) until more than backoffLimit have failed;
// activeDeadlineSeconds; suspend; status counters and the Complete / Failed / Suspended
// conditions with Kubernetes' reasons and messages.
// spec.podFailurePolicy (pod-failure-policy.ts): FailJob, Ignore and Count; FailIndex counts.
// Partial: success policy, backoffLimitPerIndex and pod-tracking finalizers
// (counts come from the pods that still exist, kept monotonic through status).
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { controllerRef, isPodActive, isPodReady, isTerminal, k8sTime, nsKey, podFromTemplate, type K } from '../pod-util.js';
import { Expectations } from '../expectations.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

/** When a failed pod's (first) container finished, else when the pod was made (ms). */
const finishedAt = (p: K): number => Date.parse(p.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? p.metadata?.creationTimestamp ?? '') || 0;
const condTrue = (job: K, type: string) => (job.status?.conditions ?? []).some((c: K) => c.type === type && c.status === 'True');
export const isJobFinished = (job: K): boolean => condTrue(job, 'Complete') || condTrue(job, 'Failed');

export class JobController implements Controller {
  readonly name = 'job';
  private readonly runner: QueueRunner;
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly expectations = new Expectations();

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('job-controller', Number(ctx.options.concurrentJobSyncs ?? 5), (k) => this.sync(k));
    this.jobs = ctx.informers.informerFor(Resources.jobs);
    this.pods = ctx.informers.informerFor(Resources.pods);
    this.recorder = ctx.recorder('job-controller');
    const enqueue = (j: K) => this.runner.enqueue(nsKey(j));
    this.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: (j) => this.expectations.delete(nsKey(j)) });
    const podChanged = (p: K, kind: 'add' | 'update' | 'delete') => {
      const ref = controllerRef(p);
      if (ref?.kind !== 'Job') return;
      const key = `${p.metadata.namespace}/${ref.name}`;
      if (kind === 'add') this.expectations.creationObserved(key);
      if (kind === 'delete') this.expectations.deletionObserved(key, nsKey(p));
      this.runner.enqueue(key);
    };
    this.pods.addEventHandler({ onAdd: (p) => podChanged(p, 'add'), onUpdate: (_o, p) => podChanged(p, 'update'), onDelete: (p) => podChanged(p, 'delete') });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const cached = this.jobs.get(key) as K | undefined;
    if (!cached || isJobFinished(cached)) return;
    const job = structuredClone(cached);
    const now = this.ctx.now();
    const uid = job.metadata.uid;
    const pods = this.pods.byIndex('namespace', job.metadata.namespace).filter((p) => controllerRef(p)?.uid === uid) as K[];
    const active = pods.filter(isPodActive);
    const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
    // With a pod failure policy, failures it says to ignore are not counted, and a FailJob
    // match fails the Job at once (the earliest such failure names it).
    let failJob: string | undefined;
    const failedPods = pods
      .filter((p) => p.status?.phase === 'Failed')
      .sort((a, b) => finishedAt(a) - finishedAt(b))
      .filter((p) => {
        const m = job.spec?.podFailurePolicy ? matchPodFailurePolicy(job, p) : undefined;
        if (m?.action === 'FailJob') failJob ??= m.message;
        return m?.action !== 'Ignore';
      });
    const status: K = { ...(job.status ?? {}) };
    status.succeeded = Math.max(status.succeeded ?? 0, succeededPods.length);
    status.failed = Math.max(status.failed ?? 0, failedPods.length);
    const indexed = job.spec?.completionMode === 'Indexed';
    const completions: number | undefined = job.spec?.completions ?? undefined;
    const parallelism: number = job.spec?.parallelism ?? 1;
    const backoffLimit: number = job.spec?.backoffLimit ?? 6;
    let requeueAfter: number | undefined;
    const conditions: K[] = [...(status.conditions ?? [])];
    const setCond = (type: string, st: string, reason: string, message: string) => {
      const i = conditions.findIndex((c) => c.type === type);
      const c = { type, status: st, reason, message, lastProbeTime: k8sTime(now), lastTransitionTime: i >= 0 && conditions[i].status === st ? conditions[i].lastTransitionTime : k8sTime(now) };
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    };

    if (job.spec?.suspend) {
      await this.deletePods(job, active);
      if (!condTrue(job, 'Suspended')) {
        setCond('Suspended', 'True', 'JobSuspended', 'Job suspended');
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
      delete status.startTime;
    } else {
      if (condTrue(job, 'Suspended')) {
        setCond('Suspended', 'False', 'JobResumed', 'Job resumed');
        this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      status.startTime ??= k8sTime(now);
      const completedIndexes = indexed ? parseIndexes(status.completedIndexes ?? '') : new Set<number>();
      if (indexed) for (const p of succeededPods) completedIndexes.add(Number(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']));
      const done = indexed ? completedIndexes.size >= (completions ?? 0) : completions !== undefined ? status.succeeded >= completions : status.succeeded > 0 && active.length === 0;
      const deadline = job.spec?.activeDeadlineSeconds;
      const started = Date.parse(status.startTime);
      let failure: [string, string] | undefined;
      if (failJob !== undefined) failure = ['PodFailurePolicy', failJob];
      else if (status.failed > backoffLimit) failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
      else if (deadline !== undefined && now - started >= deadline * 1000) failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
      if (failure && !done) {
        await this.deletePods(job, active);
        setCond('FailureTarget', 'True', failure[0], failure[1]);
        setCond('Failed', 'True', failure[0], failure[1]);
        this.recorder.event(job, 'Warning', failure[0], failure[1]);
      } else if (done) {
        if (completions === undefined) await this.deletePods(job, active);
        status.completionTime = k8sTime(now);
        setCond('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
        setCond('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
        this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      } else if (this.expectations.satisfied(key)) {
        // Back-off after failures: 10 s * 2^(failures-1), at most 6 min, from the last failure.
        const lastFail = Math.max(0, ...failedPods.map(finishedAt));
        const delay = status.failed > 0 ? Math.min(360_000, 10_000 * 2 ** (status.failed - 1)) : 0;
        const wait = lastFail + delay - now;
        if (wait > 0 && status.failed > 0) requeueAfter = wait;
        else {
          const remaining = completions === undefined ? parallelism : Math.min(parallelism, completions - (indexed ? completedIndexes.size : status.succeeded));
          const want = Math.max(0, remaining);
          // podReplacementPolicy Failed (the default with a pod failure policy): a terminating
          // pod is replaced only once it has failed.
          const holding = job.spec?.podReplacementPolicy === 'Failed' ? pods.filter((p) => p.metadata?.deletionTimestamp && !isTerminal(p)) : [];
          const occupied = [...active, ...holding];
          if (occupied.length < want) {
            const busy = new Set(occupied.map((p) => Number(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'])));
            const indexes: Array<number | undefined> = [];
            if (indexed) {
              for (let i = 0; i < (completions ?? 0) && indexes.length < want - occupied.length; i++) if (!completedIndexes.has(i) && !busy.has(i)) indexes.push(i);
            } else for (let i = occupied.length; i < want; i++) indexes.push(undefined);
            await this.createPods(job, indexes);
          } else if (active.length > want) await this.deletePods(job, active.slice(want));
        }
        if (deadline !== undefined) requeueAfter = Math.min(requeueAfter ?? Infinity, started + deadline * 1000 - now + 10);
      }
      if (indexed) status.completedIndexes = formatIndexes(completedIndexes);
    }
    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = pods.filter((p) => p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase)).length;
    status.uncountedTerminatedPods = {};
    status.conditions = conditions;
    for (const f of ['active', 'succeeded', 'failed']) if (!status[f]) delete status[f];
    if (!status.conditions.length) delete status.conditions;
    if (JSON.stringify(status) !== JSON.stringify(job.status ?? {})) {
      try {
        await this.ctx.client.put(resourcePath(Resources.jobs, job.metadata.namespace, job.metadata.name, 'status'), { ...job, status });
      } catch (e) {
        if (isConflict(e)) return { requeueAfter: 50 };
        if (!isNotFound(e)) throw e;
      }
    }
    return requeueAfter !== undefined && Number.isFinite(requeueAfter) ? { requeueAfter } : undefined;
  }

  private async createPods(job: K, indexes: Array<number | undefined>): Promise<void> {
    const key = nsKey(job);
    this.expectations.expectCreations(key, indexes.length);
    const labels = { 'batch.kubernetes.io/controller-uid': job.metadata.uid, 'batch.kubernetes.io/job-name': job.metadata.name, 'controller-uid': job.metadata.uid, 'job-name': job.metadata.name };
    await Promise.all(
      indexes.map(async (index) => {
        const pod = podFromTemplate(job.spec.template, job, 'batch/v1', 'Job', labels);
        if (index !== undefined) {
          pod.metadata.generateName = `${job.metadata.name}-${index}-`;
          pod.metadata.annotations = { ...pod.metadata.annotations, 'batch.kubernetes.io/job-completion-index': String(index) };
          pod.metadata.labels['batch.kubernetes.io/job-completion-index'] = String(index);
          pod.spec.hostname ??= `${job.metadata.name}-${index}`;
          for (const c of pod.spec.containers ?? []) c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }];
        }
        try {
          const created = await this.ctx.client.post(resourcePath(Resources.pods, job.metadata.namespace), pod);
          this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
        } catch (e) {
          this.expectations.creationFailed(key);
          this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      }),
    );
  }

  private async deletePods(job: K, pods: K[]): Promise<void> {
    await Promise.all(
      pods
        .filter((p) => !p.metadata?.deletionTimestamp)
        .map(async (p) => {
          await this.ctx.client.delete(resourcePath(Resources.pods, p.metadata.namespace, p.metadata.name)).catch((e) => {
            if (!isNotFound(e)) throw e;
          });
          this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        }),
    );
  }
}

export const newJobController = (ctx: ControllerContext): Controller => new JobController(ctx);
