// Job (batch/v1 jobs): SetDefaults_Job (completions/parallelism 1, backoffLimit 6,
// completionMode NonIndexed, suspend false, podReplacementPolicy), the generated selector and
// pod labels (batch.kubernetes.io/controller-uid, job-name), spec validation, immutable
// template/selector/completions, status subresource, the jobs table, status.successful.
// Light: podFailurePolicy and successPolicy are only structurally checked.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported } from '../../../../api/field-errors.js';
import { deepEqual, validateImmutableField } from '../../../../api/validation/object-meta.js';
import { validateLabelSelector } from '../../../../api/validation/labels.js';
import { defaultPodTemplate } from '../../core/pods/defaults.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { humanDuration, timeBetween, parseTime } from '../../printers/duration.js';
import { nonNegative, positive, validateTemplateForSelector, containersImages, formatLabelSelector, containersColumnDescription, imagesColumnDescription } from '../../apps/workload.js';

export const ControllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const LegacyControllerUidLabel = 'controller-uid';
export const JobNameLabel = 'batch.kubernetes.io/job-name';
export const LegacyJobNameLabel = 'job-name';

const maxInt32 = 2147483647;

export function defaultJobSpec(spec: any, labelsTarget?: any): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? maxInt32 : 6;
  spec.completionMode ||= 'NonIndexed';
  spec.suspend ??= false;
  for (const r of spec.podFailurePolicy?.rules ?? []) for (const c of r?.onPodConditions ?? []) c.status ??= 'True';
  spec.podReplacementPolicy ||= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (labelsTarget) {
    const labels = spec.template?.metadata?.labels;
    if (labels && (!labelsTarget.labels || Object.keys(labelsTarget.labels).length === 0)) labelsTarget.labels = { ...labels };
  }
  defaultPodTemplate(spec.template);
}

/** generateSelector: pod labels and the controller-uid selector for jobs without manualSelector. */
export function generateJobSelector(job: any): void {
  const uid = job.metadata?.uid;
  const spec = job.spec;
  if (!uid || !spec || spec.manualSelector === true) return;
  const tmpl = (spec.template ??= {});
  const labels = ((tmpl.metadata ??= {}).labels ??= {});
  for (const k of [LegacyJobNameLabel, JobNameLabel]) if (!(k in labels)) labels[k] = job.metadata.name;
  for (const k of [LegacyControllerUidLabel, ControllerUidLabel]) if (!(k in labels)) labels[k] = uid;
  const sel = (spec.selector ??= {});
  const ml = (sel.matchLabels ??= {});
  if (!(ControllerUidLabel in ml)) ml[ControllerUidLabel] = uid;
}

