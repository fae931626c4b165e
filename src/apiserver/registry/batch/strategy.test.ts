import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy as jobs } from './jobs/strategy.js';
import { strategy as cronjobs } from './cronjobs/strategy.js';
import { parseSchedule, nextScheduleTime } from '../../../api/cron-schedule.js';
import { create, update, row, ago } from '../testing/helpers.js';

const podTemplate = (restartPolicy = 'Never') => ({ spec: { restartPolicy, containers: [{ name: 'pi', image: 'perl:5.34' }] } });

test('job defaults and generated selector', () => {
  const { obj, errors } = create(jobs, { metadata: { name: 'pi', uid: 'uid-1' }, spec: { template: podTemplate() } });
  assert.deepEqual(errors, []);
  const s = obj.spec;
  assert.equal(s.completions, 1);
  assert.equal(s.parallelism, 1);
  assert.equal(s.backoffLimit, 6);
  assert.equal(s.completionMode, 'NonIndexed');
  assert.equal(s.suspend, false);
  assert.equal(s.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
  assert.deepEqual(s.template.metadata.labels, { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'uid-1', 'batch.kubernetes.io/controller-uid': 'uid-1' });
  assert.equal(obj.metadata.generation, 1);
  assert.equal(create(jobs, { metadata: { name: 'p', uid: 'u' }, spec: { parallelism: 3, template: podTemplate() } }).obj.spec.completions, undefined);
});

test('job validation', () => {
  const job = (spec: any) => ({ metadata: { name: 'pi', uid: 'u' }, spec: { template: podTemplate(), ...spec } });
  assert.deepEqual(create(jobs, job({ template: podTemplate('Always') })).errors, ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  assert.deepEqual(create(jobs, job({ backoffLimit: -1 })).errors, ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(create(jobs, job({ completionMode: 'Indexed', completions: null, parallelism: 2 })).errors, ['spec.completions: Required value: when completion mode is Indexed']);
  assert.deepEqual(create(jobs, job({ selector: { matchLabels: { a: 'b' } } })).errors, [
    'spec.template.metadata.labels: Invalid value: {"a":"b"}: `selector` does not match template `labels`'.replace('{"a":"b"}', JSON.stringify({ 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u', 'batch.kubernetes.io/controller-uid': 'u' })),
    'spec.selector: Invalid value: {"matchLabels":{"a":"b","batch.kubernetes.io/controller-uid":"u"}}: `selector` not auto-generated',
  ]);
});

test('job template is immutable, status kept', () => {
  const old = create(jobs, { metadata: { name: 'pi', uid: 'u' }, spec: { template: podTemplate() } }).obj;
  old.status = { startTime: ago(10), active: 1 };
  const changed = structuredClone(old);
  changed.spec.template.spec.containers[0].image = 'perl:6';
  const errs = update(jobs, changed, old).errors;
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec\.template: Invalid value: .*: field is immutable$/);
  const parallel = structuredClone(old);
  parallel.spec.parallelism = 4;
  parallel.status = {};
  const r = update(jobs, parallel, old);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.obj.status, old.status);
});

test('jobs table', () => {
  const base = (spec: any, status: any, meta: any = {}) => ({ metadata: { name: 'pi', creationTimestamp: ago(120), ...meta }, spec: { template: podTemplate(), selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, ...spec }, status });
  assert.deepEqual(row(jobs, base({ completions: 1, parallelism: 1 }, { startTime: ago(100) })), {
    Name: 'pi', Status: 'Running', Completions: '0/1', Duration: '100s', Age: '2m', Containers: 'pi', Images: 'perl:5.34', Selector: 'batch.kubernetes.io/controller-uid=u',
  });
  assert.equal(row(jobs, base({ completions: 1 }, { succeeded: 1, startTime: ago(100), completionTime: ago(40), conditions: [{ type: 'Complete', status: 'True' }] })).Status, 'Complete');
  assert.equal(row(jobs, base({ completions: 1 }, { succeeded: 1, startTime: ago(100), completionTime: ago(40) })).Duration, '60s');
  assert.equal(row(jobs, base({ parallelism: 3 }, {})).Completions, '0/1 of 3');
  assert.equal(row(jobs, base({ parallelism: 3 }, {})).Duration, '');
  assert.equal(row(jobs, base({}, { conditions: [{ type: 'Failed', status: 'True' }] })).Status, 'Failed');
  assert.equal(row(jobs, base({}, { conditions: [{ type: 'Suspended', status: 'True' }] })).Status, 'Suspended');
  assert.equal(row(jobs, base({}, {}, { deletionTimestamp: ago(1) })).Status, 'Terminating');
  assert.equal(jobs.fieldSelectors!['status.successful']({ status: { succeeded: 2 } }), '2');
});

test('cronjob defaults, validation and table', () => {
  const cj = (spec: any, name = 'hello') => ({ metadata: { name }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } }, ...spec } });
  const { obj, errors } = create(cronjobs, cj({}));
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.concurrencyPolicy, 'Allow');
  assert.equal(obj.spec.suspend, false);
  assert.equal(obj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(obj.spec.failedJobsHistoryLimit, 1);
  assert.equal(obj.spec.jobTemplate.spec.backoffLimit, undefined);
  assert.equal(obj.spec.jobTemplate.spec.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
  assert.deepEqual(create(cronjobs, cj({ schedule: 'bogus' })).errors, ['spec.schedule: Invalid value: "bogus": expected exactly 5 fields, found 1: [bogus]']);
  assert.deepEqual(create(cronjobs, cj({ schedule: '61 * * * *' })).errors, ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(create(cronjobs, cj({ schedule: 'TZ=UTC 0 * * * *' })).errors, ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(create(cronjobs, cj({ timeZone: 'Mars/Olympus' })).errors, ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(create(cronjobs, cj({ concurrencyPolicy: 'Sometimes' })).errors, ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']);
  assert.deepEqual(create(cronjobs, cj({}, 'x'.repeat(53))).errors, [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
  assert.deepEqual(create(cronjobs, cj({ jobTemplate: { spec: { template: podTemplate('Always') } } })).errors, ['spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  obj.metadata.creationTimestamp = ago(3600);
  obj.status = { active: [{ name: 'hello-1' }], lastScheduleTime: ago(65) };
  assert.deepEqual(row(cronjobs, obj), { Name: 'hello', Schedule: '*/5 * * * *', Timezone: '<none>', Suspend: 'False', Active: 1, 'Last Schedule': '65s', Age: '60m', Containers: 'pi', Images: 'perl:5.34', Selector: '<none>' });
});

test('cron schedules', () => {
  const at = new Date('2024-05-01T12:03:30Z');
  const next = (s: string) => nextScheduleTime(parseSchedule(s), at)?.toISOString();
  assert.equal(next('*/5 * * * *'), '2024-05-01T12:05:00.000Z');
  assert.equal(next('@hourly'), '2024-05-01T13:00:00.000Z');
  assert.equal(next('0 0 * * MON'), '2024-05-06T00:00:00.000Z');
  assert.equal(next('30 9 1 jan,jul *'), '2024-07-01T09:30:00.000Z');
  assert.equal(next('@every 90s'), '2024-05-01T12:05:00.000Z');
  assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/);
  assert.throws(() => parseSchedule('5-1 * * * *'), /beyond end of range/);
});
