import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextScheduleTime, parseSchedule, scheduledTimesBetween } from './cron-schedule.js';

const t = (s: string) => new Date(s);
const iso = (d: Date | undefined) => d?.toISOString();

test('next times, day-of-month OR day-of-week, month ends, leap days', () => {
  assert.equal(iso(nextScheduleTime(parseSchedule('*/5 * * * *'), t('2026-01-01T10:02:30Z'))), '2026-01-01T10:05:00.000Z');
  assert.equal(iso(nextScheduleTime(parseSchedule('@hourly'), t('2026-01-01T10:20:00Z'))), '2026-01-01T11:00:00.000Z');
  // 2026-03-01 is a Sunday: "1st of month or Friday" matches Fri Feb 27 first.
  assert.equal(iso(nextScheduleTime(parseSchedule('0 12 1 * 5'), t('2026-02-26T13:00:00Z'))), '2026-02-27T12:00:00.000Z');
  assert.equal(iso(nextScheduleTime(parseSchedule('0 0 31 * *'), t('2026-04-01T00:00:00Z'))), '2026-05-31T00:00:00.000Z');
  assert.equal(iso(nextScheduleTime(parseSchedule('0 0 29 2 *'), t('2026-03-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
  assert.throws(() => parseSchedule('0 0 * * 7'), /above maximum \(6\)/, 'robfig/cron allows day-of-week 0-6 only');
});

test('time zones (with DST) and missed-schedule counting', () => {
  // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
  assert.equal(iso(nextScheduleTime(parseSchedule('0 9 * * *'), t('2026-01-10T00:00:00Z'), 'America/New_York')), '2026-01-10T14:00:00.000Z');
  assert.equal(iso(nextScheduleTime(parseSchedule('0 9 * * *'), t('2026-07-10T00:00:00Z'), 'America/New_York')), '2026-07-10T13:00:00.000Z');
  const r = scheduledTimesBetween(parseSchedule('* * * * *'), Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T03:00:00Z'), undefined, 100);
  assert.equal(r.tooMany, true);
  assert.equal(r.times.length, 100);
  assert.equal(new Date(r.times[99]).toISOString(), '2026-01-01T03:00:00.000Z');
});