export function validateJobSpec(spec: any, opts: { generated?: { uid?: string } } = {}): FieldErrorList {
  const errs: FieldErrorList = [];
  errs.push(...nonNegative(spec.parallelism, 'spec.parallelism'));
  errs.push(...nonNegative(spec.completions, 'spec.completions'));
  errs.push(...positive(spec.activeDeadlineSeconds, 'spec.activeDeadlineSeconds'));
  errs.push(...nonNegative(spec.backoffLimit, 'spec.backoffLimit'));
  errs.push(...nonNegative(spec.ttlSecondsAfterFinished, 'spec.ttlSecondsAfterFinished'));
  const mode = spec.completionMode;
  if (mode != null && !['NonIndexed', 'Indexed'].includes(mode)) errs.push(notSupported('spec.completionMode', mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (spec.completions == null) errs.push(required('spec.completions', 'when completion mode is Indexed'));
    if (spec.parallelism > 100000) errs.push(invalid('spec.parallelism', spec.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
  }
  if (spec.backoffLimitPerIndex != null && mode !== 'Indexed') errs.push(invalid('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, 'requires indexed completion mode'));
  const prp = spec.podReplacementPolicy;
  if (prp != null && !['TerminatingOrFailed', 'Failed'].includes(prp)) errs.push(notSupported('spec.podReplacementPolicy', prp, ['Failed', 'TerminatingOrFailed']));
  if (spec.selector == null) errs.push(required('spec.selector', ''));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateTemplateForSelector(spec.template, spec.selector, { restartPolicies: ['OnFailure', 'Never'], allowDeadline: true }));
  if (opts.generated?.uid && spec.manualSelector !== true && spec.selector && !deepEqual(spec.selector, { matchLabels: { [ControllerUidLabel]: opts.generated.uid } }))
    errs.push(invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  if (spec.manualSelector !== true && opts.generated?.uid) {
    const labels = spec.template?.metadata?.labels ?? {};
    for (const k of [LegacyControllerUidLabel, ControllerUidLabel])
      if (labels[k] !== opts.generated.uid) errs.push(invalid(`spec.template.metadata.labels[${k}]`, labels[k] ?? '', `must be '${opts.generated.uid}'`));
  }
  return errs;
}

const hasCondition = (job: any, type: string): boolean => (job.status?.conditions ?? []).some((c: any) => c?.type === type && c?.status === 'True');

export function jobStatusWord(job: any): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export const strategy = defineStrategy({
  info: {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    listKind: 'JobList',
    resource: 'jobs',
    singular: 'job',
    namespaced: true,
    categories: ['all'],
  },
  defaults(job) {
    defaultJobSpec((job.spec ??= {}), (job.metadata ??= {}));
  },
  status: {
    initialStatus: () => ({}),
    validateUpdate(job) {
      const st = job.status ?? {};
      const errs: FieldErrorList = [];
      for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) errs.push(...nonNegative(st[f], `status.${f}`));
      return errs;
    },
  },
  generation: true,
  prepareForCreate: (job) => generateJobSelector(job),
  validate(job) {
    generateJobSelector(job);
    return validateJobSpec(job.spec ?? {}, { generated: { uid: job.metadata?.uid } });
  },
  validateUpdate(job, old) {
    const spec = job.spec ?? {};
    const o = old.spec ?? {};
    const errs: FieldErrorList = [];
    errs.push(...validateImmutableField(spec.selector, o.selector, 'spec.selector'));
    errs.push(...validateImmutableField(spec.completionMode, o.completionMode, 'spec.completionMode'));
    errs.push(...validateImmutableField(spec.podFailurePolicy, o.podFailurePolicy, 'spec.podFailurePolicy'));
    errs.push(...validateImmutableField(spec.backoffLimitPerIndex, o.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
    // Indexed jobs may scale completions together with parallelism (elastic indexed jobs).
    if (!(spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && o.completions === o.parallelism))
      errs.push(...validateImmutableField(spec.completions, o.completions, 'spec.completions'));
    // The template is immutable, except scheduling directives of a suspended job never started.
    const a = structuredClone(spec.template ?? {});
    const b = structuredClone(o.template ?? {});
    if (spec.suspend && !old.status?.startTime) {
      for (const t of [a, b]) {
        t.spec ??= {};
        delete t.spec.nodeSelector;
        delete t.spec.affinity;
        delete t.spec.tolerations;
        delete t.spec.schedulingGates;
        if (t.metadata) {
          delete t.metadata.labels;
          delete t.metadata.annotations;
        }
      }
    }
    if (!deepEqual(a, b)) errs.push(invalid('spec.template', spec.template, 'field is immutable'));
    return errs;
  },
  table: table(
    [
      col('Status', 'string', 'Status of the job.'),
      col('Completions', 'string', 'The completed job pods out of the desired completions.'),
      col('Duration', 'string', 'Time required to complete the job.'),
      ageColumn,
      wide('Containers', 'string', containersColumnDescription),
      wide('Images', 'string', imagesColumnDescription),
      wide('Selector', 'string', 'A label query over pods that should match the pod count.'),
    ],
    (job, now) => {
      const spec = job.spec ?? {};
      const st = job.status ?? {};
      const succeeded = st.succeeded ?? 0;
      let completions: string;
      if (spec.completions != null) completions = `${succeeded}/${spec.completions}`;
      else completions = (spec.parallelism ?? 0) > 1 ? `${succeeded}/1 of ${spec.parallelism}` : `${succeeded}/1`;
      let duration = '';
      if (parseTime(st.startTime) !== undefined) {
        const ms = st.completionTime ? timeBetween(st.startTime, st.completionTime) : now.getTime() - parseTime(st.startTime)!;
        duration = humanDuration(ms ?? 0);
      }
      const [names, images] = containersImages(spec.template?.spec);
      return [jobStatusWord(job), completions, duration, age(job, now), names, images, spec.selector ? formatLabelSelector(spec.selector) : ''];
    },
  ),
  fieldSelectors: { 'status.successful': (job) => String(job.status?.succeeded ?? 0) },
});
