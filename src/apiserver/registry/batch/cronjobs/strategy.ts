// CronJob (batch/v1 cronjobs): concurrencyPolicy Allow, suspend false, history limits 3/1;
// schedule (cron syntax, no TZ= prefix), timeZone, name length (52) and job template
// validation; status subresource; the cronjobs table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported } from '../../../../api/field-errors.js';
import { validateLabelSelector } from '../../../../api/validation/labels.js';
import { defaultPodTemplate } from '../../core/pods/defaults.js';
import { validatePodTemplateSpec } from '../../core/pods/validation.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { translateTimestampSince } from '../../printers/duration.js';
import { nonNegative, positive, containersImages, formatLabelSelector, containersColumnDescription, imagesColumnDescription } from '../../apps/workload.js';
import { parseSchedule } from '../../../../api/cron-schedule.js';

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validateCronJobSpec(spec: any): FieldErrorList {
  const errs: FieldErrorList = [];
  const schedule = spec.schedule ?? '';
  if (!schedule) errs.push(required('spec.schedule', ''));
  else if (/^\s*(CRON_)?TZ=/.test(schedule)) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  else {
    try {
      parseSchedule(schedule);
    } catch (e) {
      errs.push(invalid('spec.schedule', schedule, (e as Error).message));
    }
  }
  if (spec.timeZone != null) {
    if (spec.timeZone === '' || !validTimeZone(spec.timeZone) || spec.timeZone.toLowerCase() === 'local') errs.push(invalid('spec.timeZone', spec.timeZone, 'unknown time zone ' + spec.timeZone));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const cp = spec.concurrencyPolicy;
  if (!cp) errs.push(required('spec.concurrencyPolicy', ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const js = spec.jobTemplate?.spec;
  const base = 'spec.jobTemplate.spec';
  if (!js) errs.push(required(base, ''));
  else {
    errs.push(...nonNegative(js.parallelism, base + '.parallelism'));
    errs.push(...nonNegative(js.completions, base + '.completions'));
    errs.push(...positive(js.activeDeadlineSeconds, base + '.activeDeadlineSeconds'));
    errs.push(...nonNegative(js.backoffLimit, base + '.backoffLimit'));
    if (js.selector) errs.push(...validateLabelSelector(js.selector, base + '.selector'));
    errs.push(...validatePodTemplateSpec(js.template, base + '.template'));
    const rp = js.template?.spec?.restartPolicy;
    if (rp && !['OnFailure', 'Never'].includes(rp)) errs.push(notSupported(base + '.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
  }
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    listKind: 'CronJobList',
    resource: 'cronjobs',
    singular: 'cronjob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
  },
  defaults(cj) {
    const spec = (cj.spec ??= {});
    spec.concurrencyPolicy ||= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    defaultPodTemplate(spec.jobTemplate?.spec?.template);
  },
  status: { initialStatus: () => ({}) },
  generation: true,
  validate(cj) {
    const errs: FieldErrorList = [];
    const name = cj.metadata?.name ?? '';
    // The controller appends an 11-character suffix to job names, which must stay <= 63.
    if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
    errs.push(...validateCronJobSpec(cj.spec ?? {}));
    return errs;
  },
  table: table(
    [
      col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
      col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
      col('Active', 'integer', 'A list of pointers to currently running jobs.'),
      col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
      ageColumn,
      wide('Containers', 'string', containersColumnDescription),
      wide('Images', 'string', imagesColumnDescription),
      wide('Selector', 'string', 'A label query over pods that should match the pod count.'),
    ],
    (cj, now) => {
      const spec = cj.spec ?? {};
      const st = cj.status ?? {};
      const suspend = spec.suspend == null ? '<unset>' : spec.suspend ? 'True' : 'False';
      const last = st.lastScheduleTime ? translateTimestampSince(st.lastScheduleTime, now) : '<none>';
      const [names, images] = containersImages(spec.jobTemplate?.spec?.template?.spec);
      return [spec.schedule ?? '', spec.timeZone ?? '<none>', suspend, (st.active ?? []).length, last, age(cj, now), names, images, formatLabelSelector(spec.jobTemplate?.spec?.selector)];
    },
  ),
});
