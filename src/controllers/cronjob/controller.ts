// The CronJob controller (Kubernetes' cronjob v2 controller): at each scheduled time (in
// spec.timeZone) create a Job from jobTemplate named <cronjob>-<minutes since epoch>, honouring
// suspend, startingDeadlineSeconds (a start missed by more is skipped), concurrencyPolicy
// (Allow / Forbid: skip while one runs / Replace: delete the running one first), and the history
// limits (successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1). Status: active jobs,
// lastScheduleTime, lastSuccessfulTime. It requeues itself for the next scheduled time.
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import { controllerRef, k8sTime, nsKey, ownerRefFor, type K } from '../pod-util.js';
import { isJobFinished } from '../job/controller.js';
import { nextScheduleTime, parseSchedule, scheduledTimesBetween, type Schedule } from '../../api/cron-schedule.js';

const jobFailed = (j: K) => (j.status?.conditions ?? []).some((c: K) => c.type === 'Failed' && c.status === 'True');

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  private readonly runner: QueueRunner;
  private readonly cronjobs: Informer;
  private readonly jobs: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('cronjob-controller', Number(ctx.options.concurrentCronJobSyncs ?? 5), (k) => this.sync(k));
    this.cronjobs = ctx.informers.informerFor(Resources.cronjobs);
    this.jobs = ctx.informers.informerFor(Resources.jobs);
    this.recorder = ctx.recorder('cronjob-controller');
    const enqueue = (c: K) => this.runner.enqueue(nsKey(c));
    this.cronjobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, c) => enqueue(c) });
    const jobChanged = (j: K) => {
      const ref = controllerRef(j);
      if (ref?.kind === 'CronJob') this.runner.enqueue(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addEventHandler({ onAdd: jobChanged, onUpdate: (_o, j) => jobChanged(j), onDelete: jobChanged });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const cached = this.cronjobs.get(key) as K | undefined;
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const cj = structuredClone(cached);
    const ns = cj.metadata.namespace;
    const now = this.ctx.now();
    const owned = (this.jobs.byIndex('namespace', ns) as K[]).filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
    const status: K = { ...(cj.status ?? {}) };
    status.active = owned.filter((j) => !isJobFinished(j) && !j.metadata?.deletionTimestamp).map((j) => ({ kind: 'Job', namespace: ns, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion }));
    const succeeded = owned.filter((j) => isJobFinished(j) && !jobFailed(j));
    const lastOk = Math.max(0, ...succeeded.map((j) => Date.parse(j.status?.completionTime ?? '') || 0));
    if (lastOk) status.lastSuccessfulTime = k8sTime(lastOk);
    await this.cleanupHistory(cj, owned);

    let requeueAfter: number | undefined;
    let schedule: Schedule;
    try {
      schedule = parseSchedule(cj.spec?.schedule ?? '');
    } catch (e) {
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(e as Error).message}`);
      return this.writeStatus(cj, status);
    }
    const tz = cj.spec?.timeZone;
    if (!cj.spec?.suspend) {
      const since = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
      const deadline = cj.spec?.startingDeadlineSeconds;
      const from = deadline !== undefined ? Math.max(since, now - deadline * 1000) : since;
      const { times, tooMany } = scheduledTimesBetween(schedule, from, now, tz);
      if (tooMany) this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      const scheduled = times[times.length - 1];
      if (scheduled !== undefined) {
        if (deadline !== undefined && scheduled + deadline * 1000 < now) {
          this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${k8sTime(scheduled)}`);
        } else if (await this.startJob(cj, scheduled, status)) {
          status.lastScheduleTime = k8sTime(scheduled);
        }
      }
      const next = nextScheduleTime(schedule, new Date(now), tz);
      if (next) requeueAfter = next.getTime() - now + 100;
    }
    await this.writeStatus(cj, status);
    return requeueAfter !== undefined ? { requeueAfter } : undefined;
  }

  /** Start the job for `scheduled` per the concurrency policy; true if handled (created or skipped for good). */
  private async startJob(cj: K, scheduled: number, status: K): Promise<boolean> {
    const ns = cj.metadata.namespace;
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && status.active.length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return false;
    }
    if (policy === 'Replace')
      for (const a of status.active) {
        await this.ctx.client.delete(resourcePath(Resources.jobs, ns, a.name), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
        this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${a.name}`);
        status.active = [];
      }
    const tmpl = cj.spec?.jobTemplate ?? {};
    const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(tmpl.metadata?.labels ?? {}) },
        annotations: { ...(tmpl.metadata?.annotations ?? {}), 'batch.kubernetes.io/cronjob-scheduled-timestamp': k8sTime(scheduled) },
        ownerReferences: [ownerRefFor(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(tmpl.spec ?? {}),
    };
    try {
      const created = await this.ctx.client.post(resourcePath(Resources.jobs, ns), job);
      status.active = [...status.active, { kind: 'Job', namespace: ns, name, uid: created.metadata?.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata?.resourceVersion }];
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        throw e;
      }
    }
    return true;
  }

  private async cleanupHistory(cj: K, owned: K[]): Promise<void> {
    const byTime = (a: K, b: K) => (Date.parse(a.status?.completionTime ?? a.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(b.status?.completionTime ?? b.metadata?.creationTimestamp ?? '') || 0);
    const finished = owned.filter((j) => isJobFinished(j) && !j.metadata?.deletionTimestamp);
    const groups: Array<[K[], number]> = [
      [finished.filter((j) => !jobFailed(j)).sort(byTime), cj.spec?.successfulJobsHistoryLimit ?? 3],
      [finished.filter(jobFailed).sort(byTime), cj.spec?.failedJobsHistoryLimit ?? 1],
    ];
    for (const [list, limit] of groups)
      for (const j of list.slice(0, Math.max(0, list.length - limit))) {
        await this.ctx.client.delete(resourcePath(Resources.jobs, j.metadata.namespace, j.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
        this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
      }
  }

  private async writeStatus(cj: K, status: K): Promise<void> {
    if (!status.active?.length) delete status.active;
    if (JSON.stringify(status) === JSON.stringify(cj.status ?? {})) return;
    try {
      await this.ctx.client.put(resourcePath(Resources.cronjobs, cj.metadata.namespace, cj.metadata.name, 'status'), { ...cj, status });
    } catch (e) {
      if (isConflict(e)) throw e;
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newCronJobController = (ctx: ControllerContext): Controller => new CronJobController(ctx);
